#include "linux/process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "common/error.hpp"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace engine::sys {

pid_t clone_process(int flags, const std::function<void()>& child) {
  // Raw clone without a new stack behaves like fork but takes namespace flags.
  long pid = ::syscall(SYS_clone, static_cast<unsigned long>(flags) | SIGCHLD, nullptr, nullptr,
                       nullptr, 0);
  if (pid < 0) throw_errno("clone");
  if (pid == 0) {
    child();
    ::_exit(127);
  }
  return static_cast<pid_t>(pid);
}

void set_cloexec_from(int first) {
  if (::syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  // Older kernels: walk /proc/self/fd.
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) throw_errno("open /proc/self/fd");
  int self = ::dirfd(dir);
  while (struct dirent* e = ::readdir(dir)) {
    int fd = std::atoi(e->d_name);
    if (e->d_name[0] == '.' || fd < first || fd == self) continue;
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  ::closedir(dir);
}

void clear_cloexec(int fd) {
  int flags = ::fcntl(fd, F_GETFD);
  if (flags < 0 || ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) != 0)
    throw_errno("keep fd " + std::to_string(fd) + " open");
}

int wait_status(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("wait for " + std::to_string(pid));
  }
  return status;
}

int exit_code_from_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

UniqueFd open_pidfd(pid_t pid) {
  return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

bool wait_pidfd(int pidfd, int timeout_ms) {
  struct pollfd p{pidfd, POLLIN, 0};
  for (;;) {
    int rc = ::poll(&p, 1, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    return rc > 0;
  }
}

std::string resolve_executable(const std::string& program, const std::vector<std::string>& env) {
  auto executable = [](const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
  };
  if (program.find('/') != std::string::npos) {
    struct stat st;
    if (::stat(program.c_str(), &st) != 0) throw_errno("exec: \"" + program + "\"");
    if (S_ISDIR(st.st_mode)) throw Error("exec: \"" + program + "\": is a directory");
    if (!executable(program)) throw_errno(EACCES, "exec: \"" + program + "\"");
    return program;
  }
  std::string path_var = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& kv : env)
    if (kv.rfind("PATH=", 0) == 0) path_var = kv.substr(5);
  size_t start = 0;
  for (;;) {
    size_t colon = path_var.find(':', start);
    std::string dir = path_var.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (executable(candidate)) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  throw Error("exec: \"" + program + "\": executable file not found in $PATH");
}

ChildGuard::~ChildGuard() {
  if (pid_ <= 0) return;
  int saved = errno;
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  errno = saved;
}

}  // namespace engine::sys
