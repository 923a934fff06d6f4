#include "linux/namespaces.hpp"

#include <fcntl.h>
#include <sched.h>

#include <algorithm>

#include "common/error.hpp"
#include "common/file.hpp"

namespace engine::sys {

int clone_flags(const oci::LinuxSpec& spec) {
  int flags = 0;
  for (const auto& ns : spec.namespaces)
    if (ns.path.empty() && ns.type != CLONE_NEWCGROUP) flags |= ns.type;
  return flags;
}

std::vector<NamespaceFd> open_namespace_paths(const oci::LinuxSpec& spec) {
  std::vector<NamespaceFd> fds;
  for (const auto& ns : spec.namespaces)
    if (!ns.path.empty()) fds.push_back({ns.type, open_fd(ns.path, O_RDONLY)});
  std::stable_partition(fds.begin(), fds.end(),
                        [](const NamespaceFd& n) { return n.type == CLONE_NEWUSER; });
  return fds;
}

void join_namespaces(const std::vector<NamespaceFd>& fds) {
  for (const auto& ns : fds)
    if (::setns(ns.fd.get(), ns.type) != 0)
      throw_errno(std::string("join ") + namespace_proc_name(ns.type) + " namespace");
}

const char* namespace_proc_name(int type) {
  switch (type) {
    case CLONE_NEWPID: return "pid";
    case CLONE_NEWNET: return "net";
    case CLONE_NEWNS: return "mnt";
    case CLONE_NEWIPC: return "ipc";
    case CLONE_NEWUTS: return "uts";
    case CLONE_NEWUSER: return "user";
    case CLONE_NEWCGROUP: return "cgroup";
    case 0x00000080: return "time";
    default: return "unknown";
  }
}

std::string namespace_path(pid_t pid, int type) {
  return "/proc/" + std::to_string(pid) + "/ns/" + namespace_proc_name(type);
}

std::string format_id_mappings(const std::vector<oci::IdMapping>& mappings) {
  std::string out;
  for (const auto& m : mappings)
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
           std::to_string(m.size) + "\n";
  return out;
}

void write_id_mappings(pid_t pid, const std::vector<oci::IdMapping>& uid_mappings,
                       const std::vector<oci::IdMapping>& gid_mappings) {
  std::string base = "/proc/" + std::to_string(pid);
  write_file(base + "/uid_map", format_id_mappings(uid_mappings));
  write_file(base + "/gid_map", format_id_mappings(gid_mappings));
}

}  // namespace engine::sys
