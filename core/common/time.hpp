#pragma once
#include <cstdint>
#include <string>

namespace engine {

int64_t now_ns();  // wall clock, ns since the epoch
// RFC 3339 with nanoseconds in UTC: "2026-11-29T02:03:17.123456789Z".
std::string format_rfc3339_nano(int64_t ns);
// Parses RFC 3339 ("...Z" or "+hh:mm", fraction optional) to ns; false if malformed.
bool parse_rfc3339(const std::string& text, int64_t* ns);

}  // namespace engine
