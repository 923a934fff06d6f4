#include "linux/rootfs.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>

#include "common/error.hpp"
#include "common/file.hpp"
#include "linux/mount_options.hpp"

namespace engine::sys {
namespace {

UniqueFd openat2_in_root(int root_fd, const std::string& rel, int flags) {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_PATH | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, root_fd, rel.empty() ? "." : rel.c_str(), &how, sizeof how);
  return UniqueFd(static_cast<int>(fd));
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  for (const auto& part : std::filesystem::path(path).lexically_normal()) {
    std::string s = part.string();
    if (s.empty() || s == "/" || s == ".") continue;
    parts.push_back(s);
  }
  return parts;
}

void do_mount(const std::string& source, const std::string& target, const char* type,
              unsigned long flags, const std::string& data, const std::string& what) {
  if (::mount(source.empty() ? nullptr : source.c_str(), target.c_str(), type, flags,
              data.empty() ? nullptr : data.c_str()) != 0)
    throw_errno(what);
}

// Flags the kernel locks on a mount made in a user namespace: a remount must keep them.
unsigned long locked_flags(const std::string& target) {
  struct statvfs sv;
  if (::statvfs(target.c_str(), &sv) != 0) return 0;
  unsigned long flags = 0;
  if (sv.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (sv.f_flag & ST_RDONLY) flags |= MS_RDONLY;
  return flags;
}

// Flags that belong to one mount rather than to its filesystem.
constexpr unsigned long kPerMountFlags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
                                         MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;

// Bind mounts ignore all flags but MS_REC; the others need a remount of the new bind mount.
void remount_bind(const std::string& target, unsigned long flags, unsigned long clear,
                  const std::string& what) {
  unsigned long wanted = (locked_flags(target) & ~clear) | (flags & kPerMountFlags);
  do_mount("", target, nullptr, MS_BIND | MS_REMOUNT | wanted, "", what);
}

// An fd opened before a mount still points at the covered directory: after mounting, the
// destination must be opened again to act on the new mount.
UniqueFd reopen(int root_fd, const std::string& destination) {
  return open_in_root(root_fd, destination, false, true);
}

void mount_cgroup(int root_fd, const oci::Mount& m, const CgroupView& view) {
  auto opts = parse_mount_options(m.options);
  bool ro = opts.flags & MS_RDONLY;
  constexpr unsigned long kSafe = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  UniqueFd target = open_in_root(root_fd, m.destination, true, true);
  std::string what = "mount cgroup on " + m.destination;
  if (view.unified && view.mount_fresh) {
    do_mount("cgroup2", fd_path(target.get()), "cgroup2", (opts.flags & kPerMountFlags) | kSafe, "", what);
    return;
  }
  if (view.unified) {
    do_mount(view.unified_dir, fd_path(target.get()), nullptr, MS_BIND, "", what);
    remount_bind(fd_path(reopen(root_fd, m.destination).get()),
                 opts.flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, opts.clear_flags, what);
    return;
  }
  // cgroup v1: a tmpfs with each hierarchy's container directory bound in, as runc does.
  do_mount("tmpfs", fd_path(target.get()), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755",
           what);
  // The tmpfs is ours and empty (nothing in the container runs yet): its directories are made
  // and opened through it, with no lookup from the root.
  UniqueFd tmpfs = reopen(root_fd, m.destination);
  for (const auto& h : view.v1) {
    std::string dest = m.destination + "/" + h.name;
    if (::mkdirat(tmpfs.get(), h.name.c_str(), 0755) != 0) throw_errno("mkdir " + dest + " in rootfs");
    UniqueFd sub(::openat(tmpfs.get(), h.name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) throw_errno("open " + dest + " in rootfs");
    if (view.mount_fresh) {
      do_mount("cgroup", fd_path(sub.get()), "cgroup", kSafe | (ro ? MS_RDONLY : 0), h.options,
               "mount cgroup on " + dest);
      continue;
    }
    do_mount(h.host_dir, fd_path(sub.get()), nullptr, MS_BIND, "", "mount cgroup on " + dest);
    remount_bind(fd_path(reopen(root_fd, dest).get()),
                 MS_NOSUID | MS_NODEV | MS_NOEXEC | (ro ? MS_RDONLY : 0), 0, "mount cgroup on " + dest);
  }
  if (ro) remount_bind(fd_path(tmpfs.get()), MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, what);
}

// "a,gid=5,b" without the options starting with prefix.
std::string drop_option(const std::string& data, const std::string& prefix) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    size_t comma = data.find(',', pos);
    std::string opt = data.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (opt.rfind(prefix, 0) != 0) out += (out.empty() ? "" : ",") + opt;
    if (comma == std::string::npos) return out;
    pos = comma + 1;
  }
}

struct DefaultDevice {
  const char* name;
  unsigned major, minor;
};
constexpr DefaultDevice kDefaultDevices[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9},
    {"tty", 5, 0},
};

