// engine-monitor: the per-container monitor, exec'd by the engine once it has cloned the init
// (see monitor/monitor.hpp). A program of its own so that what stays resident for the life of
// every detached container is small: no option parser, no spdlog, no seccomp, its C++ runtime
// linked in, and no sqlite: the exit is recorded by running the engine once, at the end.
#include <fcntl.h>

#include <string>

#include "common/unique_fd.hpp"
#include "linux/process.hpp"
#include "monitor/monitor.hpp"
#include "monitor/server/diagnostics.hpp"
#include "monitor/server/monitor.hpp"
#include "plugins/log_driver_host.hpp"
#include "plugins/plugin_files.hpp"

using namespace engine;

namespace {

// The arguments written by monitor::exec_monitor; fds are inherited across the exec.
pid_t parse(int argc, char** argv, monitor::MonitorSetup& setup) {
  pid_t init = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    auto fd = [&]() {
      UniqueFd f(std::stoi(value()));
      ::fcntl(f.get(), F_SETFD, FD_CLOEXEC);  // never into anything this process starts
      return f;
    };
    if (a == "--root") setup.root = value();
    else if (a == "--id") setup.id = value();
    else if (a == "--dir") setup.container_dir = value();
    else if (a == "--init") init = std::stoi(value());
    else if (a == "--terminal") setup.terminal = true;
    else if (a == "--engine") setup.engine = value();
    else if (a == "--control-fd") setup.control = fd();
    else if (a == "--stdout-fd") setup.stdout_read = fd();
    else if (a == "--stderr-fd") setup.stderr_read = fd();
    else if (a == "--stdin-fd") setup.stdin_write = fd();
    else if (a == "--attach-fd") setup.attach_listener = fd();
    else if (a == "--log-driver") setup.log_driver = value();
    else if (a == "--log-opt") {
      std::string kv = value();
      setup.log_opts[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
    } else if (a == "--plugin-dir") setup.plugin_dirs.push_back(value());
    else if (a == "--log") setup.engine_log = value();
    else if (a == "--log-format") setup.engine_log_format = value();
  }
  return init;
}

}  // namespace

int main(int argc, char** argv) {
  monitor::MonitorSetup setup;
  pid_t init = -1;
  try {
    init = parse(argc, argv, setup);
  } catch (const std::exception& e) {
    return 2;  // not started by the engine
  }
  monitor::init_diagnostics(setup.engine_log, setup.engine_log_format);
  if (init <= 0 || !setup.control) {
    monitor::report("error", "engine-monitor: started without --init and --control-fd");
    return 2;
  }
  std::unique_ptr<plugins::LogWriterHandle> writer;
  if (!setup.log_driver.empty()) {
    try {
      auto driver = plugins::load_log_driver(plugins::plugin_search_path(setup.plugin_dirs), setup.log_driver);
      writer = driver->open_writer(sdk::LogConfig{setup.id, setup.container_dir, setup.log_opts});
    } catch (const std::exception& e) {
      // The container runs on without a log; `engine logs` will find nothing new.
      monitor::report("error", "container " + setup.id + ": log driver " + setup.log_driver + ": " + e.what());
    }
  }
  // Held, never used, for the init's life: while a pidfd of a process is open its pidfs inode
  // stays, so the engine's identity check of the init (pidfd_open, fstat, close) does not
  // create and free one each time: ~5 -> ~2.7 us a container, most of `ps` over many.
  // Close-on-exec like every pidfd; the init was cloned before this program ran.
  UniqueFd init_pidfd = sys::open_pidfd(init);
  try {
    monitor::serve(setup, std::move(writer), init);
  } catch (const std::exception& e) {
    monitor::report("error", "container " + setup.id + ": monitor: " + e.what());
  }
  return 1;
}
