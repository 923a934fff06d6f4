#pragma once
// The container's cgroup on cgroup v1 (one directory per hierarchy, as on this hybrid host) or
// v2 (one directory in the unified tree). Created by `create`, reopened by kill/exec/delete.
#include <sys/types.h>

#include <string>
#include <vector>

#include "linux/rootfs.hpp"
#include "oci/spec.hpp"

namespace engine::sys {

// The host's cgroup mounts, read once from /proc/self/mountinfo.
struct CgroupLayout {
  bool unified = false;          // pure v2: no v1 hierarchy is mounted
  std::string unified_root;      // v2 mount point ("/sys/fs/cgroup")
  struct Hierarchy {
    std::string mount_point;     // "/sys/fs/cgroup/memory"
    std::vector<std::string> controllers;  // "memory", or "name=systemd"
  };
  std::vector<Hierarchy> v1;
};
CgroupLayout parse_cgroup_layout(const std::string& mountinfo);
const CgroupLayout& host_cgroup_layout();

// linux.cgroupsPath, or "/engine/ID" when empty; "slice:prefix:name" maps to a cgroupfs path.
std::string cgroup_relative_path(const std::string& cgroups_path, const std::string& id);
// cpu.shares (v1, 2..262144) to cpu.weight (v2, 1..10000), the conversion runc and crun use.
uint64_t cpu_shares_to_weight(uint64_t shares);

class Cgroup {
 public:
  // Makes the directories and applies resources; removed again by the destructor unless
  // keep() is called (a failed create leaves no cgroup behind).
  static Cgroup create(const std::string& relative_path, const oci::Resources* resources);
  // An existing container's cgroup; the destructor leaves it alone.
  static Cgroup attach(const std::string& relative_path);

  Cgroup(Cgroup&& other) noexcept;
  Cgroup& operator=(Cgroup&&) = delete;
  ~Cgroup();

  // Applies the limits that are set in resources to the existing cgroup (device rules are
  // fixed at create, as with runc update).
  void update(const oci::Resources& resources) const;
  void add_process(pid_t pid) const;
  std::vector<pid_t> processes() const;
  void freeze() const;
  void thaw() const;
  bool frozen() const;
  // Kills what is left inside (SIGKILL), waits for it to go, removes the directories.
  void destroy();
  void keep() { owned_ = false; }

  const std::string& relative_path() const { return relative_path_; }
  std::vector<std::string> directories() const;  // absolute host directories
  CgroupView view() const;

 private:
  Cgroup(std::string relative_path, bool owned);
  std::string relative_path_;
  bool owned_ = false;
};

}  // namespace engine::sys
