#pragma once
// Child processes: clone into new namespaces, fd hygiene before exec, waiting, and an owner
// that kills and reaps a child unless told the child is meant to outlive it.
#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"

namespace engine::sys {

// fork-like clone with CLONE_NEW* flags: returns the pid in the parent, runs `child` in the
// child, which must not return (it ends in execve or _exit).
pid_t clone_process(int flags, const std::function<void()>& child);

// Marks every fd >= first close-on-exec (close_range, falling back to /proc/self/fd).
void set_cloexec_from(int first);
void clear_cloexec(int fd);

// Waits for pid; returns the wait status. EINTR is retried.
int wait_status(pid_t pid);
// Shell-style exit code: the code, or 128+N when killed by signal N.
int exit_code_from_status(int status);

// pidfd for any process (not only children), to wait for it to end with poll.
UniqueFd open_pidfd(pid_t pid);
// Waits until the process behind pidfd has ended; false on timeout.
bool wait_pidfd(int pidfd, int timeout_ms);

// Resolves a program like execvp with the container's PATH (from env) and checks that it can
// be executed by the current credentials. Throws Error("exec: \"foo\": executable file not
// found in $PATH") and the like.
std::string resolve_executable(const std::string& program, const std::vector<std::string>& env);

// Kills (SIGKILL) and reaps the child on destruction unless released.
class ChildGuard {
 public:
  ChildGuard() = default;
  explicit ChildGuard(pid_t pid) : pid_(pid) {}
  ChildGuard(ChildGuard&& o) noexcept : pid_(o.release()) {}
  ChildGuard& operator=(ChildGuard&&) = delete;
  ~ChildGuard();
  pid_t get() const { return pid_; }
  pid_t release() { pid_t p = pid_; pid_ = -1; return p; }

 private:
  pid_t pid_ = -1;
};

}  // namespace engine::sys
