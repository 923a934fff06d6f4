#include "monitor/monitor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/argv.hpp"
#include "common/companion.hpp"
#include "common/error.hpp"
#include "linux/process.hpp"
#include "linux/unix_socket.hpp"

namespace engine::monitor {
namespace {

// Keeps fd open across exec and names it in argv.
void pass_fd(std::vector<std::string>& argv, const char* flag, const UniqueFd& fd) {
  if (!fd) return;
  sys::clear_cloexec(fd.get());
  argv.push_back(flag);
  argv.push_back(std::to_string(fd.get()));
}

[[noreturn]] void exec_monitor(MonitorSetup& setup, pid_t init) {
  std::vector<std::string> argv = {"engine-monitor", "--root", setup.root, "--id", setup.id,
                                   "--dir", setup.container_dir, "--init", std::to_string(init)};
  if (setup.terminal) argv.push_back("--terminal");
  // The monitor records the exit through this binary: it links no sqlite of its own.
  argv.insert(argv.end(), {"--engine", self_exe()});
  pass_fd(argv, "--control-fd", setup.control);
  pass_fd(argv, "--stdout-fd", setup.stdout_read);
  pass_fd(argv, "--stderr-fd", setup.stderr_read);
  pass_fd(argv, "--stdin-fd", setup.stdin_write);
  pass_fd(argv, "--attach-fd", setup.attach_listener);
  if (!setup.log_driver.empty()) argv.insert(argv.end(), {"--log-driver", setup.log_driver});
  for (const auto& [k, v] : setup.log_opts) argv.insert(argv.end(), {"--log-opt", k + "=" + v});
  for (const auto& d : setup.plugin_dirs) argv.insert(argv.end(), {"--plugin-dir", d});
  if (!setup.engine_log.empty())
    argv.insert(argv.end(), {"--log", setup.engine_log, "--log-format", setup.engine_log_format});
  auto args = c_strings(argv);
  ::execv(setup.binary.c_str(), args.data());
  throw_errno("exec " + setup.binary);
}

}  // namespace

std::string monitor_binary() { return find_companion_program("engine-monitor"); }

void monitor_main(MonitorSetup& setup, const std::function<pid_t()>& clone_init) noexcept {
  pid_t init = -1;
  try {
    // Its own session, no controlling terminal, deaf to the hangup of the CLI's terminal.
    ::setsid();
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    // Blocked SIGCHLD stays blocked and pending across exec: no exit is missed.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    init = clone_init();
    // The init has its stdio; the monitor must not keep the caller's open (or a caller
    // reading `engine run -d` to its end would wait for the container to exit).
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3 && null >= 0; ++fd) ::dup2(null, fd);
    if (null > 2) ::close(null);
    std::string text = std::to_string(init);
    uint32_t type = static_cast<uint32_t>(Control::init_pid);
    std::string msg(reinterpret_cast<const char*>(&type), sizeof type);
    msg += text;
    sys::send_with_fd(setup.control.get(), msg.data(), msg.size(), -1);
    exec_monitor(setup, init);
  } catch (...) {
    if (init > 0) ::kill(init, SIGKILL);
  }
  ::_exit(1);
}

}  // namespace engine::monitor
