#pragma once
// The engine's own diagnostics, through spdlog: to --log FILE (text or JSON lines with level,
// msg and time, as runc writes them for containerd and podman) and to stderr with --debug.
#include <spdlog/spdlog.h>

#include <string>

namespace engine::log {

// Sets up the default logger. Cheap when neither file nor debug is asked for.
void init(const std::string& file, const std::string& format, bool debug);

}  // namespace engine::log
