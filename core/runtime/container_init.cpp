#include "runtime/container_init.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <linux/keyctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.hpp"
#include "common/file.hpp"
#include "linux/process.hpp"
#include "runtime/hooks.hpp"
#include "runtime/process_setup.hpp"
#include "runtime/terminal_session.hpp"

namespace engine::runtime {
namespace {

void become_namespace_root(const oci::Spec& spec) {
  if (!spec.linux_spec.has_namespace(CLONE_NEWUSER)) return;
  // Maps are written by the parent before `go`; root of the new namespace from here on.
  if (::setresgid(0, 0, 0) != 0) throw_errno("setgid 0 in the user namespace");
  if (::setresuid(0, 0, 0) != 0) throw_errno("setuid 0 in the user namespace");
}

void enter_cgroup_namespace(const oci::Spec& spec) {
  const oci::Namespace* ns = spec.linux_spec.find_namespace(CLONE_NEWCGROUP);
  if (ns && ns->path.empty()) check(::unshare(CLONE_NEWCGROUP), "unshare cgroup namespace");
}

// The container must not share the host's session keyring (its keys would be readable).
void join_new_session_keyring(const std::string& id) {
  std::string name = "_ses." + id;
  if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name.c_str()) < 0 && errno != ENOSYS)
    throw_errno("join a new session keyring");
}

void set_names(const oci::Spec& spec) {
  if (!spec.hostname.empty())
    check(::sethostname(spec.hostname.data(), spec.hostname.size()), "sethostname " + spec.hostname);
  if (!spec.domainname.empty())
    check(::setdomainname(spec.domainname.data(), spec.domainname.size()),
          "setdomainname " + spec.domainname);
}

bool dev_is_bind_mount(const oci::Spec& spec) {
  for (const auto& m : spec.mounts)
    if (m.destination == "/dev")
      for (const auto& o : m.options)
        if (o == "bind" || o == "rbind") return true;
  return false;
}

void prepare_rootfs(const InitPlan& plan) {
  const oci::Spec& spec = *plan.spec;
  const auto& lin = spec.linux_spec;
  sys::CgroupView cgroups = plan.cgroups;
  const oci::Namespace* cgroup_ns = lin.find_namespace(CLONE_NEWCGROUP);
  cgroups.mount_fresh = cgroup_ns && cgroup_ns->path.empty() && !lin.has_namespace(CLONE_NEWUSER);
  sys::isolate_mount_propagation(lin.rootfs_propagation);
  UniqueFd root = sys::bind_rootfs(plan.rootfs);
  for (const auto& m : spec.mounts) sys::mount_entry(root.get(), m, cgroups);
  // With the host's /dev bound in, its nodes and ptmx are the host's: leave them alone.
  if (!dev_is_bind_mount(spec)) {
    sys::create_devices(root.get(), lin.devices, lin.has_namespace(CLONE_NEWUSER));
    sys::create_dev_symlinks(root.get());
  }
  sys::open_in_root(root.get(), spec.process->cwd, true, true);
  if (plan.terminal) plan.terminal->setup_mounts(plan.rootfs);
}

void finish_rootfs(const oci::Spec& spec) {
  const auto& lin = spec.linux_spec;
  sys::apply_sysctls(lin.sysctl);
  sys::readonly_paths(lin.readonly_paths);
  sys::mask_paths(lin.masked_paths);
  if (spec.root.readonly) sys::remount_root_readonly();
}

void set_oom_score(const oci::Process& p) {
  if (p.oom_score_adj) write_file("/proc/self/oom_score_adj", std::to_string(*p.oom_score_adj));
}

// Blocks until `engine start` writes the exec fifo (or `run` sends start).
void wait_for_start(const InitPlan& plan) {
  if (plan.exec_fifo < 0) {
    plan.channel->expect(SyncType::start);
    return;
  }
  // The fifo was opened non-blocking with no writer: poll waits for the first writer's byte.
  struct pollfd p{plan.exec_fifo, POLLIN, 0};
  while (::poll(&p, 1, -1) < 0)
    if (errno != EINTR) ::_exit(1);
  char byte;
  if (::read(plan.exec_fifo, &byte, 1) != 1) ::_exit(1);
}

// Mounts are done, pivot_root is next: the engine runs prestart and createRuntime (host
// namespaces), then the init runs createContainer (the container's).
void run_creation_hooks(const InitPlan& plan, const std::string& state) {
  const oci::Hooks& hooks = plan.spec->hooks;
  if (!hooks.prestart.empty() || !hooks.create_runtime.empty()) {
    plan.channel->send(SyncType::hooks);
    plan.channel->expect(SyncType::hooks_done);
  }
  run_hooks(hooks.create_container, "createContainer", state);
}

// After `start`, nobody reads the sync channel any more: a failing startContainer hook says
// so on the container's stderr, and the container exits 1 without running its program.
void run_start_hooks(const oci::Spec& spec, const std::string& state) {
  try {
    run_hooks(spec.hooks.start_container, "startContainer", state);
  } catch (const std::exception& e) {
    std::string line = std::string("engine: ") + e.what() + "\n";
    (void)!::write(2, line.data(), line.size());
    ::_exit(1);
  }
}

void run_init(const InitPlan& plan) {
  const oci::Spec& spec = *plan.spec;
  const oci::Process& proc = *spec.process;
  reset_signals();
  for (int fd = 0; fd < 3; ++fd)
    if (plan.stdio[fd] >= 0 && ::dup2(plan.stdio[fd], fd) < 0) throw_errno("dup2 stdio");
  ::umask(0);
  const std::string hook_state = plan.channel->expect(SyncType::go).text;
  sys::join_namespaces(*plan.join);
  become_namespace_root(spec);
  enter_cgroup_namespace(spec);
  if (plan.new_keyring) join_new_session_keyring(plan.id);
  set_names(spec);
  set_oom_score(proc);
  prepare_rootfs(plan);
  run_creation_hooks(plan, hook_state);
  sys::enter_rootfs(plan.rootfs, plan.no_pivot);
  finish_rootfs(spec);
  int master = plan.terminal ? plan.terminal->setup_init() : -1;
  check(::chdir(proc.cwd.c_str()), "chdir " + proc.cwd);
  drop_privileges(proc, spec.linux_spec.seccomp);
  // Resolved now, as the user, so a missing program fails create rather than start.
  std::string program = sys::resolve_executable(proc.args[0], proc.env);
  keep_only_stdio_and(plan.preserve_fds);
  plan.channel->send(SyncType::ready, {}, master);
  if (master >= 0) ::close(master);
  wait_for_start(plan);
  run_start_hooks(spec, hook_state);
  exec_program(proc, program, spec.linux_spec.seccomp);
}

}  // namespace

void container_init(const InitPlan& plan) noexcept {
  run_child_reporting(*plan.channel, [&] { run_init(plan); }, 1);
}

}  // namespace engine::runtime
