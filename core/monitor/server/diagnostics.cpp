#include "monitor/server/diagnostics.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "common/unique_fd.hpp"

namespace engine::monitor {
namespace {

UniqueFd& sink() {
  static UniqueFd fd;
  return fd;
}
bool json_format = false;

// As the engine's text pattern: "2026-11-29T04:50:00.123456+0000 error [PID] message".
std::string text_line(const char* level, const std::string& message) {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  ::localtime_r(&ts.tv_sec, &tm);
  char stamp[64], zone[8];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::strftime(zone, sizeof zone, "%z", &tm);
  char head[128];
  std::snprintf(head, sizeof head, "%s.%06ld%s %s [%d] ", stamp, ts.tv_nsec / 1000, zone, level, ::getpid());
  return head + message + "\n";
}

}  // namespace

void init_diagnostics(const std::string& file, const std::string& format) {
  json_format = format == "json";
  if (!file.empty()) sink().reset(::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
}

void report(const char* level, const std::string& message) {
  if (!sink()) return;
  std::string line =
      json_format ? nlohmann::json{{"level", level}, {"msg", message}, {"time", format_rfc3339_nano(now_ns())}}
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                        "\n"
                  : text_line(level, message);
  // One write per line: O_APPEND keeps lines whole among the engine's other writers.
  (void)!::write(sink().get(), line.data(), line.size());
}

}  // namespace engine::monitor
