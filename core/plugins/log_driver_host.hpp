#pragma once
// The engine's side of a log driver's C table (engine/sdk/log_driver.hpp): C++ calls that
// throw Error with the driver's message, and a writer that is destroyed with its owner.
#include <memory>
#include <string>
#include <vector>

#include "engine/sdk/log_driver.hpp"

namespace engine::plugins {

class LogWriterHandle {
 public:
  LogWriterHandle(const engine_log_driver_ops* ops, void* writer) : ops_(ops), writer_(writer) {}
  LogWriterHandle(const LogWriterHandle&) = delete;
  LogWriterHandle& operator=(const LogWriterHandle&) = delete;
  ~LogWriterHandle() { ops_->destroy(writer_); }

  void write(sdk::Stream stream, int64_t time_ns, const char* data, size_t len);
  void close();

 private:
  const engine_log_driver_ops* ops_;
  void* writer_;
};

class LogDriverHandle {
 public:
  explicit LogDriverHandle(const engine_log_driver_ops* ops) : ops_(ops) {}

  void check_options(const sdk::LogConfig& config) const;
  std::unique_ptr<LogWriterHandle> open_writer(const sdk::LogConfig& config) const;
  std::vector<sdk::LogRecord> read(const sdk::LogConfig& config, const sdk::ReadOptions& options) const;

 private:
  const engine_log_driver_ops* ops_;
};

// Loads NAME.so from the first of dirs that has it with dlopen, checks its info record and its
// table, and keeps it loaded for the life of the process. Throws Error naming what is wrong.
// A C table needs no C++ loader: this keeps Boost.DLL (and the std::filesystem and locale
// code it brings) out of the monitor.
std::shared_ptr<LogDriverHandle> load_log_driver(const std::vector<std::string>& dirs, const std::string& name);

}  // namespace engine::plugins
