#include "runtime/lifecycle.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>
#include <sys/socket.h>

#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/file.hpp"
#include "common/time.hpp"
#include "linux/cgroups.hpp"
#include "linux/pidfs.hpp"
#include "linux/proc.hpp"
#include "linux/process.hpp"
#include "oci/spec.hpp"
#include "monitor/monitor.hpp"
#include "plugins/registry.hpp"
#include "linux/unix_socket.hpp"
#include "runtime/container_init.hpp"
#include "runtime/hooks.hpp"
#include "runtime/terminal_session.hpp"
#include "terminal/linemode.hpp"
#include "terminal/relay.hpp"
#include "terminal/tty.hpp"

namespace engine::runtime {
nlohmann::json runtime_info(const state::ContainerRecord& rec) {
  auto info = nlohmann::json::parse(rec.runtime_json, nullptr, false);
  return info.is_object() ? info : nlohmann::json::object();
}

bool MonitorRef::alive() const { return pid > 0 && sys::process_alive(pid, start); }

MonitorRef monitor_of(const state::ContainerRecord& rec) {
  auto mon = runtime_info(rec).value("monitor", nlohmann::json::object());
  return {mon.value("pid", 0), mon.value("start", uint64_t{0})};
}

namespace {

using state::ContainerRecord;
using state::Status;

constexpr const char* kExecFifo = "exec.fifo";
constexpr const char* kAttachSocket = "attach.sock";

// Removes the container's row unless the create it belongs to succeeded.
class RowGuard {
 public:
  RowGuard(state::Store& store, std::string id) : store_(store), id_(std::move(id)) {}
  ~RowGuard() {
    if (armed_) try { store_.remove(id_); } catch (...) {}
  }
  void commit() { armed_ = false; }

 private:
  state::Store& store_;
  std::string id_;
  bool armed_ = true;
};

// Removes a directory tree unless committed.
class DirGuard {
 public:
  explicit DirGuard(std::string path) : path_(std::move(path)) {}
  ~DirGuard() {
    if (armed_) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  void commit() { armed_ = false; }

 private:
  std::string path_;
  bool armed_ = true;
};

std::string cgroup_of(const ContainerRecord& rec) {
  return runtime_info(rec).value("cgroup", std::string());
}

// By the pidfs inode when create recorded one: a pidfd_open and an fstat, where the start time
// costs a /proc/PID/stat the kernel formats in full (~12 µs, most of what ps spends on a
// container). Rows from before schema 2 and kernels before 6.9 have no inode.
bool init_alive(const ContainerRecord& rec) {
  if (rec.pid_inode != 0) return sys::pidfs_alive(rec.pid, rec.pid_inode);
  return sys::process_alive(rec.pid, rec.pid_start_time);
}

// Waits (up to timeout) for a process that is not our child to end.
void wait_gone(pid_t pid, uint64_t start_time) {
  UniqueFd pidfd = sys::open_pidfd(pid);
  if (pidfd && sys::process_alive(pid, start_time)) sys::wait_pidfd(pidfd.get(), 5000);
}

void write_pid_file(const std::string& path, pid_t pid) {
  if (!path.empty()) write_file_atomic(path, std::to_string(pid));
}

// The row leaves `creating` once the init is ready; a row removed meanwhile fails the create.
void record_ready(Context& ctx, const std::string& id, Status to, const state::Update& update) {
  if (!ctx.store.transition(id, {Status::creating}, to, update))
    throw Error("container " + id + " was removed while being created");
}

// The launched, not yet committed container: everything a failed create must undo.
struct Launch {
  oci::Spec spec;
  std::string bundle, rootfs, dir;
  std::optional<RowGuard> row;
  std::optional<DirGuard> dir_guard;
  std::optional<sys::Cgroup> cgroup;
  std::optional<sys::ChildGuard> init;
  std::unique_ptr<ContainerTerminal> terminal;  // process.terminal: true
  std::optional<sys::ChildGuard> monitor;        // detached without --console-socket
  UniqueFd monitor_control;
  SyncChannel channel;  // parent's end
  UniqueFd master;      // terminal master held by the engine (foreground run or monitor)
  state::Update ready;  // pid, start time, runtime facts: what `ready` made known

