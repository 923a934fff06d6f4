#pragma once
// The per-container monitor: the parent (and subreaper) of a detached container's init. It
// holds the terminal master or the output pipes, feeds the log driver, serves the attach
// socket, and records the exit code once the init has exited and its output is drained.
//
// This file is the engine's side: fork, clone the init, exec the `engine-monitor` program
// (monitor/server/), which does the serving.
#include <sys/types.h>

#include <functional>
#include <map>
#include <vector>
#include <memory>
#include <string>

#include "common/unique_fd.hpp"

namespace engine::monitor {

// Messages on the control socket between the creating CLI and the monitor.
enum class Control : uint32_t {
  init_pid = 1,  // monitor -> CLI: the init's pid (text)
  commit,        // CLI -> monitor: create succeeded (fd: the terminal master, if any)
};

struct MonitorSetup {
  std::string binary;  // the engine-monitor program to exec
  std::string engine;  // the engine binary, which the monitor runs to record the exit
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

// The engine-monitor program: next to the engine binary (the build tree, or an install with
// both in one directory), else in the install's libexec directory. Throws Error if absent.
std::string monitor_binary();

// Runs in the forked monitor: its own session, clones the init with `clone_init` (so it is
// the init's parent), reports the pid, then execs setup.binary: a small image that holds no
// state inherited from the CLI (sqlite must never be used across fork). Never returns.
[[noreturn]] void monitor_main(MonitorSetup& setup, const std::function<pid_t()>& clone_init) noexcept;

}  // namespace engine::monitor
