#pragma once
// The monitor's loop: output from the init to the log driver and the attach clients, input
// and resizes from the clients to the init, and the exit code into the state store.
#include <sys/types.h>

#include <memory>

#include "monitor/monitor.hpp"
#include "plugins/log_driver_host.hpp"

namespace engine::monitor {

// Serves until the init has exited and its output is drained, records the exit, and exits
// the process. Returns only if the CLI gave up before commit (the init is killed then).
[[noreturn]] void serve(MonitorSetup& setup, std::unique_ptr<plugins::LogWriterHandle> log, pid_t init);

}  // namespace engine::monitor
