#include "linux/mount_options.hpp"

#include <sys/mount.h>

#include <cstring>

namespace engine::sys {
namespace {

struct FlagOption {
  const char* name;
  bool clear;  // true: the option turns the flag off
  unsigned long flag;
};

constexpr FlagOption kFlags[] = {
    {"ro", false, MS_RDONLY},        {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},      {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS}, {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},  {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},    {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},  {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME}, {"diratime", true, MS_NODIRATIME},
    {"bind", false, MS_BIND},        {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME}, {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME}, {"nostrictatime", true, MS_STRICTATIME},
    {"lazytime", false, MS_LAZYTIME}, {"nolazytime", true, MS_LAZYTIME},
};

struct PropagationOption {
  const char* name;
  unsigned long flags;
};

constexpr PropagationOption kPropagation[] = {
    {"private", MS_PRIVATE},   {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},     {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},       {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

// Options that runtimes accept but that need no mount(2) flag or data.
constexpr const char* kIgnored[] = {"defaults", "tmpcopyup", "idmap", "ridmap", "rro", "rrw"};

}  // namespace

bool MountOptions::bind() const { return (flags & MS_BIND) != 0; }
bool MountOptions::recursive_bind() const { return (flags & (MS_BIND | MS_REC)) == (MS_BIND | MS_REC); }

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions out;
  for (const auto& opt : options) {
    bool matched = false;
    for (const auto& f : kFlags) {
      if (opt != f.name) continue;
      if (f.clear) {
        out.flags &= ~f.flag;
        out.clear_flags |= f.flag;
      } else {
        out.flags |= f.flag;
        out.clear_flags &= ~f.flag;
      }
      matched = true;
      break;
    }
    for (const auto& p : kPropagation) {
      if (matched || opt != p.name) continue;
      out.propagation = p.flags;
      matched = true;
    }
    for (const char* ignored : kIgnored) matched = matched || opt == ignored;
    if (matched) continue;
    if (!out.data.empty()) out.data += ',';
    out.data += opt;
  }
  return out;
}

}  // namespace engine::sys
