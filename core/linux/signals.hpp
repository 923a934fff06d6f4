#pragma once
#include <optional>
#include <string>

namespace engine::sys {

// "KILL", "SIGKILL", "sigkill", "9", "RTMIN+2" -> signal number; nullopt if unknown.
std::optional<int> parse_signal(const std::string& text);

}  // namespace engine::sys
