#include "linux/proc.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <sstream>

#include "common/unique_fd.hpp"

namespace engine::sys {
namespace {

// /proc reads that may fail because the process is gone: no exceptions, just nullopt.
std::optional<std::string> slurp(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  if (n < 0) return std::nullopt;
  return out;
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(const std::string& text) {
  // "pid (comm) state ppid ..." — comm is arbitrary, so fields start after the last ')'.
  size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return std::nullopt;
  const char* p = text.c_str() + close + 2;
  const char* end = text.c_str() + text.size();
  auto skip_spaces = [&] {
    while (p < end && *p == ' ') ++p;
  };
  auto number = [&](auto& out) {  // an unsigned decimal field (ppid may be 0, never negative)
    skip_spaces();
    if (p == end || *p < '0' || *p > '9') return false;
    uint64_t v = 0;
    for (; p < end && *p >= '0' && *p <= '9'; ++p) v = v * 10 + static_cast<uint64_t>(*p - '0');
    out = static_cast<std::remove_reference_t<decltype(out)>>(v);
    return true;
  };
  ProcStat st;
  skip_spaces();
  if (p == end) return std::nullopt;
  st.state = *p++;
  if (!number(st.ppid)) return std::nullopt;
  // Fields 5..21 are skipped; field 22 (starttime) is the 20th after the state.
  for (int i = 0; i < 17; ++i) {
    skip_spaces();
    if (p == end) return std::nullopt;
    while (p < end && *p != ' ') ++p;
  }
  if (!number(st.start_time)) return std::nullopt;
  return st;
}

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  // One read into a stack buffer: ps checks every container's init this way.
  char path[32];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  char buf[1024];
  ssize_t n = ::read(fd.get(), buf, sizeof buf);
  if (n <= 0) return std::nullopt;
  return parse_proc_stat(std::string(buf, static_cast<size_t>(n)));
}

std::optional<uint64_t> process_start_time(pid_t pid) {
  auto st = read_proc_stat(pid);
  if (!st) return std::nullopt;
  return st->start_time;
}

bool process_alive(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return false;
  auto st = read_proc_stat(pid);
  return st && st->state != 'Z' && st->state != 'X' && st->start_time == start_time;
}

std::optional<ProcInfo> read_proc_info(pid_t pid) {
  std::string base = "/proc/" + std::to_string(pid);
  auto status = slurp(base + "/status");
  auto cmdline = slurp(base + "/cmdline");
  if (!status || !cmdline) return std::nullopt;
  ProcInfo info;
  info.pid = pid;
  std::istringstream lines(*status);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("Uid:", 0) == 0) {
      info.uid = static_cast<uid_t>(std::strtoul(line.c_str() + 4, nullptr, 10));
    } else if (line.rfind("NSpid:", 0) == 0) {
      std::istringstream ids(line.substr(6));
      pid_t id;
      while (ids >> id) info.ns_pids.push_back(id);
    } else if (line.rfind("Name:", 0) == 0 && cmdline->empty()) {
      size_t start = line.find_first_not_of(" \t", 5);
      info.cmdline = "[" + line.substr(start == std::string::npos ? 5 : start) + "]";
    }
  }
  if (!cmdline->empty()) {
    if (cmdline->back() == '\0') cmdline->pop_back();
    for (char& c : *cmdline)
      if (c == '\0') c = ' ';
    info.cmdline = *cmdline;
  }
  return info;
}

}  // namespace engine::sys