// dev_fd: /dev in the rootfs, for devices directly in it (-1: look the parent up).
void make_device(int root_fd, int dev_fd, const oci::Device& dev, bool bind_from_host) {
  std::string what = "create device " + dev.path;
  if (bind_from_host) {
    UniqueFd target = open_in_root(root_fd, dev.path, true, false);
    do_mount(dev.path, fd_path(target.get()), nullptr, MS_BIND, "", what);
    return;
  }
  std::filesystem::path p(dev.path);
  UniqueFd looked_up;
  int parent = dev_fd;
  if (parent < 0 || p.parent_path() != "/dev") {
    looked_up = open_in_root(root_fd, p.parent_path().string(), true, true);
    parent = looked_up.get();
  }
  std::string name = p.filename().string();
  mode_t type = dev.type == 'b' ? S_IFBLK : dev.type == 'p' ? S_IFIFO : S_IFCHR;
  mode_t mode = dev.file_mode.value_or(0666) & 07777;
  ::unlinkat(parent, name.c_str(), 0);
  if (::mknodat(parent, name.c_str(), type | mode,
                makedev(static_cast<unsigned>(dev.major), static_cast<unsigned>(dev.minor))) != 0)
    throw_errno(what);
  // mknod applied the umask; the spec's mode is exact.
  if (::fchmodat(parent, name.c_str(), mode, 0) != 0) throw_errno("chmod " + dev.path);
  if (::fchownat(parent, name.c_str(), dev.uid.value_or(0), dev.gid.value_or(0),
                 AT_SYMLINK_NOFOLLOW) != 0)
    throw_errno("chown " + dev.path);
}

}  // namespace

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

UniqueFd open_in_root(int root_fd, const std::string& path, bool create, bool directory) {
  auto parts = split_path(path);
  auto prefix = [&](size_t n) {
    std::string rel;
    for (size_t i = 0; i < n; ++i) rel += (i ? "/" : "") + parts[i];
    return rel;
  };
  std::string whole = prefix(parts.size());
  // Mostly the path is there already: one lookup.
  if (UniqueFd fd = openat2_in_root(root_fd, whole, 0)) return fd;
  if (errno != ENOENT || !create) throw_errno("open " + path + " in rootfs");
  // Otherwise find the deepest ancestor that exists (usually the parent) and make the rest.
  size_t have = parts.size() - 1;
  UniqueFd dir;
  for (;; --have) {
    dir = openat2_in_root(root_fd, prefix(have), O_DIRECTORY);
    if (dir) break;
    if (errno != ENOENT || have == 0) throw_errno("open " + path + " in rootfs");
  }
  for (size_t i = have; i < parts.size(); ++i) {
    bool last = i + 1 == parts.size();
    if (last && !directory) {
      UniqueFd file(::openat(dir.get(), parts[i].c_str(),
                             O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644));
      if (!file && errno != EEXIST) throw_errno("create " + path + " in rootfs");
    } else if (::mkdirat(dir.get(), parts[i].c_str(), 0755) != 0 && errno != EEXIST) {
      throw_errno("mkdir " + path + " in rootfs");
    }
    if (last) break;
    dir = openat2_in_root(root_fd, prefix(i + 1), O_DIRECTORY);
    if (!dir) throw_errno("open " + path + " in rootfs");
  }
  UniqueFd fd = openat2_in_root(root_fd, whole, 0);
  if (!fd) throw_errno("open " + path + " in rootfs");
  return fd;
}

void isolate_mount_propagation(const std::string& rootfs_propagation) {
  unsigned long flags = MS_SLAVE | MS_REC;
  if (!rootfs_propagation.empty()) {
    auto opts = parse_mount_options({rootfs_propagation});
    if (opts.propagation != 0) flags = opts.propagation;
    // Shared would leak our mounts to the host; the final propagation is applied after pivot.
    if (flags & MS_SHARED) flags = MS_SLAVE | MS_REC;
  }
  do_mount("", "/", nullptr, flags, "", "make / " + std::string(flags & MS_PRIVATE ? "private" : "slave"));
}

UniqueFd bind_rootfs(const std::string& rootfs) {
  do_mount(rootfs, rootfs, nullptr, MS_BIND | MS_REC, "", "bind rootfs " + rootfs);
  return open_fd(rootfs, O_PATH | O_DIRECTORY);
}

