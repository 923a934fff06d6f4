#include "common/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <nlohmann/json.hpp>

#include "common/time.hpp"

namespace engine::log {
namespace {

// {"level":"error","msg":"...","time":"2026-11-29T02:03:17.123456789Z"}
class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(msg.time.time_since_epoch()).count();
    std::string level(spdlog::level::to_string_view(msg.level).data(),
                      spdlog::level::to_string_view(msg.level).size());
    if (level == "warning") level = "warn";
    nlohmann::json line = {{"level", level},
                           {"msg", std::string(msg.payload.data(), msg.payload.size())},
                           {"time", format_rfc3339_nano(ns)}};
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

void init(const std::string& file, const std::string& format, bool debug) {
  std::vector<spdlog::sink_ptr> sinks;
  if (!file.empty()) {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_st>(file);
    if (format == "json") sink->set_formatter(std::make_unique<JsonFormatter>());
    else sink->set_pattern("%Y-%m-%dT%H:%M:%S.%f%z %l [%P] %v");
    sinks.push_back(sink);
  }
  if (debug) {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
    sink->set_pattern("%l [%P] %v");
    sinks.push_back(sink);
  }
  if (sinks.empty()) sinks.push_back(std::make_shared<spdlog::sinks::null_sink_st>());
  auto logger = std::make_shared<spdlog::logger>("engine", sinks.begin(), sinks.end());
  logger->set_level(debug ? spdlog::level::debug : spdlog::level::info);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

}  // namespace engine::log
