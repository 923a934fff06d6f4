// compare_runtimes: engine against runc and crun (the Debian packages) and against no container
// at all (the floor), interleaved in one run on one busybox bundle. Prints medians, p10/p90 and
// ratios as a markdown table, and which goals of issue 6 the ratios meet.
//
//   compare_runtimes --bundle DIR [--engine PATH] [--engine-before PATH] [--runs N] [--execs N]
//                    [--deletes N] [--keys N] [--echo-rounds N] [--mib N] [--cpu-rounds N] [--ps N]
//                    [--only run,exec,delete,echo,cpu,ps]
//
// --engine-before adds another engine build (e.g. the commit before a change, with its plugins
// beside it as in a build tree) as a runtime of its own, interleaved with the rest: a before and
// after in one sitting, with its own column and ratio.
//
// bench/compare-runtimes.sh makes the bundle and runs this; docs/performance.md has the figures.
// What each section measures (and what "floor" is there) is printed with its row.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
using Argv = std::vector<std::string>;

// ---- options ---------------------------------------------------------------------------------

struct Options {
  std::string bundle;
  std::string engine = ENGINE_BINARY;
  std::string engine_before;  // empty: none
  int runs = 100, execs = 100, deletes = 30, keys = 2000, echo_rounds = 4, mib = 64, cpu_rounds = 5, ps = 1000;
  std::set<std::string> only;  // empty: every section
  bool wants(const std::string& section) const { return only.empty() || only.count(section); }
};

Options parse_options(int argc, char** argv) {
  Options o;
  auto number = [&](int& i) { return i + 1 < argc ? std::stoi(argv[++i]) : throw std::runtime_error("missing value"); };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--bundle" && i + 1 < argc) o.bundle = argv[++i];
    else if (a == "--engine" && i + 1 < argc) o.engine = argv[++i];
    else if (a == "--engine-before" && i + 1 < argc) o.engine_before = argv[++i];
    else if (a == "--runs") o.runs = number(i);
    else if (a == "--execs") o.execs = number(i);
    else if (a == "--deletes") o.deletes = number(i);
    else if (a == "--keys") o.keys = number(i);
    else if (a == "--echo-rounds") o.echo_rounds = std::max(1, number(i));
    else if (a == "--mib") o.mib = number(i);
    else if (a == "--cpu-rounds") o.cpu_rounds = number(i);
    else if (a == "--ps") o.ps = number(i);
    else if (a == "--only" && i + 1 < argc) {
      std::stringstream in(argv[++i]);
      for (std::string s; std::getline(in, s, ',');) o.only.insert(s);
    } else {
      throw std::runtime_error("unknown argument " + a);
    }
  }
  if (o.bundle.empty()) throw std::runtime_error("--bundle DIR is required");
  return o;
}

// ---- statistics ------------------------------------------------------------------------------

struct Stats {
  double median = 0, p10 = 0, p90 = 0, p99 = 0;
  size_t n = 0;
};

Stats stats(std::vector<double> xs) {
  Stats s;
  if (xs.empty()) return s;
  std::sort(xs.begin(), xs.end());
  auto at = [&](double q) { return xs[std::min(xs.size() - 1, static_cast<size_t>(q * xs.size()))]; };
  s.n = xs.size();
  s.median = xs.size() % 2 ? xs[xs.size() / 2] : (xs[xs.size() / 2 - 1] + xs[xs.size() / 2]) / 2;
  s.p10 = at(0.10);
  s.p90 = at(0.90);
  s.p99 = at(0.99);
  return s;
}

// ---- processes -------------------------------------------------------------------------------

struct Exit {
  int status = -1;
  double ms = 0;
  long maxrss_kb = 0;
  double cpu_s = 0;
};

