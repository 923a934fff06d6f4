#include "runtime/process_setup.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/argv.hpp"
#include "common/error.hpp"
#include "linux/process.hpp"
#include "linux/security.hpp"

namespace engine::runtime {

void reset_signals() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
}

void drop_privileges(const oci::Process& proc, const std::optional<oci::Seccomp>& seccomp) {
  sys::apply_rlimits(proc.rlimits);
  if (proc.capabilities) sys::drop_bounding_set(*proc.capabilities);
  // Without no_new_privs only a privileged process may load a filter: do it before setuid.
  if (seccomp && !proc.no_new_privileges) sys::load_seccomp(*seccomp);
  sys::change_user(proc.user, proc.capabilities);
  ::umask(proc.user.umask.value_or(022));
}

void keep_only_stdio_and(int preserve_fds) {
  sys::set_cloexec_from(3 + preserve_fds);
  for (int fd = 3; fd < 3 + preserve_fds; ++fd) sys::clear_cloexec(fd);
}

void exec_program(const oci::Process& proc, const std::string& program,
                  const std::optional<oci::Seccomp>& seccomp) {
  if (proc.no_new_privileges) sys::set_no_new_privileges();
  if (seccomp && proc.no_new_privileges) sys::load_seccomp(*seccomp);
  auto argv = c_strings(proc.args);
  auto envp = c_strings(proc.env);
  ::execve(program.c_str(), argv.data(), envp.data());
  throw_errno("exec " + program);
}

}  // namespace engine::runtime
