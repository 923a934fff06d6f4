// Name -> number tables for the names config.json uses: capabilities, rlimits, namespaces.
#include <sched.h>
#include <sys/resource.h>

#include <array>
#include <string_view>

#include "oci/spec.hpp"

// Older libc headers lack the newest namespace flags; the kernel values are fixed.
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace engine::oci {
namespace {

struct NamedNumber {
  std::string_view name;
  int number;
};

// Indexed by capability number (linux/capability.h), so the table is the numbering. Kept
// here rather than taken from libcap so names parse the same on any build host.
constexpr std::array<std::string_view, 41> kCapabilities = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

constexpr NamedNumber kRlimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

// The namespace type names of the runtime spec.
constexpr NamedNumber kNamespaces[] = {
    {"pid", CLONE_NEWPID},       {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
    {"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},     {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

template <typename Table>
std::optional<int> lookup(const Table& table, const std::string& name) {
  for (const NamedNumber& entry : table)
    if (entry.name == name) return entry.number;
  return std::nullopt;
}

}  // namespace

std::optional<int> capability_from_name(const std::string& name) {
  for (size_t i = 0; i < kCapabilities.size(); ++i)
    if (kCapabilities[i] == name) return static_cast<int>(i);
  return std::nullopt;
}

std::optional<int> rlimit_from_name(const std::string& name) { return lookup(kRlimits, name); }

std::optional<int> namespace_from_name(const std::string& name) {
  return lookup(kNamespaces, name);
}

// The highest capability number this table knows (CAP_CHECKPOINT_RESTORE), not the running
// kernel's cap_last_cap; callers touching the kernel's sets should take the smaller of the two.
int last_capability() { return static_cast<int>(kCapabilities.size()) - 1; }

}  // namespace engine::oci
