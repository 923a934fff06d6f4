#include "plugins/log_driver_host.hpp"

#include <dlfcn.h>

#include "common/error.hpp"
#include "plugins/c_table.hpp"
#include "plugins/plugin_files.hpp"

namespace engine::plugins {
namespace {

// A LogConfig as the C table sees it; points into the LogConfig, which must outlive it.
class CConfig {
 public:
  explicit CConfig(const sdk::LogConfig& config) {
    for (const auto& [key, value] : config.options) options_.push_back({key.c_str(), value.c_str()});
    c_ = {config.container_id.c_str(), config.container_dir.c_str(), options_.data(), options_.size()};
  }
  const engine_log_config* get() const { return &c_; }

 private:
  std::vector<engine_log_option> options_;
  engine_log_config c_{};
};

int collect(void* context, const engine_log_record* r) noexcept {
  try {
    static_cast<std::vector<sdk::LogRecord>*>(context)->push_back(
        {r->time_ns, r->stream == 1 ? sdk::Stream::stderr_stream : sdk::Stream::stdout_stream,
         r->partial != 0, std::string(r->text, r->text_len)});
    return 0;
  } catch (...) {
    return 1;  // out of memory: stop reading rather than throw through the plugin
  }
}

}  // namespace

void LogWriterHandle::write(sdk::Stream stream, int64_t time_ns, const char* data, size_t len) {
  call_table("", [&](char* err, size_t n) {
    return ops_->write(writer_, stream == sdk::Stream::stderr_stream ? 1 : 0, time_ns, data, len, err, n);
  });
}

void LogWriterHandle::close() {
  call_table("", [&](char* err, size_t n) { return ops_->close(writer_, err, n); });
}

void LogDriverHandle::check_options(const sdk::LogConfig& config) const {
  call_table("", [&](char* err, size_t n) { return ops_->check_options(CConfig(config).get(), err, n); });
}

std::unique_ptr<LogWriterHandle> LogDriverHandle::open_writer(const sdk::LogConfig& config) const {
  void* writer = nullptr;
  call_table("", [&](char* err, size_t n) { return ops_->open_writer(CConfig(config).get(), &writer, err, n); });
  return std::make_unique<LogWriterHandle>(ops_, writer);
}

std::vector<sdk::LogRecord> LogDriverHandle::read(const sdk::LogConfig& config,
                                                  const sdk::ReadOptions& options) const {
  std::vector<sdk::LogRecord> records;
  call_table("", [&](char* err, size_t n) {
    return ops_->read(CConfig(config).get(), options.since_ns, options.tail, &collect, &records, err, n);
  });
  return records;
}

std::shared_ptr<LogDriverHandle> load_log_driver(const std::vector<std::string>& dirs, const std::string& name) {
  constexpr const char* kTable = "engine_log_driver_ops_v1";
  std::string file = find_plugin(dirs, name);
  std::string what = "plugin " + name + " (" + file + "): ";
  // Never closed: writers made by the plugin point into it.
  void* lib = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = ::dlerror();
    throw Error("plugin " + file + ": cannot load: " + (why ? why : "unknown error"));
  }
  auto* info = static_cast<const engine_plugin_info*>(::dlsym(lib, kInfoSymbol));
  if (!info) throw Error(what + "not an engine plugin (no " + kInfoSymbol + ")");
  PluginEntry entry = describe(*info, file);
  if (!entry.error.empty()) throw Error(what + entry.error);
  if (entry.kind != "log") throw Error(what + "is a " + entry.kind + " plugin, not log");
  auto* ops = static_cast<const engine_log_driver_ops*>(::dlsym(lib, kTable));
  if (!ops) throw Error(what + "exports no " + kTable);
  if (ops->struct_size < sizeof(engine_log_driver_ops)) throw Error(what + "log driver table too small");
  return std::make_shared<LogDriverHandle>(ops);
}

}  // namespace engine::plugins
