#pragma once
#include <string>

namespace engine {

// SHA-256 of data as lowercase hex (used for config digests).
std::string sha256_hex(const std::string& data);

}  // namespace engine
