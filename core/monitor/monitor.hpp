#pragma once
// The per-container monitor: the parent (and subreaper) of a detached container's init. It
// holds the terminal master or the output pipes, feeds the log driver, serves the attach
// socket, and records the exit code once the init has exited and its output is drained.
#include <sys/types.h>

#include <functional>
#include <map>
#include <vector>
#include <memory>
#include <string>

#include "common/unique_fd.hpp"
#include "engine/sdk/log_driver.hpp"

namespace engine::monitor {

// Messages on the control socket between the creating CLI and the monitor.
enum class Control : uint32_t {
  init_pid = 1,  // monitor -> CLI: the init's pid (text)
  commit,        // CLI -> monitor: create succeeded (fd: the terminal master, if any)
};

struct MonitorSetup {
  std::string root;   // --root, to open the state store afresh
  std::string id;
  std::string container_dir;
  bool terminal = false;  // the master arrives with `commit`
  UniqueFd stdout_read, stderr_read, stdin_write;  // terminal false, output captured
  UniqueFd attach_listener;
  std::string log_driver;  // "" keeps nothing
  std::map<std::string, std::string> log_opts;
  std::vector<std::string> plugin_dirs;
  std::string engine_log, engine_log_format;  // the engine's own diagnostics (--log)
  UniqueFd control;   // the monitor's end
};

// Runs in the forked monitor: its own session, clones the init with `clone_init` (so it is
// the init's parent), reports the pid, then execs the engine binary afresh as `__monitor`:
// the fresh image is small and holds no state inherited from the CLI (sqlite must never be
// used across fork). Never returns.
[[noreturn]] void monitor_main(MonitorSetup& setup, const std::function<pid_t()>& clone_init) noexcept;

// The `__monitor` entry point of the re-executed binary: serves until the init exits (or
// the CLI gives up before `commit`, which kills the init).
int monitor_command(int argc, char** argv);

}  // namespace engine::monitor
