// pty-host: the passthrough strategy. The pty comes from the host's devpts instance, opened by
// the engine on the host before the container exists; or, with passthrough, the caller's own
// terminal is handed to the container and no relay runs at all.
//
// Trade-offs (docs/terminal-strategies.md): the slave is a host pty, so the container holds a
// file of the host's devpts (its /dev/pts still lists only its own instance); ttyname works
// through a bind of the slave on /dev/console; in passthrough the caller's terminal is not
// the container's controlling tty (TIOCSCTTY is refused across sessions), so job control is
// lost, and TIOCSTI (pushing keystrokes into the caller's shell) is blocked by a seccomp
// filter this plugin installs.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/sdk/pty.hpp"
#include "engine/sdk/terminal.hpp"

ENGINE_DECLARE_PLUGIN("terminal", "pty-host", "1.0.0",
                      "passthrough: a pty from the host's devpts, or the caller's own terminal");

namespace {

using namespace engine::sdk;

// ioctl(fd, TIOCSTI, ...) fails with EPERM; every other syscall is untouched.
void block_tiocsti() {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) pty::fail("seccomp: block TIOCSTI");
}

// mount(2) refuses a bind source from another mount namespace (EINVAL), and the slave was
// opened in the host's. Open it again by its path in this (copied) namespace and check it is
// the same device, so a swapped path cannot slip in.
int reopen_in_this_namespace(int slave) {
  char path[256];
  if (::ttyname_r(slave, path, sizeof path) != 0) pty::fail("find the name of the host terminal");
  int fd = ::open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) pty::fail(std::string("reopen ") + path);
  struct stat want, got;
  if (::fstat(slave, &want) != 0 || ::fstat(fd, &got) != 0 || want.st_rdev != got.st_rdev) {
    ::close(fd);
    throw PluginError(std::string(path) + " is not the terminal the engine opened");
  }
  return fd;
}

class HostSession : public TerminalSession {
 public:
  explicit HostSession(TerminalRequest req) : req_(std::move(req)) {}
  ~HostSession() override {
    if (master_ >= 0) ::close(master_);
    if (slave_ >= 0) ::close(slave_);
  }

  void prepare_host() override {
    if (req_.passthrough) {
      if (req_.caller_terminal < 0) throw PluginError("passthrough needs a terminal on the caller's side");
      slave_ = ::fcntl(req_.caller_terminal, F_DUPFD_CLOEXEC, 3);
      if (slave_ < 0) pty::fail("dup caller terminal");
      return;
    }
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master_ < 0) pty::fail("open host /dev/ptmx");
    if (::grantpt(master_) != 0 || ::unlockpt(master_) != 0) pty::fail("unlock host pty");
    slave_ = ::ioctl(master_, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave_ < 0) pty::fail("open host pty slave");
    pty::apply_size(master_, req_.size);
  }

  // The container's /dev/pts is its own instance: the slave becomes visible as /dev/console,
  // which is also where ttyname() finds it.
  void setup_mounts(const std::string& rootfs) override {
    if (!req_.bind_console) return;
    int local = reopen_in_this_namespace(slave_);
    try {
      pty::bind_fd_onto(local, rootfs + "/dev/console");
    } catch (...) {
      ::close(local);
      throw;
    }
    ::close(local);
  }

  int setup_init() override { return attach(); }
  int setup_exec() override { return attach(); }

  int host_ready(int master_from_container) override {
    if (master_from_container >= 0) ::close(master_from_container);
    // The host must not keep a slave open, or the master never sees the container hang up.
    if (slave_ >= 0) ::close(slave_);
    slave_ = -1;
    int master = master_;
    master_ = -1;
    return master;  // -1 in passthrough: nothing to relay
  }

 private:
  int attach() {
    if (master_ >= 0) ::close(master_);  // the container never needs the master
    master_ = -1;
    pty::become_session_leader_on(slave_, /*may_fail_ctty=*/req_.passthrough);
    if (req_.passthrough) block_tiocsti();
    if (slave_ > 2) ::close(slave_);
    slave_ = -1;
    return -1;
  }

  TerminalRequest req_;
  int master_ = -1;
  int slave_ = -1;
};

class HostProvider : public TerminalProvider {
 public:
  Properties properties() const override {
    return {{"isolated", false},     {"ttyname", true},        {"console", true},
            {"job_control", true},   {"resize", true},         {"host_ptys_visible", false},
            {"tiocsti_into_caller", false}};
  }
  bool supports_passthrough() const override { return true; }
  // The caller's terminal is already the controlling tty of the caller's session, so the
  // container cannot have it as its own: no job control. Resizes reach it by the engine
  // forwarding SIGWINCH; TIOCSTI is blocked by this plugin's seccomp filter.
  Properties passthrough_properties() const override {
    Properties p = properties();
    p["job_control"] = false;
    return p;
  }
  std::unique_ptr<TerminalSession> open_session(const TerminalRequest& req) override {
    return std::make_unique<HostSession>(req);
  }
};

}  // namespace

ENGINE_DECLARE_TERMINAL_PROVIDER(HostProvider);
