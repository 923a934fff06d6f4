// pty-devpts: the isolated strategy. The pty comes from the container's own devpts instance,
// allocated inside the container after pivot_root; only the master crosses to the host.
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>


#include "engine/sdk/pty.hpp"
#include "engine/sdk/terminal.hpp"

ENGINE_DECLARE_PLUGIN("terminal", "pty-devpts", "1.0.0",
                      "isolated: a new devpts instance in the container, slave on /dev/console");

namespace {

using namespace engine::sdk;

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

bool is_devpts(const std::string& path) {
  struct statfs fs;
  return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == DEVPTS_SUPER_MAGIC;
}

// A devpts mount that the spec did not provide: newinstance, so the host's ptys stay hidden.
void mount_devpts(const std::string& dir) {
  ::mkdir(dir.c_str(), 0755);
  if (::mount("devpts", dir.c_str(), "devpts", MS_NOSUID | MS_NOEXEC,
              "newinstance,ptmxmode=0666,mode=0620,gid=5") == 0)
    return;
  // gid 5 may not be mapped in a user namespace (runc#225).
  if (errno != EINVAL || ::mount("devpts", dir.c_str(), "devpts", MS_NOSUID | MS_NOEXEC,
                                 "newinstance,ptmxmode=0666,mode=0620") != 0)
    pty::fail("mount devpts on /dev/pts");
}

class DevptsSession : public TerminalSession {
 public:
  explicit DevptsSession(TerminalRequest req) : req_(std::move(req)) {}

  void setup_mounts(const std::string& rootfs) override {
    std::string pts = rootfs + "/dev/pts";
    if (!is_devpts(pts)) mount_devpts(pts);
    // /dev/ptmx must reach this instance's ptmx: a symlink (made by the engine) or a bind.
    std::string ptmx = rootfs + "/dev/ptmx";
    struct stat st;
    if (::lstat(ptmx.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) return;
    int source = open_ptmx_path(pts + "/ptmx");
    try {
      pty::bind_fd_onto(source, ptmx);
    } catch (...) {
      ::close(source);
      throw;
    }
    ::close(source);
  }

  int setup_init() override { return allocate(req_.bind_console); }
  int setup_exec() override { return allocate(false); }

 private:
  static int open_ptmx_path(const std::string& path) {
    int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) pty::fail("open " + path);
    return fd;
  }

  // Opens the container's ptmx and checks it is a real devpts ptmx: the rootfs is untrusted.
  static int open_master() {
    int master = ::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) pty::fail("open /dev/pts/ptmx");
    struct statfs fs;
    struct stat st;
    if (::fstatfs(master, &fs) != 0 || fs.f_type != DEVPTS_SUPER_MAGIC || ::fstat(master, &st) != 0 ||
        st.st_rdev != makedev(5, 2)) {
      ::close(master);
      throw PluginError("/dev/pts/ptmx is not a devpts ptmx");
    }
    return master;
  }

  int allocate(bool console) {
    int master = open_master();
    int unlock = 0;
    if (::ioctl(master, TIOCSPTLCK, &unlock) != 0) pty::fail("unlock pty");
    // The peer by fd, not by path: a path could be swapped under us (CVE-2025-52565).
    int slave = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) pty::fail("open pty slave");
    pty::apply_size(master, req_.size);
    if (console) pty::bind_fd_onto(slave, "/dev/console");
    pty::become_session_leader_on(slave);
    // Owned by the process's user so it can reopen its tty; EPERM/EROFS are harmless.
    if (::fchown(slave, req_.uid, static_cast<gid_t>(-1)) != 0 && errno != EPERM && errno != EROFS)
      pty::fail("chown pty slave");
    if (slave > 2) ::close(slave);
    return master;
  }

  TerminalRequest req_;
};

class DevptsProvider : public TerminalProvider {
 public:
  Properties properties() const override {
    return {{"isolated", true},      {"ttyname", true},        {"console", true},
            {"job_control", true},   {"resize", true},         {"host_ptys_visible", false},
            {"tiocsti_into_caller", false}};
  }
  std::unique_ptr<TerminalSession> open_session(const TerminalRequest& req) override {
    return std::make_unique<DevptsSession>(req);
  }
};

}  // namespace

ENGINE_DECLARE_TERMINAL_PROVIDER(DevptsProvider);
