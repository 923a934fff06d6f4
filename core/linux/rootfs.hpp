#pragma once
// Building the container's root filesystem inside its new mount namespace:
// every step runs in the container init, between clone and pivot_root (or right after it).
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "oci/spec.hpp"

namespace engine::sys {

// Where the container's own cgroup lives on the host, for "cgroup" mounts.
struct CgroupView {
  bool unified = false;     // pure cgroup v2 host
  std::string unified_dir;  // v2: host dir of the container
  struct Hierarchy {
    std::string name;      // directory under the mount ("memory")
    std::string host_dir;  // the container's directory on the host
    std::string options;   // what mounts the hierarchy ("memory", "name=systemd")
  };
  std::vector<Hierarchy> v1;
  // The init has a cgroup namespace of its own and no user namespace: each hierarchy is
  // mounted afresh (rooted at the container's cgroup, read-only in the same call) instead of
  // a bind of the host directory and a remount.
  bool mount_fresh = false;
};

// Opens `path` (absolute, as seen in the container) below root_fd with symlinks resolved as if
// root_fd were "/", so a hostile rootfs cannot point a mount outside itself. With `create`,
// missing directories are made and the last component becomes a directory or an empty file.
// Returns an O_PATH fd.
UniqueFd open_in_root(int root_fd, const std::string& path, bool create, bool directory);
// "/proc/self/fd/N": the path mount(2) needs to act on an fd.
std::string fd_path(int fd);

// Stops our mounts from propagating to the host (MS_SLAVE|MS_REC unless propagation says else).
void isolate_mount_propagation(const std::string& rootfs_propagation);
// Makes the rootfs a mount point of its own (pivot_root needs one) and returns an fd to it.
UniqueFd bind_rootfs(const std::string& rootfs);
// Mounts one config.json mount inside the rootfs.
void mount_entry(int root_fd, const oci::Mount& m, const CgroupView& cgroups);
// /dev/null, zero, full, random, urandom, tty plus config devices; bind-mounted from the host
// inside a user namespace (mknod is not allowed there), made with mknod otherwise.
void create_devices(int root_fd, const std::vector<oci::Device>& extra, bool in_user_namespace);
// /dev/fd, /dev/std{in,out,err}, /dev/core and /dev/ptmx -> pts/ptmx.
void create_dev_symlinks(int root_fd);
// Swaps the root to `rootfs` and detaches the old one (or MS_MOVE + chroot with no_pivot).
void enter_rootfs(const std::string& rootfs, bool no_pivot);
// After pivot: hides paths (tmpfs on directories, /dev/null on files).
void mask_paths(const std::vector<std::string>& paths);
// After pivot: makes paths read-only bind mounts of themselves.
void readonly_paths(const std::vector<std::string>& paths);
void remount_root_readonly();
// Writes /proc/sys/... for each key (dots become slashes).
void apply_sysctls(const std::map<std::string, std::string>& sysctl);

}  // namespace engine::sys