  void commit() {
    if (monitor) {
      // From here on the monitor owns the container's I/O and its exit.
      uint32_t type = static_cast<uint32_t>(monitor::Control::commit);
      sys::send_with_fd(monitor_control.get(), &type, sizeof type, master.get());
      master.reset();
      monitor->release();
    }
    init->release();
    cgroup->keep();
    if (dir_guard) dir_guard->commit();
    row->commit();
  }
};

std::map<std::string, std::string> parse_log_opts(const std::vector<std::string>& opts) {
  std::map<std::string, std::string> out;
  for (const auto& kv : opts) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw Error("--log-opt " + kv + ": must be KEY=VALUE");
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

// The monitor's share of a launch, prepared before it is forked.
struct MonitorPlan {
  monitor::MonitorSetup setup;
  UniqueFd cli_control;
  UniqueFd init_stdio[3];  // the container's ends of the output pipes
  std::string log_driver;
  nlohmann::json log_opts = nlohmann::json::object();
};

std::unique_ptr<MonitorPlan> plan_monitor(Context& ctx, const CreateOptions& opts,
                                          const oci::Process& proc, const std::string& dir,
                                          bool capture) {
  auto m = std::make_unique<MonitorPlan>();
  m->setup.binary = monitor::monitor_binary();
  m->setup.root = ctx.root;
  m->setup.id = opts.id;
  m->setup.container_dir = dir;
  m->setup.terminal = proc.terminal;
  m->setup.plugin_dirs = ctx.plugin_dirs;
  m->setup.engine_log = ctx.engine_log;
  m->setup.engine_log_format = ctx.engine_log_format;
  auto [cli_end, monitor_end] = sys::socket_pair(SOCK_SEQPACKET);
  m->cli_control = std::move(cli_end);
  m->setup.control = std::move(monitor_end);
  if (!capture) return m;
  if (!proc.terminal) {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) throw_errno("pipe");
    m->init_stdio[0].reset(in[0]);
    m->setup.stdin_write.reset(in[1]);
    m->setup.stdout_read.reset(out[0]);
    m->init_stdio[1].reset(out[1]);
    m->setup.stderr_read.reset(err[0]);
    m->init_stdio[2].reset(err[1]);
  }
  m->log_driver = opts.log_driver.empty() ? plugins::kDefaultLogDriver : opts.log_driver;
  auto log_opts = parse_log_opts(opts.log_opts);
  m->log_opts = log_opts;
  if (m->log_driver != "none") {
    // Checked here so a bad option fails create; the monitor opens the writer itself.
    plugins::Registry registry(ctx.plugin_dirs);
    auto driver = registry.log_driver(m->log_driver);
    try {
      driver->check_options(sdk::LogConfig{opts.id, dir, log_opts});
    } catch (const std::exception& e) {
      throw Error("log driver " + m->log_driver + ": " + e.what());
    }
    m->setup.log_driver = m->log_driver;
    m->setup.log_opts = log_opts;
  } else {
    m->log_driver.clear();
  }
  m->setup.attach_listener = sys::listen_unix(dir + "/" + kAttachSocket);
  return m;
}

std::string absolute(const std::string& path) {
  std::string out = std::filesystem::absolute(path).lexically_normal().string();
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

enum class Mode { create, run_detached, run_foreground };

// Who will hold the terminal master: the console socket's owner, or the foreground relay.
// A detached container with nobody to hold it is refused, as runc does.
std::unique_ptr<ContainerTerminal> plan_terminal(Context& ctx, const CreateOptions& opts,
                                                 const oci::Process& proc, Mode mode) {
  if (!proc.terminal) {
    if (!opts.console_socket.empty())
      throw Error("--console-socket given but process.terminal is false in config.json");
    return nullptr;
  }
  TerminalChoice choice;
  if (!opts.tty_provider.empty()) choice.provider = opts.tty_provider;
  choice.caller_terminal = mode == Mode::run_foreground ? terminal::caller_terminal() : -1;
  choice.passthrough = opts.tty_passthrough;
  if (choice.passthrough && (choice.caller_terminal < 0 || !opts.console_socket.empty()))
    throw Error("--tty-passthrough needs a foreground run from a terminal");
  auto term = open_terminal(ctx.plugin_dirs, choice, proc, opts.id, /*exec=*/false);
  term->prepare_host();
  return term;
}

// The whole create, up to the init waiting for start. create waits on the exec fifo (so a
// later `engine start` can release it); run uses the sync channel instead.
std::unique_ptr<Launch> launch(Context& ctx, const CreateOptions& opts, Mode mode) {
  bool use_fifo = mode == Mode::create;
  validate_id(opts.id);
  auto l = std::make_unique<Launch>();
  l->bundle = absolute(opts.bundle);
  std::string config_text;
  try {
    config_text = read_file(l->bundle + "/config.json");
  } catch (const SystemError& e) {
    throw oci::ConfigError(e.what());
  }
  l->spec = oci::load_bundle(l->bundle);
  l->rootfs = oci::rootfs_path(l->spec, l->bundle);
  const oci::Process& proc = *l->spec.process;
  // Loaded before the row exists: an unknown provider leaves nothing to undo.
  l->terminal = plan_terminal(ctx, opts, proc, mode);

  ContainerRecord rec;
  rec.id = opts.id;
  rec.bundle = l->bundle;
  rec.rootfs = l->rootfs;
  rec.status = Status::creating;
  rec.creator_pid = ::getpid();
  rec.creator_start_time = sys::process_start_time(rec.creator_pid).value_or(0);
  rec.created_at = now_ns();
  rec.config_digest = sha256_hex(config_text);
  rec.annotations_json = nlohmann::json(l->spec.annotations).dump();
  if (l->terminal) rec.terminal_provider = l->terminal->provider_name();
  if (opts.console_socket.empty() && mode != Mode::run_foreground && opts.log_driver != "none")
    rec.log_driver = opts.log_driver.empty() ? plugins::kDefaultLogDriver : opts.log_driver;
  std::string cgroup_path = sys::cgroup_relative_path(l->spec.linux_spec.cgroups_path, opts.id);
  nlohmann::json runtime_info_doc = {{"cgroup", cgroup_path}, {"ociVersion", l->spec.oci_version}};
  // The later phases' hooks, for `start` and `delete`, which do not read config.json again.
  if (!l->spec.hooks.poststart.empty()) runtime_info_doc["hooks"]["poststart"] = hooks_to_json(l->spec.hooks.poststart);
  if (!l->spec.hooks.poststop.empty()) runtime_info_doc["hooks"]["poststop"] = hooks_to_json(l->spec.hooks.poststop);
  rec.runtime_json = runtime_info_doc.dump();
  ctx.store.insert(rec);
  l->row.emplace(ctx.store, opts.id);

  // Detached without a console socket: a monitor holds the I/O and learns the exit code.
  bool monitored = opts.console_socket.empty() && mode != Mode::run_foreground;
  // The container's directory holds what outlives this command (the exec fifo of create, the
  // monitor's socket and logs): a foreground run makes none.
  l->dir = ctx.container_dir(opts.id);
  if (use_fifo || monitored) {
    if (::mkdir(l->dir.c_str(), 0700) != 0 && errno != EEXIST) throw_errno("mkdir " + l->dir);
    l->dir_guard.emplace(l->dir);
  }
  UniqueFd fifo;
  if (use_fifo) {
    std::string fifo_path = l->dir + "/" + kExecFifo;
    if (::mkfifo(fifo_path.c_str(), 0600) != 0) throw_errno("mkfifo " + fifo_path);
    fifo = open_fd(fifo_path, O_RDONLY | O_NONBLOCK);
  }

  bool capture = monitored && (proc.terminal || mode == Mode::run_detached || !opts.log_driver.empty());
  std::unique_ptr<MonitorPlan> mon;
  if (monitored) mon = plan_monitor(ctx, opts, proc, l->dir, capture);

  l->cgroup.emplace(sys::Cgroup::create(cgroup_path, l->spec.linux_spec.resources ? &*l->spec.linux_spec.resources : nullptr));
  auto join = sys::open_namespace_paths(l->spec.linux_spec);
  auto [parent_end, child_end] = SyncChannel::make_pair();
  l->channel = std::move(parent_end);

  InitPlan plan;
  plan.spec = &l->spec;
  plan.rootfs = l->rootfs;
  plan.no_pivot = opts.no_pivot;
  plan.new_keyring = !opts.no_new_keyring;
  plan.id = opts.id;
  plan.preserve_fds = opts.preserve_fds;
  plan.cgroups = l->cgroup->view();
  plan.join = &join;
  plan.channel = &child_end;
  plan.exec_fifo = fifo.get();
  plan.terminal = l->terminal.get();
  int flags = sys::clone_flags(l->spec.linux_spec);
  pid_t pid;
  if (mon) {
    for (int fd = 0; fd < 3; ++fd) plan.stdio[fd] = mon->init_stdio[fd].get();
    // The monitor clones the init, so it is its parent; the rest of the handshake stays here.
    pid_t monitor_pid = sys::clone_process(0, [&] {
      monitor::monitor_main(mon->setup, [&] {
        pid_t init = sys::clone_process(flags, [&plan] { container_init(plan); });
        for (auto& fd : mon->init_stdio) fd.reset();
        mon->cli_control.reset();
        child_end.close();
        l->channel.close();
        fifo.reset();
        return init;
      });
    });
    l->monitor.emplace(monitor_pid);
    mon->setup = monitor::MonitorSetup{};  // the monitor's copies live on in the monitor
    for (auto& fd : mon->init_stdio) fd.reset();
    l->monitor_control = std::move(mon->cli_control);
    child_end.close();
    fifo.reset();
    char buf[64];
    size_t n = sys::recv_with_fd(l->monitor_control.get(), buf, sizeof buf, nullptr);
    if (n <= sizeof(uint32_t)) throw Error("container monitor exited during setup");
    pid = std::stoi(std::string(buf + sizeof(uint32_t), n - sizeof(uint32_t)));
    l->init.emplace(pid);
  } else {
    pid = sys::clone_process(flags, [&plan] { container_init(plan); });
    l->init.emplace(pid);
    child_end.close();
    fifo.reset();
  }

  l->cgroup->add_process(pid);
  if (l->spec.linux_spec.has_namespace(CLONE_NEWUSER))
    sys::write_id_mappings(pid, l->spec.linux_spec.uid_mappings, l->spec.linux_spec.gid_mappings);
  const oci::Hooks& hooks = l->spec.hooks;
  bool container_hooks = !hooks.create_container.empty() || !hooks.start_container.empty();
  bool runtime_hooks = !hooks.prestart.empty() || !hooks.create_runtime.empty();
  std::string state = container_hooks || runtime_hooks ? hook_state(l->spec, opts.id, "creating", pid, l->bundle) : "";
  l->channel.send(SyncType::go, container_hooks ? state : "");  // the init's hooks read it
  if (runtime_hooks) {
    l->channel.expect(SyncType::hooks);
    run_hooks(hooks.prestart, "prestart", state);
    run_hooks(hooks.create_runtime, "createRuntime", state);
    l->channel.send(SyncType::hooks_done);
  }
  SyncMessage ready = l->channel.expect(SyncType::ready);
  if (l->terminal) {
    l->master.reset(l->terminal->host_ready(ready.fd.release()));
    if (!opts.console_socket.empty()) {
      // The caller owns the master from here on (runc sends it before start, runc#1302).
      terminal::send_to_console_socket(opts.console_socket, l->master.get());
      l->master.reset();
    }
  }

  state::Update update;
  update.pid = pid;
  update.pid_start_time = sys::process_start_time(pid).value_or(0);
  update.pid_inode = sys::pidfs_inode(pid);
  if (mon) {
    auto info = nlohmann::json::parse(rec.runtime_json);
    pid_t monitor_pid = l->monitor->get();
    info["monitor"] = {{"pid", monitor_pid}, {"start", sys::process_start_time(monitor_pid).value_or(0)}};
    info["terminal"] = proc.terminal;
    if (capture) {
      info["attach"] = l->dir + "/" + kAttachSocket;
      info["logDriver"] = mon->log_driver;
      info["logOpts"] = mon->log_opts;
    }
    update.runtime_json = info.dump();
  }
  l->ready = update;
  // run goes from creating straight to running (one write less, and no window in which
  // `start` could find a created container that waits on no fifo).
  if (mode == Mode::create) record_ready(ctx, opts.id, Status::created, l->ready);
  write_pid_file(opts.pid_file, pid);
  return l;
}

// Waits (briefly) for the container's monitor to record the exit and go.
void wait_for_monitor(const ContainerRecord& rec) {
  MonitorRef mon = monitor_of(rec);
  if (mon.alive()) wait_gone(mon.pid, mon.start);
}

// Removes what a container left on the host: cgroup, directory, row.
void cleanup(Context& ctx, const ContainerRecord& rec) {
  wait_for_monitor(rec);
  std::string cg = cgroup_of(rec);
  if (!cg.empty()) sys::Cgroup::attach(cg).destroy();
  std::error_code ec;
  std::filesystem::remove_all(ctx.container_dir(rec.id), ec);
  ctx.store.remove(rec.id);
}

}  // namespace

Context::Context(const std::string& root_dir)
    : root(root_dir), store(state::Store::open(root_dir)) {}

void validate_id(const std::string& id) {
  bool ok = !id.empty() && id != "." && id != ".." && id.size() <= 1024;
  for (char c : id)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-' || c == '.');
  if (!ok) throw Error("invalid container id \"" + id + "\": use letters, digits, _ + - .");
}

// The init is gone and its monitor, if alive, is about to record the exit code: give it a
// moment (it drains the output first), so nobody sees `stopped` without the code.
std::optional<ContainerRecord> recorded_by_monitor(Context& ctx, const ContainerRecord& rec) {
  MonitorRef mon = monitor_of(rec);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (mon.alive() && std::chrono::steady_clock::now() < deadline) {
    auto current = ctx.store.find(rec.id);
    if (!current || current->status == Status::stopped) return current;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return std::nullopt;
}

ContainerRecord refresh(Context& ctx, ContainerRecord rec) {
  bool dead = false;
  switch (rec.status) {
    case Status::creating:
      dead = !sys::process_alive(rec.creator_pid, rec.creator_start_time) && !init_alive(rec);
      break;
    case Status::created:
    case Status::running:
    case Status::paused:
      dead = !init_alive(rec);
      break;
    case Status::stopped:
      break;
  }
  if (!dead) return rec;
  if (rec.status != Status::creating)
    if (auto recorded = recorded_by_monitor(ctx, rec); recorded && recorded->status == Status::stopped) return *recorded;
  state::Update update;
  update.finished_at = now_ns();
  if (ctx.store.transition(rec.id, {rec.status}, Status::stopped, update)) {
    rec.status = Status::stopped;
    rec.finished_at = *update.finished_at;
    return rec;
  }
  return ctx.store.get(rec.id);  // somebody else moved it: take theirs
}

ContainerRecord lookup(Context& ctx, const std::string& id) {
  validate_id(id);
  return refresh(ctx, ctx.store.get(id));
}

void create(Context& ctx, const CreateOptions& opts) {
  auto l = launch(ctx, opts, Mode::create);
  l->commit();
}

namespace {

// A stored phase's hooks (see launch), with the state as the row has it.
void run_stored_hooks(const ContainerRecord& rec, const char* phase, const std::string& status, pid_t pid) {
  auto info = runtime_info(rec);
  if (!info.contains("hooks") || !info["hooks"].contains(phase)) return;
  std::string state = hook_state(info.value("ociVersion", std::string()), rec.id, status, pid, rec.bundle,
                                 nlohmann::json::parse(rec.annotations_json, nullptr, false));
  run_hooks_warning(hooks_from_json(info["hooks"][phase]), phase, state);
}
void run_poststart(const ContainerRecord& rec, const std::string& status) {
  run_stored_hooks(rec, "poststart", status, rec.pid);
}
void run_poststop(const ContainerRecord& rec) { run_stored_hooks(rec, "poststop", "stopped", 0); }

}  // namespace

void start(Context& ctx, const std::string& id) {
  ContainerRecord rec = lookup(ctx, id);
  if (rec.status != Status::created)
    throw Error("cannot start container " + id + ": it is " + state::to_string(rec.status) +
                ", not created");
  state::Update update;
  update.started_at = now_ns();
  if (!ctx.store.transition(id, {Status::created}, Status::running, update))
    throw Error("cannot start container " + id + ": it was started by another engine");
  std::string fifo_path = ctx.container_dir(id) + "/" + kExecFifo;
  // Non-blocking open fails with ENXIO when no reader exists: the init is gone.
  UniqueFd fifo(::open(fifo_path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fifo || ::write(fifo.get(), "0", 1) != 1) {
    int err = errno;
    state::Update stopped;
    stopped.finished_at = now_ns();
    ctx.store.transition(id, {Status::running}, Status::stopped, stopped);
    throw_errno(err, "start container " + id + ": its init is not waiting");
  }
  ::unlink(fifo_path.c_str());
  run_poststart(rec, "running");
}

int run(Context& ctx, const CreateOptions& opts, bool detach) {
  std::optional<terminal::ForwardedSignals> signals;
  if (!detach) signals.emplace();
  auto l = launch(ctx, opts, detach ? Mode::run_detached : Mode::run_foreground);
  // The caller's modes are set before the program starts, so its first output meets them.
  int caller_tty = terminal::caller_terminal();
  terminal::SessionModes modes(caller_tty, l->master.get(), !opts.tty_raw, signals ? &*signals : nullptr);
  l->ready.started_at = now_ns();
  record_ready(ctx, opts.id, Status::running, l->ready);
  l->channel.send(SyncType::start);
  run_hooks_warning(l->spec.hooks.poststart, "poststart",
                    hook_state(l->spec, opts.id, "running", l->init->get(), l->bundle));
  if (detach) {
    l->commit();
    return 0;
  }
  // Until the container is reaped, a failure leaves the guards to kill and clean up.
  pid_t pid = l->init->get();
  int status = terminal::wait_in_foreground(pid, l->master.get(), caller_tty, *signals, modes.linemode());
  l->init->release();
  l->commit();
  modes.restore();
  cleanup(ctx, ctx.store.get(opts.id));
  run_hooks_warning(l->spec.hooks.poststop, "poststop", hook_state(l->spec, opts.id, "stopped", 0, l->bundle));
  return sys::exit_code_from_status(status);
}

void kill(Context& ctx, const std::string& id, int signal, bool all) {
  ContainerRecord rec = lookup(ctx, id);
  if (rec.status == Status::stopped || rec.status == Status::creating)
    throw Error("cannot kill container " + id + ": container not running");
  if (!all) {
    if (::kill(rec.pid, signal) != 0) throw_errno("kill container " + id);
    return;
  }
  for (pid_t pid : container_pids(rec)) ::kill(pid, signal);
}

void remove(Context& ctx, const std::string& id, bool force) {
  std::optional<ContainerRecord> found = ctx.store.find(id);
  if (!found) {
    if (force) return;  // runc: delete --force of a missing container is not an error
    throw state::NotFound("container " + id + " does not exist");
  }
  ContainerRecord rec = refresh(ctx, *found);
  switch (rec.status) {
    case Status::creating:
      if (!force) throw Error("cannot delete container " + id + ": it is being created");
      break;
    case Status::running:
    case Status::paused:
      if (!force)
        throw Error("cannot delete container " + id + " that is not stopped: " +
                    state::to_string(rec.status));
      break;
    case Status::created:
    case Status::stopped:
      break;
  }
  if (rec.status != Status::stopped && init_alive(rec)) {
    std::string cg = cgroup_of(rec);
    if (!cg.empty() && rec.status == Status::paused) sys::Cgroup::attach(cg).thaw();
    ::kill(rec.pid, SIGKILL);
    wait_gone(rec.pid, rec.pid_start_time);
  }
  cleanup(ctx, rec);
  run_poststop(rec);
}

void pause(Context& ctx, const std::string& id) {
  ContainerRecord rec = lookup(ctx, id);
  if (rec.status != Status::running) throw Error("cannot pause container " + id + ": it is " + state::to_string(rec.status));
  sys::Cgroup::attach(cgroup_of(rec)).freeze();
  ctx.store.transition(id, {Status::running}, Status::paused);
}

void update(Context& ctx, const std::string& id, const oci::Resources& resources) {
  ContainerRecord rec = lookup(ctx, id);
  if (rec.status == Status::stopped || rec.status == Status::creating)
    throw Error("cannot update container " + id + ": it is " + state::to_string(rec.status));
  sys::Cgroup::attach(cgroup_of(rec)).update(resources);
}

void resume(Context& ctx, const std::string& id) {
  ContainerRecord rec = lookup(ctx, id);
  if (rec.status != Status::paused) throw Error("cannot resume container " + id + ": it is not paused");
  sys::Cgroup::attach(cgroup_of(rec)).thaw();
  ctx.store.transition(id, {Status::paused}, Status::running);
}

std::vector<pid_t> container_pids(const ContainerRecord& rec) {
  std::string cg = cgroup_of(rec);
  if (cg.empty()) return {};
  return sys::Cgroup::attach(cg).processes();
}

nlohmann::json state_json(const ContainerRecord& rec) {
  auto info = runtime_info(rec);
  auto annotations = nlohmann::json::parse(rec.annotations_json, nullptr, false);
  if (!annotations.is_object()) annotations = nlohmann::json::object();
  // Assigned key by key: an initializer list builds each pair as an array first and copies it,
  // 1.5 µs a container in `ps --format json`. The keys come out sorted either way.
  nlohmann::json doc = nlohmann::json::object();
  doc["ociVersion"] = info.value("ociVersion", std::string("1.0.2"));
  doc["id"] = rec.id;
  doc["status"] = state::to_string(rec.status);
  doc["pid"] = rec.status == Status::stopped ? 0 : rec.pid;
  doc["bundle"] = rec.bundle;
  doc["rootfs"] = rec.rootfs;
  doc["created"] = format_rfc3339_nano(rec.created_at);
  doc["annotations"] = std::move(annotations);
  doc["owner"] = rec.owner;
  if (rec.exit_code) doc["exitCode"] = *rec.exit_code;
  return doc;
}

}  // namespace engine::runtime
