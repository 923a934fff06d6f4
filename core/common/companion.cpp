#include "common/companion.hpp"

#include <unistd.h>

#include "common/error.hpp"

namespace engine {

std::string self_exe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw_errno("readlink /proc/self/exe");
  return std::string(buf, static_cast<size_t>(n));
}

std::string find_companion_program(const std::string& name) {
  std::string exe = self_exe();
  std::string beside = exe.substr(0, exe.rfind('/') + 1) + name;
  std::string installed = std::string(ENGINE_LIBEXEC_DIR) + "/" + name;
  for (const auto& candidate : {beside, installed})
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  throw Error(name + ": not found (looked for " + beside + " and " + installed + ")");
}

}  // namespace engine