double cpu_of(const struct rusage& ru) {
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::vector<char*> c_argv(const Argv& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// Peak RSS (KiB) of argv run by RSS_PROBE (bench/rss_probe.c), which is small enough not to
// lend its own high-water mark to the child; -1 if the program failed.
long peak_rss_kb(const Argv& argv, const std::string& log) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  Argv probe = {RSS_PROBE};
  probe.insert(probe.end(), argv.begin(), argv.end());
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 3);
  auto args = c_argv(probe);
  pid_t pid;
  int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) throw std::runtime_error(std::string("spawn rss_probe: ") + std::strerror(rc));
  char buf[64] = {};
  ssize_t n = ::read(fds[0], buf, sizeof buf - 1);
  ::close(fds[0]);
  int status;
  ::waitpid(pid, &status, 0);
  if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return std::atol(buf);
}

// Runs argv to completion with stdin and stdout on /dev/null and stderr appended to `log`.
// The time is from spawn to reap; maxrss and CPU are the child's and what it waited for.
Exit run_timed(const Argv& argv, const std::string& log, int out_fd = -1) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (out_fd >= 0) posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  else posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  auto args = c_argv(argv);
  Exit e;
  pid_t pid;
  auto t0 = Clock::now();
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("spawn " + argv[0] + ": " + std::strerror(rc));
  struct rusage ru {};
  while (::wait4(pid, &e.status, 0, &ru) < 0 && errno == EINTR) {
  }
  e.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  e.maxrss_kb = ru.ru_maxrss;
  e.cpu_s = cpu_of(ru);
  return e;
}

