#pragma once
// Facts about processes from /proc, used to tell a live container init from a reused pid.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace engine::sys {

struct ProcStat {
  char state = '?';         // R, S, D, Z, T, ...
  pid_t ppid = 0;
  uint64_t start_time = 0;  // clock ticks after boot (field 22)
};

// Parses the text of /proc/PID/stat (the comm field may contain spaces and parentheses).
std::optional<ProcStat> parse_proc_stat(const std::string& text);
std::optional<ProcStat> read_proc_stat(pid_t pid);
std::optional<uint64_t> process_start_time(pid_t pid);

// True if pid runs (not a zombie) and started at start_time: the same process, not a reuse.
bool process_alive(pid_t pid, uint64_t start_time);

// Real and effective uid/gid and the command line of pid, for `engine ps ID`.
struct ProcInfo {
  pid_t pid = 0;
  uid_t uid = 0;
  std::vector<pid_t> ns_pids;  // NSpid: the pid in each nested pid namespace, outermost first
  std::string cmdline;         // args joined by spaces; [comm] for kernel-less cmdline
};
std::optional<ProcInfo> read_proc_info(pid_t pid);

}  // namespace engine::sys
