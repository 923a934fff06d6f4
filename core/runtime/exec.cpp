#include "runtime/exec.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/file.hpp"
#include "common/time.hpp"
#include "linux/cgroups.hpp"
#include "linux/namespaces.hpp"
#include "linux/proc.hpp"
#include "linux/process.hpp"
#include "oci/spec.hpp"
#include "runtime/process_setup.hpp"
#include "runtime/sync_channel.hpp"
#include "runtime/terminal_session.hpp"
#include "terminal/linemode.hpp"
#include "terminal/relay.hpp"
#include "terminal/tty.hpp"

namespace engine::runtime {
namespace {

using state::Status;

// The process to run: --process FILE as given, or the container's own process with the
// command line's args and overrides (what runc does).
oci::Process build_process(const ExecOptions& opts, const oci::Spec& spec) {
  oci::Process proc;
  if (!opts.process_file.empty()) {
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(read_file(opts.process_file));
    } catch (const nlohmann::json::exception& e) {
      throw oci::ConfigError(opts.process_file + ": malformed JSON: " + e.what());
    }
    proc = oci::parse_process(doc, opts.process_file);
  } else {
    if (opts.args.empty()) throw Error("exec: a command to run is required");
    proc = *spec.process;
    proc.args = opts.args;
    proc.console_size.reset();
  }
  if (opts.tty) proc.terminal = true;
  if (!opts.cwd.empty()) proc.cwd = opts.cwd;
  for (const auto& kv : opts.env) {
    if (kv.find('=') == std::string::npos) throw Error("exec: -e " + kv + ": must be KEY=VALUE");
    std::string key = kv.substr(0, kv.find('=') + 1);
    std::erase_if(proc.env, [&](const std::string& e) { return e.rfind(key, 0) == 0; });
    proc.env.push_back(kv);
  }
  if (!opts.user.empty()) {
    unsigned uid = 0, gid = 0;
    int n = 0;
    char extra;
    int fields = std::sscanf(opts.user.c_str(), "%u%n:%u%c", &uid, &n, &gid, &extra);
    bool uid_only = fields == 1 && static_cast<size_t>(n) == opts.user.size();
    if (!(uid_only || fields == 2)) throw Error("exec: -u " + opts.user + ": must be UID[:GID]");
    proc.user.uid = uid;
    proc.user.gid = fields == 2 ? gid : proc.user.gid;
    proc.user.additional_gids.clear();
  }
  return proc;
}

std::string new_exec_id() {
  unsigned char bytes[8];
  if (::getrandom(bytes, sizeof bytes, 0) != sizeof bytes) throw_errno("getrandom");
  char hex[17];
  for (int i = 0; i < 8; ++i) std::snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
  return hex;
}

// The container's namespaces, opened through its init: user first, pid apart (the engine
// enters it itself so that its child is born inside).
struct Joins {
  std::vector<sys::NamespaceFd> in_child;
  UniqueFd pid_ns;
  bool user = false;
};

Joins open_joins(const oci::Spec& spec, pid_t init) {
  Joins j;
  for (const auto& ns : spec.linux_spec.namespaces) {
    UniqueFd fd = open_fd(sys::namespace_path(init, ns.type), O_RDONLY);
    if (ns.type == CLONE_NEWPID) j.pid_ns = std::move(fd);
    else j.in_child.push_back({ns.type, std::move(fd)});
    j.user = j.user || ns.type == CLONE_NEWUSER;
  }
  std::stable_partition(j.in_child.begin(), j.in_child.end(),
                        [](const sys::NamespaceFd& n) { return n.type == CLONE_NEWUSER; });
  // The mount namespace last: joining it moves the root into the container.
  std::stable_partition(j.in_child.begin(), j.in_child.end(),
                        [](const sys::NamespaceFd& n) { return n.type != CLONE_NEWNS; });
  return j;
}

struct ExecPlan {
  const oci::Process* proc;
  const std::optional<oci::Seccomp>* seccomp;
  const Joins* joins;
  std::vector<std::string> cgroup_dirs;
  const SyncChannel* channel;
  plugins::TerminalSessionHandle* terminal = nullptr;
  int preserve_fds = 0;
};

void run_exec_child(const ExecPlan& plan) {
  reset_signals();
  // Still in the host's mount namespace: the cgroup paths are the host's. "0" is ourselves.
  for (const auto& dir : plan.cgroup_dirs) write_file(dir + "/cgroup.procs", "0");
  sys::join_namespaces(plan.joins->in_child);
  if (plan.joins->user) {
    if (::setresgid(0, 0, 0) != 0) throw_errno("setgid 0 in the user namespace");
    if (::setresuid(0, 0, 0) != 0) throw_errno("setuid 0 in the user namespace");
  }
  const oci::Process& proc = *plan.proc;
  check(::chdir(proc.cwd.c_str()), "chdir " + proc.cwd);
  // After joining the mount namespace, so the pty comes from the container's devpts.
  int master = plan.terminal ? plan.terminal->setup_exec() : -1;
  drop_privileges(proc, *plan.seccomp);
  keep_only_stdio_and(plan.preserve_fds);
  plan.channel->send(SyncType::ready, {}, master);
  if (master >= 0) ::close(master);
  std::string program;
  try {
    program = sys::resolve_executable(proc.args[0], proc.env);
  } catch (const std::exception& e) {
    // Like a shell: the cause on stderr, 127 for a program that is not there.
    std::fprintf(stderr, "engine exec: %s\n", e.what());
    ::_exit(127);
  }
  exec_program(proc, program, *plan.seccomp);
}

[[noreturn]] void exec_child(const ExecPlan& plan) noexcept {
  run_child_reporting(*plan.channel, [&] { run_exec_child(plan); }, 126);
}

}  // namespace

