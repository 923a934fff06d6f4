#pragma once
// The NULL-terminated char* array execv and execve take, pointing into strings that must
// outlive it (exec copies them; nothing writes through the pointers).
#include <string>
#include <vector>

namespace engine {

inline std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace engine