void mount_entry(int root_fd, const oci::Mount& m, const CgroupView& cgroups) {
  if (m.type == "cgroup" || m.type == "cgroup2") return mount_cgroup(root_fd, m, cgroups);
  auto opts = parse_mount_options(m.options);
  std::string what = "mount " + (m.type.empty() ? std::string("bind") : m.type) + " on " + m.destination;
  if (opts.bind()) {
    struct stat st;
    if (::stat(m.source.c_str(), &st) != 0) throw_errno("mount " + m.source + " on " + m.destination);
    UniqueFd target = open_in_root(root_fd, m.destination, true, S_ISDIR(st.st_mode));
    do_mount(m.source, fd_path(target.get()), nullptr, opts.flags & (MS_BIND | MS_REC), "", what);
    if ((opts.flags & ~(MS_BIND | MS_REC)) == 0 && !opts.propagation) return;
    UniqueFd mounted = reopen(root_fd, m.destination);
    if ((opts.flags & ~(MS_BIND | MS_REC)) != 0)
      remount_bind(fd_path(mounted.get()), opts.flags, opts.clear_flags, what);
    if (opts.propagation) do_mount("", fd_path(mounted.get()), nullptr, opts.propagation, "", what);
    return;
  }
  UniqueFd target = open_in_root(root_fd, m.destination, true, true);
  std::string tpath = fd_path(target.get());
  std::string data = opts.data;
  try {
    do_mount(m.source.empty() ? m.type : m.source, tpath, m.type.c_str(), opts.flags, data, what);
  } catch (const SystemError& e) {
    // devpts refuses gid= when gid 5 is not mapped in a user namespace (runc#225, crun#166).
    if (m.type != "devpts" || e.code() != EINVAL || data.find("gid=") == std::string::npos) throw;
    std::string without = drop_option(data, "gid=");
    do_mount(m.source.empty() ? m.type : m.source, tpath, m.type.c_str(), opts.flags, without, what);
  }
  if (opts.propagation)
    do_mount("", fd_path(reopen(root_fd, m.destination).get()), nullptr, opts.propagation, "", what);
}

void create_devices(int root_fd, const std::vector<oci::Device>& extra, bool in_user_namespace) {
  UniqueFd dev_fd = open_in_root(root_fd, "/dev", true, true);
  for (const auto& d : kDefaultDevices) {
    oci::Device dev;
    dev.path = std::string("/dev/") + d.name;
    dev.major = d.major;
    dev.minor = d.minor;
    dev.file_mode = 0666;
    make_device(root_fd, dev_fd.get(), dev, in_user_namespace);
  }
  for (const auto& dev : extra) make_device(root_fd, dev_fd.get(), dev, in_user_namespace);
}

void create_dev_symlinks(int root_fd) {
  static constexpr std::pair<const char*, const char*> kLinks[] = {
      {"/proc/self/fd", "fd"},         {"/proc/self/fd/0", "stdin"},
      {"/proc/self/fd/1", "stdout"},   {"/proc/self/fd/2", "stderr"},
      {"/proc/kcore", "core"},         {"pts/ptmx", "ptmx"},
  };
  UniqueFd dev = open_in_root(root_fd, "/dev", true, true);
  for (const auto& [target, name] : kLinks) {
    if (std::string(name) == "ptmx") ::unlinkat(dev.get(), name, 0);
    if (::symlinkat(target, dev.get(), name) != 0 && errno != EEXIST)
      throw_errno(std::string("symlink /dev/") + name);
  }
}

void enter_rootfs(const std::string& rootfs, bool no_pivot) {
  if (no_pivot) {
    check(::chdir(rootfs.c_str()), "chdir " + rootfs);
    do_mount(rootfs, "/", nullptr, MS_MOVE, "", "move rootfs to /");
    check(::chroot("."), "chroot " + rootfs);
    check(::chdir("/"), "chdir /");
    return;
  }
  // pivot_root(".", ".") stacks the old root under the new one; detaching "." then drops it
  // without needing a directory for it inside the rootfs.
  UniqueFd old_root = open_fd("/", O_DIRECTORY | O_RDONLY);
  UniqueFd new_root = open_fd(rootfs, O_DIRECTORY | O_RDONLY);
  check(::fchdir(new_root.get()), "chdir " + rootfs);
  if (::syscall(SYS_pivot_root, ".", ".") != 0) throw_errno("pivot_root " + rootfs);
  check(::fchdir(old_root.get()), "chdir old root");
  do_mount("", ".", nullptr, MS_SLAVE | MS_REC, "", "make old root slave");
  check(::umount2(".", MNT_DETACH), "unmount old root");
  check(::chdir("/"), "chdir /");
}

void mask_paths(const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;
      throw_errno("mask " + path);
    }
    if (S_ISDIR(st.st_mode))
      do_mount("tmpfs", path, "tmpfs", MS_RDONLY, "", "mask " + path);
    else
      do_mount("/dev/null", path, nullptr, MS_BIND, "", "mask " + path);
  }
}

void readonly_paths(const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    if (::mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      if (errno == ENOENT) continue;
      throw_errno("make " + path + " read-only");
    }
    remount_bind(path, MS_RDONLY, 0, "make " + path + " read-only");
  }
}

void remount_root_readonly() { remount_bind("/", MS_RDONLY, 0, "remount / read-only"); }

void apply_sysctls(const std::map<std::string, std::string>& sysctl) {
  for (const auto& [key, value] : sysctl) {
    std::string path = "/proc/sys/" + key;
    for (size_t i = 10; i < path.size(); ++i)
      if (path[i] == '.') path[i] = '/';
    write_file(path, value);
  }
}

}  // namespace engine::sys