// A program with a pty of ours as its controlling terminal and stdio.
class Pty {
 public:
  // raw: put the terminal in raw mode first (what a runtime's relay does to its caller's
  // terminal anyway), so the only echo is the container's.
  Pty(const Argv& argv, bool raw) {
    if (::openpty(&master_, &slave_, nullptr, nullptr, nullptr) != 0) throw std::runtime_error("openpty");
    ::fcntl(master_, F_SETFD, FD_CLOEXEC);
    if (raw) {
      struct termios t;
      ::tcgetattr(slave_, &t);
      ::cfmakeraw(&t);
      ::tcsetattr(slave_, TCSANOW, &t);
    }
    struct winsize ws{24, 80, 0, 0};
    ::ioctl(master_, TIOCSWINSZ, &ws);
    auto args = c_argv(argv);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setsid();
      ::ioctl(slave_, TIOCSCTTY, 0);
      for (int fd = 0; fd < 3; ++fd) ::dup2(slave_, fd);
      if (slave_ > 2) ::close(slave_);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    ::close(slave_);  // EIO on the master once every slave is closed
    slave_ = -1;
  }
  ~Pty() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(master_);
  }
  Pty(const Pty&) = delete;

  int master() const { return master_; }
  // Reads one byte within timeout_ms; -1 on timeout or EOF.
  int read_byte(int timeout_ms) const {
    struct pollfd p{master_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return -1;
    unsigned char c;
    return ::read(master_, &c, 1) == 1 ? c : -1;
  }
  // Reads and drops output until none came for quiet_ms.
  void drain(int quiet_ms) const {
    char buf[4096];
    struct pollfd p{master_, POLLIN, 0};
    while (::poll(&p, 1, quiet_ms) > 0)
      if (::read(master_, buf, sizeof buf) <= 0) return;
  }
  // Waits for the program; its status (the caller accounts CPU through RUSAGE_CHILDREN).
  int wait() {
    int status = -1;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }
  // Waits for the program to end and returns the CPU seconds of its own process, without what
  // it waited for (the container): read from its zombie's /proc/PID/stat before it is reaped.
  // The program is what was exec'd here, whatever it exec'd in turn (crun's wrapper ends as crun).
  double wait_own_cpu() {
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
    double secs = -1;
    std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
    std::string line;
    if (std::getline(stat, line)) {
      // Fields after the command's closing parenthesis: state is the 3rd, utime the 14th.
      std::istringstream rest(line.substr(line.rfind(')') + 2));
      std::vector<std::string> f{std::istream_iterator<std::string>(rest), {}};
      if (f.size() > 12)
        secs = static_cast<double>(std::stoull(f[11]) + std::stoull(f[12])) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
    wait();
    return secs;
  }

 private:
  int master_ = -1, slave_ = -1;
  pid_t pid_ = -1;
};

// ---- runtimes --------------------------------------------------------------------------------

struct Runtime {
  std::string name;
  Argv prefix;  // up to the subcommand; empty for the floor
  std::string log;
  bool ok = true;
  bool floor() const { return prefix.empty(); }
  Argv cmd(const Argv& rest) const {
    Argv a = prefix;
    a.insert(a.end(), rest.begin(), rest.end());
    return a;
  }
};

bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

std::vector<Runtime> runtimes(const Options& o, const std::string& logdir) {
  std::vector<Runtime> out;
  out.push_back({"engine", {o.engine, "--root", "/run/engine-bench"}, logdir + "/engine.log"});
  if (!o.engine_before.empty())  // its own root: the two builds may differ in their state schema
    out.push_back({"before", {o.engine_before, "--root", "/run/engine-bench-before"}, logdir + "/before.log"});
  if (executable("/usr/sbin/runc"))
    out.push_back({"runc", {"/usr/sbin/runc", "--root", "/run/runc-bench"}, logdir + "/runc.log"});
  // crun refuses this hybrid host unless /sys/fs/cgroup/unified is covered: a private mount
  // namespace with a tmpfs there, which vanishes with the namespace.
  if (executable("/usr/bin/crun"))
    out.push_back({"crun",
                   {"unshare", "-m", "sh", "-c",
                    "mount -t tmpfs none /sys/fs/cgroup/unified && exec crun \"$@\"", "crun",
                    "--root", "/run/crun-bench"},
                   logdir + "/crun.log"});
  out.push_back({"floor", {}, logdir + "/floor.log"});
  return out;
}

// ---- bundles ---------------------------------------------------------------------------------

// A bundle next to the base one: its own config.json, the base rootfs by absolute path.
std::string variant(const std::string& base, const std::string& name, const Argv& args, bool terminal) {
  namespace fs = std::filesystem;
  nlohmann::json cfg = nlohmann::json::parse(std::ifstream(base + "/config.json"));
  std::string root = cfg["root"]["path"];
  if (root.empty() || root[0] != '/') root = fs::absolute(base + "/" + root).lexically_normal().string();
  cfg["root"]["path"] = root;
  cfg["process"]["terminal"] = terminal;
  cfg["process"]["args"] = args;
  std::string dir = base + "/../bench-" + name;
  fs::create_directories(dir);
  std::ofstream(dir + "/config.json") << cfg.dump(1);
  return fs::canonical(dir).string();
}

// ---- the table -------------------------------------------------------------------------------

struct Row {
  std::string work, unit, floor_note;
  std::map<std::string, Stats> by_runtime;
  int decimals = 2;
  bool p99 = false;
};

std::string cell(const Stats& s, int decimals, bool p99) {
  if (!s.n) return "-";
  char buf[128];
  if (p99)
    std::snprintf(buf, sizeof buf, "%.*f (p99 %.*f)", decimals, s.median, decimals, s.p99);
  else if (s.n >= 5)
    std::snprintf(buf, sizeof buf, "%.*f (%.*f–%.*f)", decimals, s.median, decimals, s.p10, decimals, s.p90);
  else
    std::snprintf(buf, sizeof buf, "%.*f", decimals, s.median);
  return buf;
}

std::string ratio(const Row& r, const std::string& a, const std::string& b) {
  auto ia = r.by_runtime.find(a), ib = r.by_runtime.find(b);
  if (ia == r.by_runtime.end() || ib == r.by_runtime.end() || !ia->second.n || !ib->second.n ||
      ib->second.median <= 0)
    return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", ia->second.median / ib->second.median);
  return buf;
}

double ratio_value(const Row& r, const std::string& a, const std::string& b) {
  std::string s = ratio(r, a, b);
  return s == "-" ? -1 : std::stod(s);
}

std::string load() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// ---- sections --------------------------------------------------------------------------------

std::string id_base() { return "cmp" + std::to_string(::getpid()); }

void fail(Runtime& rt, const std::string& what, const Exit& e) {
  std::fprintf(stderr, "%s: %s failed (status %d); see %s\n", rt.name.c_str(), what.c_str(), e.status,
               rt.log.c_str());
  rt.ok = false;
}

using Samples = std::map<std::string, std::vector<double>>;

// `rounds` rounds over the runtimes that still work; the order rotates every round, so no
// runtime always follows the same one.
void interleave(int rounds, std::vector<Runtime>& rts, const std::function<void(Runtime&, int)>& body) {
  for (int i = 0; i < rounds; ++i)
    for (size_t k = 0; k < rts.size(); ++k) {
      Runtime& rt = rts[(i + k) % rts.size()];
      if (rt.ok) body(rt, i);
    }
}

void add_row(std::vector<Row>& rows, Row row, const Samples& samples) {
  for (const auto& [name, xs] : samples) row.by_runtime[name] = stats(xs);
  rows.push_back(std::move(row));
}

// `run` of /bin/true, N in a row per runtime, interleaved.
void section_run(const Options& o, std::vector<Runtime>& rts, const std::string& bundle,
                 const std::string& rootfs, std::vector<Row>& rows) {
  Samples ms, rss;
  interleave(o.runs, rts, [&](Runtime& rt, int i) {
    std::string id = id_base() + "-run-" + std::to_string(i);
    Argv argv = rt.floor() ? Argv{rootfs + "/bin/true"} : rt.cmd({"run", "--bundle", bundle, id});
    Exit e = run_timed(argv, rt.log);
    if (e.status != 0) return fail(rt, "run", e);
    ms[rt.name].push_back(e.ms);
  });
  // Peak RSS apart: the probe in between would add its own spawn to the times above.
  interleave(std::min(o.runs, 10), rts, [&](Runtime& rt, int i) {
    std::string id = id_base() + "-rss-" + std::to_string(i);
    Argv argv = rt.floor() ? Argv{rootfs + "/bin/true"} : rt.cmd({"run", "--bundle", bundle, id});
    long kb = peak_rss_kb(argv, rt.log);
    if (kb > 0) rss[rt.name].push_back(kb / 1024.0);
  });
  add_row(rows, {"`run` of /bin/true, per container (" + std::to_string(o.runs) + " in a row)", "ms",
                 "busybox true, no container"}, ms);
  add_row(rows, {"peak RSS of the `run` CLI (ru_maxrss, with what it waited for)", "MiB", "busybox true"}, rss);
}

// One detached container per runtime; `exec ID true` and `state ID` into it, interleaved.
void section_exec_state(const Options& o, std::vector<Runtime>& rts, const std::string& bundle,
                        const std::string& rootfs, std::vector<Row>& rows) {
  std::string id = id_base() + "-exec";
  std::vector<Runtime*> up;
  for (auto& rt : rts) {
    if (rt.floor() || !rt.ok) continue;
    Exit e = run_timed(rt.cmd({"run", "-d", "--bundle", bundle, id}), rt.log);
    if (e.status != 0) fail(rt, "run -d", e);
    else up.push_back(&rt);
  }
  Samples exec_ms, state_ms;  // a runtime whose `run -d` failed is out (fail() said so)
  interleave(o.execs, rts, [&](Runtime& rt, int) {
    if (rt.floor()) {  // the program alone
      exec_ms["floor"].push_back(run_timed({rootfs + "/bin/true"}, rt.log).ms);
      return;
    }
    Exit e = run_timed(rt.cmd({"exec", id, "true"}), rt.log);
    if (e.status == 0) exec_ms[rt.name].push_back(e.ms);
    Exit s = run_timed(rt.cmd({"state", id}), rt.log);
    if (s.status == 0) state_ms[rt.name].push_back(s.ms);
  });
  for (Runtime* rt : up) run_timed(rt->cmd({"delete", "--force", id}), rt->log);
  add_row(rows, {"`exec ID true` into a running container", "ms", "busybox true, no container"}, exec_ms);
  add_row(rows, {"`state ID` of a running container", "ms", ""}, state_ms);
}

// `delete --force ID` of a created container (its init waiting for start); create untimed.
void section_delete(const Options& o, std::vector<Runtime>& rts, const std::string& bundle,
                    std::vector<Row>& rows) {
  Samples ms;
  interleave(o.deletes, rts, [&](Runtime& rt, int i) {
    if (rt.floor()) return;
    std::string id = id_base() + "-del-" + std::to_string(i);
    if (run_timed(rt.cmd({"create", "--bundle", bundle, id}), rt.log).status != 0) return;
    Exit e = run_timed(rt.cmd({"delete", "--force", id}), rt.log);
    if (e.status == 0) ms[rt.name].push_back(e.ms);
  });
  add_row(rows, {"`delete --force ID` of a created container", "ms", ""}, ms);
}

// One terminal session per runtime (and the engine's passthrough and raw relay), all open at once.
struct EchoSessions {
  std::vector<std::unique_ptr<Pty>> ptys;
  std::vector<std::string> names;
};

// Opens the sessions in a shuffled order (which one starts first changes where the scheduler
// puts it). A session is ready once a byte comes back through the container's terminal.
EchoSessions open_echo_sessions(std::vector<Runtime>& rts, const std::string& bundle, const std::string& rootfs,
                                const std::string& id, std::mt19937& rng) {
  std::vector<std::pair<std::string, std::function<std::unique_ptr<Pty>()>>> wanted;
  for (auto& rt : rts) {
    if (!rt.ok) continue;
    if (rt.floor()) wanted.push_back({rt.name, [=] { return std::make_unique<Pty>(Argv{rootfs + "/bin/cat"}, false); }});
    // An id of its own: runtimes that name the cgroup after the id would share it, and runc
    // then prints a warning where the echo is expected.
    else wanted.push_back({rt.name, [=] { return std::make_unique<Pty>(rt.cmd({"run", "--bundle", bundle, id + "-" + rt.name}), true); }});
  }
  // The engine can also hand the container our own terminal (no relay, no second pty).
  const Runtime& engine = rts.front();
  if (engine.ok)
    wanted.push_back({"passthrough", [=] {
                        return std::make_unique<Pty>(engine.cmd({"run", "--tty-provider", "pty-host", "--tty-passthrough",
                                                                 "--bundle", bundle, id + "-pt"}),
                                                     false);
                      }});
  // And relay raw as runc and crun do, the container's pty echoing (linemode is the default).
  if (engine.ok)
    wanted.push_back({"raw relay", [=] {
                        return std::make_unique<Pty>(engine.cmd({"run", "--tty-raw", "--bundle", bundle, id + "-raw"}), true);
                      }});
  std::shuffle(wanted.begin(), wanted.end(), rng);
  EchoSessions out;
  for (auto& [name, open] : wanted) {
    auto s = open();
    ::write(s->master(), "r", 1);
    if (s->read_byte(15000) != 'r') {
      std::string seen;  // what the session printed instead, for the reason
      for (int c; seen.size() < 300 && (c = s->read_byte(200)) >= 0;) seen += static_cast<char>(c);
      std::fprintf(stderr, "%s: no echo from a terminal session; it printed: %s\n", name.c_str(), seen.c_str());
      continue;
    }
    s->drain(100);
    out.ptys.push_back(std::move(s));
    out.names.push_back(name);
  }
  return out;
}

// `keys` keystrokes to every session, each round in a new shuffled order.
void type_keys(EchoSessions& s, int keys, std::mt19937& rng, Samples& us) {
  std::vector<size_t> order(s.ptys.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  for (int i = 0; i < keys; ++i) {
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t at : order) {
      Pty& p = *s.ptys[at];
      auto t0 = Clock::now();
      if (::write(p.master(), "k", 1) != 1 || p.read_byte(2000) != 'k') continue;
      us[s.names[at]].push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    // A canonical line holds 4095 bytes: kill the line (^U) now and then, drop its echo.
    if (i % 1000 == 999)
      for (auto& p : s.ptys) {
        ::write(p->master(), "\x15", 1);
        p->drain(50);
      }
  }
}

void close_echo_sessions(EchoSessions& s) {
  for (auto& p : s.ptys) {
    ::write(p->master(), "\x15\x04", 2);  // ^U ^D: cat sees end of input and exits
    p->drain(200);
    p->wait();
  }
}

// Keystroke round trip: one byte typed on our terminal, its echo read back: by the container's
// line discipline through the relay, or (the engine's linemode, and the floor) by our own
// terminal's, set to the container's modes (`cat` reads lines with echo). Every session is
// open at once and keystrokes alternate between them.
// Two things made the same binary differ by up to 20 % within one run on this VM, so they are
// spread out: the order is shuffled for every keystroke round (with a fixed cycle a session
// always follows the same one, and one typed right after a fast session finds the CPUs in a
// different state), and the sessions are opened afresh for each of `echo_rounds` rounds (a
// session keeps the CPUs the scheduler first gave its processes).
void section_echo(const Options& o, std::vector<Runtime>& rts, const std::string& bundle,
                  const std::string& rootfs, std::vector<Row>& rows) {
  Samples us;
  std::mt19937 rng(1);  // fixed seed: runs are comparable
  for (int round = 0; round < o.echo_rounds; ++round) {
    std::string id = id_base() + "-echo-" + std::to_string(round);
    EchoSessions sessions = open_echo_sessions(rts, bundle, rootfs, id, rng);
    type_keys(sessions, o.keys / o.echo_rounds, rng, us);
    close_echo_sessions(sessions);
  }
  Samples passthrough = {{"engine", us["passthrough"]}}, raw_relay = {{"engine", us["raw relay"]}};
  us.erase("passthrough");
  us.erase("raw relay");
  Row r{"terminal echo round trip", "µs", "the same pty, no relay"};
  r.decimals = 1;
  r.p99 = true;
  add_row(rows, r, us);
  r.work = "terminal echo round trip, engine `run -t --tty-provider pty-host --tty-passthrough`";
  r.floor_note = "";
  add_row(rows, r, passthrough);
  r.work = "terminal echo round trip, engine `run -t --tty-raw` (the container's pty echoes)";
  add_row(rows, r, raw_relay);
}

// CPU (user + system, the runtime and the container) to carry `head -c NM /dev/zero` through
// the terminal to us.
void section_cpu(const Options& o, std::vector<Runtime>& rts, const std::string& bundle,
                 const std::string& rootfs, std::vector<Row>& rows) {
  Samples cpu, own, rate;
  std::string script = "head -c " + std::to_string(o.mib) + "m /dev/zero";
  size_t want = static_cast<size_t>(o.mib) << 20;
  std::vector<char> buf(1 << 16);
  interleave(o.cpu_rounds, rts, [&](Runtime& rt, int round) {
    std::string id = id_base() + "-cpu-" + std::to_string(round);
    Argv argv = rt.floor() ? Argv{rootfs + "/bin/sh", "-c", script} : rt.cmd({"run", "--bundle", bundle, id});
    struct rusage before;
    ::getrusage(RUSAGE_CHILDREN, &before);
    auto t0 = Clock::now();
    size_t got = 0;
    double own_cpu = -1;
    {
      Pty s(argv, true);
      for (;;) {
        ssize_t n = ::read(s.master(), buf.data(), buf.size());
        if (n <= 0) break;
        got += static_cast<size_t>(n);
      }
      own_cpu = s.wait_own_cpu();
    }
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    struct rusage after;
    ::getrusage(RUSAGE_CHILDREN, &after);
    if (got < want) {
      std::fprintf(stderr, "%s: only %zu of %zu bytes through the terminal\n", rt.name.c_str(), got, want);
      return;
    }
    cpu[rt.name].push_back(cpu_of(after) - cpu_of(before));
    if (!rt.floor() && own_cpu >= 0) own[rt.name].push_back(own_cpu);
    rate[rt.name].push_back(o.mib / secs);
  });
  add_row(rows, {"CPU to pass " + std::to_string(o.mib) + " MiB through the terminal", "s",
                 "busybox head writing to the pty"}, cpu);
  // The same runs, the runtime's process alone: the relay, without the container's `head`
  // (the larger and noisier part of the row above, and the same program under every runtime).
  Row own_row{"the runtime's own CPU for those " + std::to_string(o.mib) + " MiB", "s", ""};
  own_row.decimals = 3;
  add_row(rows, own_row, own);
  Row r{"throughput through the terminal", "MiB/s", "busybox head writing to the pty"};
  r.decimals = 0;
  add_row(rows, r, rate);
}

// `engine ps` over N created containers (real ones: an init waiting for start each).
void section_ps(const Options& o, std::vector<Runtime>& rts, const std::string& bundle,
                std::vector<Row>& rows) {
  Runtime& engine = rts.front();
  std::string base = id_base() + "-ps-";
  std::fprintf(stderr, "creating %d containers for ps...\n", o.ps);
  int made = 0;
  for (int i = 0; i < o.ps; ++i)
    if (run_timed(engine.cmd({"create", "--bundle", bundle, base + std::to_string(i)}), engine.log).status == 0)
      ++made;
  Samples ms, json_ms;
  int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  for (int i = 0; i < 30; ++i) {
    ms["engine"].push_back(run_timed(engine.cmd({"ps"}), engine.log, null_fd).ms);
    json_ms["engine"].push_back(run_timed(engine.cmd({"ps", "--format", "json"}), engine.log, null_fd).ms);
  }
  ::close(null_fd);
  for (int i = 0; i < o.ps; ++i) run_timed(engine.cmd({"delete", "--force", base + std::to_string(i)}), engine.log);
  add_row(rows, {"`engine ps` over " + std::to_string(made) + " created containers", "ms", ""}, ms);
  add_row(rows, {"`engine ps --format json` over " + std::to_string(made) + " created containers", "ms", ""},
          json_ms);
}

// ---- goals -----------------------------------------------------------------------------------

const Row* find_row(const std::vector<Row>& rows, const std::string& prefix) {
  for (const auto& r : rows)
    if (r.work.rfind(prefix, 0) == 0) return &r;
  return nullptr;
}

void print_goals(const std::vector<Row>& rows) {
  std::printf("\n| goal | measured | met |\n|---|---|---|\n");
  auto goal = [](const std::string& what, double value, double limit, const std::string& shown) {
    if (value < 0) return;
    std::printf("| %s | %s | %s |\n", what.c_str(), shown.c_str(), value <= limit ? "yes" : "no");
  };
  auto r2 = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", v);
    return std::string(b);
  };
  if (auto* r = find_row(rows, "`run`")) goal("`run` ≤ 0.7 × crun", ratio_value(*r, "engine", "crun"), 0.7, r2(ratio_value(*r, "engine", "crun")) + " × crun");
  if (auto* r = find_row(rows, "`exec")) goal("`exec` ≤ 0.7 × crun", ratio_value(*r, "engine", "crun"), 0.7, r2(ratio_value(*r, "engine", "crun")) + " × crun");
  if (auto* r = find_row(rows, "peak RSS")) goal("peak RSS ≤ crun", ratio_value(*r, "engine", "crun"), 1.0, r2(ratio_value(*r, "engine", "crun")) + " × crun");
  if (auto* r = find_row(rows, "terminal echo")) {
    goal("echo ≤ 0.7 × crun", ratio_value(*r, "engine", "crun"), 0.7, r2(ratio_value(*r, "engine", "crun")) + " × crun");
    goal("echo ≤ 3 × floor", ratio_value(*r, "engine", "floor"), 3.0, r2(ratio_value(*r, "engine", "floor")) + " × floor");
  }
  if (auto* r = find_row(rows, "CPU to pass")) goal("terminal CPU per MiB ≤ crun", ratio_value(*r, "engine", "crun"), 1.0, r2(ratio_value(*r, "engine", "crun")) + " × crun");
  if (auto* r = find_row(rows, "the runtime's own CPU"))
    goal("the runtime's own terminal CPU ≤ crun's", ratio_value(*r, "engine", "crun"), 1.0,
         r2(ratio_value(*r, "engine", "crun")) + " × crun");
  if (auto* r = find_row(rows, "`engine ps` over")) {
    double ms = r->by_runtime.at("engine").median;
    goal(r->work.substr(0, r->work.find(" created")) + " < 20 ms (the goal is for 1000)", ms, 20.0, r2(ms) + " ms");
  }
  if (auto* r = find_row(rows, "`state ID`")) goal("`state` no slower than runc", ratio_value(*r, "engine", "runc"), 1.0, r2(ratio_value(*r, "engine", "runc")) + " × runc");
  if (auto* r = find_row(rows, "`delete")) goal("`delete` no slower than runc", ratio_value(*r, "engine", "runc"), 1.0, r2(ratio_value(*r, "engine", "runc")) + " × runc");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o = parse_options(argc, argv);
    ::signal(SIGPIPE, SIG_IGN);
    std::string base = std::filesystem::canonical(o.bundle).string();
    nlohmann::json cfg = nlohmann::json::parse(std::ifstream(base + "/config.json"));
    std::string rootfs = cfg["root"]["path"];
    if (rootfs[0] != '/') rootfs = base + "/" + rootfs;
    std::string logdir = base + "/../bench-logs";
    std::filesystem::create_directories(logdir);
    auto rts = runtimes(o, logdir);
    std::string start_load = load();
    auto t0 = Clock::now();
    std::vector<Row> rows;
    if (o.wants("run")) section_run(o, rts, variant(base, "true", {"/bin/true"}, false), rootfs, rows);
    std::string sleeper = variant(base, "sleep", {"sleep", "3600"}, false);
    if (o.wants("exec")) section_exec_state(o, rts, sleeper, rootfs, rows);
    if (o.wants("delete")) section_delete(o, rts, sleeper, rows);
    if (o.wants("echo")) section_echo(o, rts, variant(base, "cat", {"cat"}, true), rootfs, rows);
    if (o.wants("cpu")) {
      std::string script = "head -c " + std::to_string(o.mib) + "m /dev/zero";
      section_cpu(o, rts, variant(base, "head", {"sh", "-c", script}, true), rootfs, rows);
    }
    if (o.wants("ps")) section_ps(o, rts, sleeper, rows);
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();

    const bool before = !o.engine_before.empty();
    std::printf("| work | unit | engine |%s runc | crun | floor | engine/crun | engine/runc | engine/floor |%s floor is |\n",
                before ? " before |" : "", before ? " engine/before | before/crun |" : "");
    std::printf("|---|---|---|---|---|---|---|---|---|%s---|\n", before ? "---|---|---|" : "");
    for (const auto& r : rows) {
      auto get = [&](const char* n) {
        auto it = r.by_runtime.find(n);
        return it == r.by_runtime.end() ? std::string("-") : cell(it->second, r.decimals, r.p99);
      };
      std::string before_cell = before ? " " + get("before") + " |" : "";
      std::string before_ratios =
          before ? " " + ratio(r, "engine", "before") + " | " + ratio(r, "before", "crun") + " |" : "";
      std::printf("| %s | %s | %s |%s %s | %s | %s | %s | %s | %s |%s %s |\n", r.work.c_str(), r.unit.c_str(),
                  get("engine").c_str(), before_cell.c_str(), get("runc").c_str(), get("crun").c_str(),
                  get("floor").c_str(), ratio(r, "engine", "crun").c_str(), ratio(r, "engine", "runc").c_str(),
                  ratio(r, "engine", "floor").c_str(), before_ratios.c_str(), r.floor_note.c_str());
    }
    print_goals(rows);
    std::printf("\nmedian (p10–p90); load average %s at the start, %s at the end; %.0f s in all.\n",
                start_load.c_str(), load().c_str(), secs);
    std::printf("crun is timed with its wrapper (unshare -m, a tmpfs on /sys/fs/cgroup/unified, exec).\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compare_runtimes: %s\n", e.what());
    return 1;
  }
}
