#pragma once
// The per-container monitor: the parent (and subreaper) of a detached container's init. It
// holds the terminal master or the output pipes, feeds the log driver, serves the attach
// socket, and records the exit code once the init has exited and its output is drained.
#include <sys/types.h>

#include <functional>
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
  std::string root;   // --root, to open the state store afresh (never the CLI's connection)
  std::string id;
  bool terminal = false;  // the master arrives with `commit`
  UniqueFd stdout_read, stderr_read, stdin_write;  // terminal false, output captured
  UniqueFd attach_listener;
  std::unique_ptr<sdk::LogWriter> log;             // null: output kept nowhere
  UniqueFd control;   // the monitor's end
};

// Runs in the forked monitor: clones the init with `clone_init`, reports its pid, and serves
// until the init exits (or the CLI gives up before `commit`, which kills the init).
[[noreturn]] void monitor_main(MonitorSetup& setup, const std::function<pid_t()>& clone_init) noexcept;

}  // namespace engine::monitor
