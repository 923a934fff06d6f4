#pragma once
// The log-driver interface: where a container's output is kept.
//
// A driver is written in C++ (LogDriver, LogWriter below) and exported through a plain C table
// with ENGINE_DECLARE_LOG_DRIVER(MyDriver): every call crosses the boundary as C types, and
// every exception is caught inside the plugin and returned as a message. That is what lets the
// per-container monitor stay small: it carries its own copy of the C++ runtime, and so may a
// driver (link it with -static-libstdc++ -static-libgcc -Wl,--exclude-libs,ALL); neither ever
// sees the other's C++ objects or exceptions.
//
// The monitor calls write() for every chunk of output as it arrives, from one thread. A driver
// must never block the container for long; write errors are reported by throwing (the engine
// logs them and keeps the container running).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/sdk/plugin.hpp"

extern "C" {
struct engine_log_option {
  const char* key;
  const char* value;
};
struct engine_log_config {
  const char* container_id;
  const char* container_dir;
  const engine_log_option* options;
  size_t option_count;
};
struct engine_log_record {
  int64_t time_ns;
  int stream;   // 0 stdout, 1 stderr
  int partial;  // the line continues in the next record
  const char* text;
  size_t text_len;
};
// Receives one record of read(); returns non-zero to stop.
typedef int (*engine_log_record_sink)(void* context, const engine_log_record* record);

// Each call returns 0, or -1 with a NUL-terminated message in err[0, err_size).
struct engine_log_driver_ops {
  uint32_t struct_size;  // sizeof(engine_log_driver_ops) as the plugin saw it
  int (*check_options)(const engine_log_config* config, char* err, size_t err_size);
  int (*open_writer)(const engine_log_config* config, void** writer, char* err, size_t err_size);
  int (*write)(void* writer, int stream, int64_t time_ns, const char* data, size_t len, char* err,
               size_t err_size);
  int (*close)(void* writer, char* err, size_t err_size);
  void (*destroy)(void* writer);
  int (*read)(const engine_log_config* config, int64_t since_ns, int64_t tail,
              engine_log_record_sink sink, void* context, char* err, size_t err_size);
};
}

namespace engine::sdk {

enum class Stream { stdout_stream, stderr_stream };

struct LogConfig {
  std::string container_id;
  std::string container_dir;                  // the container's directory under --root
  std::map<std::string, std::string> options;  // --log-opt KEY=VALUE
};

struct LogRecord {
  int64_t time_ns = 0;  // wall clock, ns since the epoch
  Stream stream = Stream::stdout_stream;
  bool partial = false;  // the line continues in the next record
  std::string text;      // without the newline
};

struct ReadOptions {
  int64_t since_ns = 0;  // only records at or after this time
  int64_t tail = -1;     // only the last N records; -1 for all
};

class LogWriter {
 public:
  virtual ~LogWriter() = default;
  // A chunk of raw output; the driver splits it into lines itself.
  virtual void write(Stream stream, int64_t time_ns, const char* data, size_t len) = 0;
  // Flushes a pending partial line (the container exited).
  virtual void close() = 0;
};

class LogDriver {
 public:
  virtual ~LogDriver() = default;
  virtual std::unique_ptr<LogWriter> open_writer(const LogConfig& config) = 0;
  // Reads back what the writer stored, oldest first, across rotated files.
  virtual std::vector<LogRecord> read(const LogConfig& config, const ReadOptions& options) = 0;
  // Checks the options without side effects (create calls it, so a bad --log-opt fails
  // before the container exists); throws PluginError naming the option.
  virtual void check_options(const LogConfig& config) const { (void)config; }
};

namespace detail {

inline LogConfig from_c(const engine_log_config* c) {
  LogConfig config{c->container_id ? c->container_id : "", c->container_dir ? c->container_dir : "", {}};
  for (size_t i = 0; i < c->option_count; ++i)
    config.options[c->options[i].key ? c->options[i].key : ""] = c->options[i].value ? c->options[i].value : "";
  return config;
}

// The C table of a driver class; instantiated inside the plugin by ENGINE_DECLARE_LOG_DRIVER.
template <typename Driver>
struct LogDriverTable {
  static Driver& driver() {
    static Driver instance;
    return instance;
  }
  static int check_options(const engine_log_config* c, char* err, size_t n) {
    return guarded(err, n, [&] { driver().check_options(from_c(c)); });
  }
  static int open_writer(const engine_log_config* c, void** writer, char* err, size_t n) {
    return guarded(err, n, [&] { *writer = driver().open_writer(from_c(c)).release(); });
  }
  static int write(void* w, int stream, int64_t time_ns, const char* data, size_t len, char* err,
                   size_t n) {
    return guarded(err, n, [&] {
      static_cast<LogWriter*>(w)->write(stream == 1 ? Stream::stderr_stream : Stream::stdout_stream,
                                        time_ns, data, len);
    });
  }
  static int close(void* w, char* err, size_t n) {
    return guarded(err, n, [&] { static_cast<LogWriter*>(w)->close(); });
  }
  static void destroy(void* w) { delete static_cast<LogWriter*>(w); }
  static int read(const engine_log_config* c, int64_t since_ns, int64_t tail, engine_log_record_sink sink,
                  void* context, char* err, size_t n) {
    return guarded(err, n, [&] {
      for (const LogRecord& r : driver().read(from_c(c), ReadOptions{since_ns, tail})) {
        engine_log_record out{r.time_ns, r.stream == Stream::stderr_stream ? 1 : 0, r.partial ? 1 : 0,
                              r.text.data(), r.text.size()};
        if (sink(context, &out) != 0) break;
      }
    });
  }
};

}  // namespace detail
}  // namespace engine::sdk

// Exports the C table of a log driver class (default-constructible, one per process).
#define ENGINE_DECLARE_LOG_DRIVER(DRIVER)                                                       \
  extern "C" ENGINE_PLUGIN_EXPORT const engine_log_driver_ops engine_log_driver_ops_v1 = {      \
      sizeof(engine_log_driver_ops),                                                            \
      &::engine::sdk::detail::LogDriverTable<DRIVER>::check_options,                            \
      &::engine::sdk::detail::LogDriverTable<DRIVER>::open_writer,                              \
      &::engine::sdk::detail::LogDriverTable<DRIVER>::write,                                    \
      &::engine::sdk::detail::LogDriverTable<DRIVER>::close,                                    \
      &::engine::sdk::detail::LogDriverTable<DRIVER>::destroy,                                  \
      &::engine::sdk::detail::LogDriverTable<DRIVER>::read}