int exec(Context& ctx, const ExecOptions& opts) {
  state::ContainerRecord rec = lookup(ctx, opts.id);
  if (rec.status != Status::running && rec.status != Status::created)
    throw Error("cannot exec in container " + opts.id + ": it is " + state::to_string(rec.status));
  oci::Spec spec = oci::load_bundle(rec.bundle);
  oci::Process proc = build_process(opts, spec);

  std::unique_ptr<ContainerTerminal> term;
  int caller_tty = opts.detach ? -1 : terminal::caller_terminal();
  if (proc.terminal) {
    if (opts.detach && opts.console_socket.empty())
      throw Error("exec -t -d needs --console-socket to receive the terminal master");
    TerminalChoice choice;
    choice.provider = !opts.tty_provider.empty() ? opts.tty_provider
                      : !rec.terminal_provider.empty() ? rec.terminal_provider
                                                        : choice.provider;
    choice.caller_terminal = caller_tty;
    term = open_terminal(ctx.plugin_dirs, choice, proc, opts.id, /*exec=*/true);
    term->prepare_host();
  } else if (!opts.console_socket.empty()) {
    throw Error("--console-socket given but the process has no terminal (use -t)");
  }

  Joins joins = open_joins(spec, rec.pid);
  auto info = nlohmann::json::parse(rec.runtime_json, nullptr, false);
  std::string cgroup = info.is_object() ? info.value("cgroup", std::string()) : std::string();

  std::optional<terminal::ForwardedSignals> signals;
  if (!opts.detach) signals.emplace();

  // Children born from here on are in the container's pid namespace; the engine is not.
  if (joins.pid_ns && ::setns(joins.pid_ns.get(), CLONE_NEWPID) != 0) throw_errno("join pid namespace");
  auto [parent_end, child_end] = SyncChannel::make_pair();
  ExecPlan plan;
  plan.proc = &proc;
  plan.seccomp = &spec.linux_spec.seccomp;
  plan.joins = &joins;
  if (!cgroup.empty()) plan.cgroup_dirs = sys::Cgroup::attach(cgroup).directories();
  plan.channel = &child_end;
  plan.preserve_fds = opts.preserve_fds;
  plan.terminal = term.get();
  sys::ChildGuard child(sys::clone_process(0, [&plan] { exec_child(plan); }));
  child_end.close();

  state::ExecRecord exec_rec;
  exec_rec.container_id = opts.id;
  exec_rec.exec_id = new_exec_id();
  exec_rec.pid = child.get();
  exec_rec.pid_start_time = sys::process_start_time(child.get()).value_or(0);
  exec_rec.started_at = now_ns();
  exec_rec.status = Status::running;
  ctx.store.insert_exec(exec_rec);

  SyncMessage ready = parent_end.expect(SyncType::ready);
  UniqueFd master;
  if (term) master.reset(term->host_ready(ready.fd.release()));
  if (!opts.console_socket.empty() && master) {
    terminal::send_to_console_socket(opts.console_socket, master.get());
    master.reset();
  }
  if (!opts.pid_file.empty()) write_file_atomic(opts.pid_file, std::to_string(child.get()));
  if (opts.detach) {
    child.release();
    return 0;
  }

  terminal::SessionModes modes(caller_tty, master.get(), !opts.tty_raw, &*signals);
  int status = terminal::wait_in_foreground(child.get(), master.get(), caller_tty, *signals, modes.linemode());
  child.release();
  modes.restore();
  int code = sys::exit_code_from_status(status);
  ctx.store.finish_exec(opts.id, exec_rec.exec_id, code, now_ns());
  return code;
}

}  // namespace engine::runtime
