#pragma once
// Namespaces: which to create at clone, which to join by path, the user namespace's id maps.
#include <sys/types.h>

#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "oci/spec.hpp"

namespace engine::sys {

// CLONE_NEW* flags for the namespaces the spec creates (no path). The cgroup namespace is left
// out: the init unshares it once it sits in its cgroup, so that cgroup becomes its root.
int clone_flags(const oci::LinuxSpec& spec);

// A namespace to join, opened on the host before clone (paths may be host-only).
struct NamespaceFd {
  int type;
  UniqueFd fd;
};
std::vector<NamespaceFd> open_namespace_paths(const oci::LinuxSpec& spec);
// setns into each; the user namespace first so the others are joined with its privileges.
void join_namespaces(const std::vector<NamespaceFd>& fds);

// "/proc/PID/ns/NAME" for CLONE_NEW* type.
std::string namespace_path(pid_t pid, int type);
const char* namespace_proc_name(int type);  // "pid", "net", "mnt", ...

// Writes /proc/PID/{uid_map,setgroups,gid_map} from the host side.
void write_id_mappings(pid_t pid, const std::vector<oci::IdMapping>& uid_mappings,
                       const std::vector<oci::IdMapping>& gid_mappings);
std::string format_id_mappings(const std::vector<oci::IdMapping>& mappings);

}  // namespace engine::sys
