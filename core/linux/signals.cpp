#include "linux/signals.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <strings.h>

namespace engine::sys {
namespace {

struct SignalName {
  const char* name;
  int number;
};

constexpr SignalName kSignals[] = {
    {"HUP", SIGHUP},     {"INT", SIGINT},       {"QUIT", SIGQUIT},   {"ILL", SIGILL},
    {"TRAP", SIGTRAP},   {"ABRT", SIGABRT},     {"IOT", SIGIOT},     {"BUS", SIGBUS},
    {"FPE", SIGFPE},     {"KILL", SIGKILL},     {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},   {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},   {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},    {"CONT", SIGCONT},
    {"STOP", SIGSTOP},   {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},   {"TTOU", SIGTTOU},
    {"URG", SIGURG},     {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},   {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},   {"WINCH", SIGWINCH},   {"IO", SIGIO},       {"POLL", SIGPOLL},
    {"PWR", SIGPWR},     {"SYS", SIGSYS},
};

std::optional<int> parse_number(const char* s) {
  if (*s == '\0') return std::nullopt;
  char* end = nullptr;
  long n = std::strtol(s, &end, 10);
  if (*end != '\0' || n < 0) return std::nullopt;
  return static_cast<int>(n);
}

}  // namespace

std::optional<int> parse_signal(const std::string& text) {
  if (auto n = parse_number(text.c_str())) {
    if (*n > 0 && *n <= SIGRTMAX) return n;
    return std::nullopt;
  }
  const char* name = text.c_str();
  if (strncasecmp(name, "SIG", 3) == 0) name += 3;
  for (const auto& s : kSignals)
    if (strcasecmp(name, s.name) == 0) return s.number;
  // RTMIN, RTMIN+N, RTMAX, RTMAX-N
  struct RealtimeBase {
    const char* prefix;
    int base;
    int sign;  // RTMIN+N counts up, RTMAX-N down
  };
  const RealtimeBase bases[] = {{"RTMIN", SIGRTMIN, 1}, {"RTMAX", SIGRTMAX, -1}};
  for (const auto& [prefix, base, sign] : bases) {
    size_t len = std::strlen(prefix);
    if (strncasecmp(name, prefix, len) != 0) continue;
    const char* rest = name + len;
    int offset = 0;
    if (*rest != '\0') {
      if (*rest != (sign > 0 ? '+' : '-')) return std::nullopt;
      auto n = parse_number(rest + 1);
      if (!n) return std::nullopt;
      offset = *n;
    }
    int sig = base + sign * offset;
    if (sig < SIGRTMIN || sig > SIGRTMAX) return std::nullopt;
    return sig;
  }
  return std::nullopt;
}

}  // namespace engine::sys
