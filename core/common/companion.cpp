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

std::string install_prefix_of(const std::string& dir, const std::string& bindir, const std::string& libexecdir) {
  for (const auto& relative : {bindir, libexecdir}) {
    std::string tail = "/" + relative;
    if (!relative.empty() && dir.size() > tail.size() && dir.ends_with(tail))
      return dir.substr(0, dir.size() - tail.size());
  }
  return {};
}

std::string installed_path(const std::string& binary_dir, const std::string& relative,
                           const std::string& configured) {
  std::string prefix = install_prefix_of(binary_dir, ENGINE_BINDIR_REL, ENGINE_LIBEXEC_REL);
  return prefix.empty() ? configured : prefix + "/" + relative;
}

std::string find_companion_program(const std::string& name) {
  std::string exe = self_exe();
  std::string dir = exe.substr(0, exe.rfind('/'));
  std::string beside = dir + "/" + name;
  std::string installed = installed_path(dir, ENGINE_LIBEXEC_REL, ENGINE_LIBEXEC_DIR) + "/" + name;
  for (const auto& candidate : {beside, installed})
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  throw Error(name + ": not found (looked for " + beside + " and " + installed + ")");
}

}  // namespace engine
