// logging: the default log driver. One file per container in the CRI format Kubernetes reads
// (see cri_log.hpp), rotated by size.
#include "cri_log.hpp"

ENGINE_DECLARE_PLUGIN("log", "logging", "1.0.0",
                      "CRI-format log file per container, rotated by size (path, max-size, max-file, max-line)");

namespace {

using namespace engine;

class CriDriver : public sdk::LogDriver {
 public:
  std::unique_ptr<sdk::LogWriter> open_writer(const sdk::LogConfig& config) override {
    return std::make_unique<logging::CriWriter>(logging::parse_options(config.options, config.container_dir));
  }
  void check_options(const sdk::LogConfig& config) const override {
    logging::parse_options(config.options, config.container_dir);
  }
  std::vector<sdk::LogRecord> read(const sdk::LogConfig& config, const sdk::ReadOptions& options) override {
    return logging::read_records(logging::parse_options(config.options, config.container_dir), options);
  }
};

}  // namespace

ENGINE_DECLARE_LOG_DRIVER(CriDriver);
