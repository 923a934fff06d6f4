#pragma once
// The monitor's own diagnostics, in the formats of the engine's --log (text or json lines).
// The monitor has no spdlog: it logs a handful of lines in its life, and stays small.
#include <string>

namespace engine::monitor {

void init_diagnostics(const std::string& file, const std::string& format);
void report(const char* level, const std::string& message);

}  // namespace engine::monitor
