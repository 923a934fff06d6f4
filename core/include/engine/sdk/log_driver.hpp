#pragma once
// The log-driver interface: where a container's output is kept.
//
// The engine's monitor calls write() for every chunk of output as it arrives, from one thread.
// A driver must never block the container for long; write errors are reported by throwing
// sdk::PluginError, and the engine keeps the container running.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/sdk/plugin.hpp"

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
  virtual std::string name() const = 0;
  virtual std::unique_ptr<LogWriter> open_writer(const LogConfig& config) = 0;
  // Reads back what the writer stored, oldest first, across rotated files.
  virtual std::vector<LogRecord> read(const LogConfig& config, const ReadOptions& options) = 0;
  // Checks the options without side effects (create calls it, so a bad --log-opt fails
  // before the container exists); throws PluginError naming the option.
  virtual void check_options(const LogConfig& config) const { (void)config; }
};

// The factory a log plugin exports: BOOST_DLL_ALIAS(make_driver, engine_log_driver)
using LogDriverFactory = std::unique_ptr<LogDriver>();

}  // namespace engine::sdk
