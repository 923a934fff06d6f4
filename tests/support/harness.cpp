#include "support/spawn.hpp"
#include "support/harness.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "linux/cgroups.hpp"

namespace fs = std::filesystem;

namespace engine::test {
namespace {

// Every process a test starts carries this in its environment, so leftovers can be found.
std::string marker() { return "ENGINE_TEST_RUN=" + std::to_string(::getpid()); }

std::string base_dir() {
  static const std::string dir = [] {
    std::string d = "/tmp/engine-it-" + std::to_string(::getpid());
    fs::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      fs::remove_all("/tmp/engine-it-" + std::to_string(::getpid()), ec);
    });
    return d;
  }();
  return dir;
}

// The busybox applets the tests use, linked into every rootfs.
constexpr const char* kApplets[] = {
    "sh", "ls", "cat", "echo", "sleep", "tty", "stty", "id", "pwd", "true", "false", "env",
    "hostname", "head", "tail", "wc", "grep", "sed", "readlink", "stat", "touch", "mkdir",
    "ps", "kill", "test", "seq", "printf", "dd", "yes", "ulimit", "uname", "mount", "date", "cut",
    "tr", "sort", "find", "xargs", "nproc", "whoami", "setsid", "timeout", "od", "wait", "rm"};

void make_rootfs(const std::string& rootfs) {
  for (const char* d : {"bin", "proc", "sys", "dev", "tmp", "etc", "root"}) fs::create_directories(rootfs + "/" + d);
  // Hard link when possible: fast and small; copy across filesystems.
  std::error_code ec;
  fs::create_hard_link("/bin/busybox", rootfs + "/bin/busybox", ec);
  if (ec) fs::copy_file("/bin/busybox", rootfs + "/bin/busybox");
  for (const char* a : kApplets) fs::create_symlink("busybox", rootfs + "/bin/" + a);
  fs::create_hard_link(ENGINE_PROBE, rootfs + "/bin/probe", ec);
  if (ec) fs::copy_file(ENGINE_PROBE, rootfs + "/bin/probe");
  std::ofstream(rootfs + "/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n";
  std::ofstream(rootfs + "/etc/group") << "root:x:0:\ntty:x:5:\nnobody:x:65534:\n";
}

}  // namespace

std::string engine_binary() { return ENGINE_BINARY; }
std::string test_root() { return base_dir() + "/root"; }

Result run_program(const std::vector<std::string>& argv, const RunOptions& opts) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) throw std::runtime_error("pipe");
  pid_t pid = ::fork();
  if (pid == 0) {
    if (!opts.inherit_stdin) ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    int next = 3;
    for (int fd : opts.extra_fds) {
      int copy = ::fcntl(fd, F_DUPFD, 100);  // out of the way of the 3.. range
      ::dup2(copy, next++);
    }
    exec_marked(argv);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  // Feed stdin from a thread so a program that writes a lot before reading cannot deadlock us.
  std::thread feeder([fd = in[1], data = opts.input] {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::write(fd, data.data() + off, data.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::close(fd);
  });
  // Read until the program has exited, not until EOF: a container created with pass-through
  // stdio keeps the pipes open long after `engine create` returned (runc#1721).
  Result r;
  for (int fd : {out[0], err[0]}) ::fcntl(fd, F_SETFL, O_NONBLOCK);
  auto drain = [&] {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(out[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<size_t>(n));
    while ((n = ::read(err[0], buf, sizeof buf)) > 0) r.err.append(buf, static_cast<size_t>(n));
  };
  auto deadline = std::chrono::steady_clock::now() + opts.timeout;
  int status = 0;
  bool killed = false;
  for (;;) {
    struct pollfd p[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    ::poll(p, 2, 5);
    drain();
    if (::waitpid(pid, &status, WNOHANG) == pid) break;
    if (!killed && std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
  }
  drain();
  feeder.join();
  ::close(out[0]);
  ::close(err[0]);
  if (killed) r.code = -1;
  else if (WIFEXITED(status)) r.code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) r.code = 128 + WTERMSIG(status);
  return r;
}

Result engine(const std::vector<std::string>& args, const RunOptions& opts) {
  return engine_at(engine_binary(), args, opts);
}

std::vector<std::string> engine_argv(const std::vector<std::string>& args, const std::string& binary) {
  std::vector<std::string> argv = {binary, "--root", test_root()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

Result engine_at(const std::string& binary, const std::vector<std::string>& args, const RunOptions& opts) {
  return run_program(engine_argv(args, binary), opts);
}

std::string start_sleeper(Bundle& b) {
  b.args({"sleep", "1000"});
  std::string id = unique_id();
  Result r = engine({"run", "-d", "--bundle", b.dir(), id});
  EXPECT_EQ(r.code, 0) << r.err;
  return id;
}

std::string unique_id(const std::string& stem) {
  static int counter = 0;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->name()) : "t";
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';
  return stem + "-" + name.substr(0, 40) + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

Bundle::Bundle() {
  static int counter = 0;
  dir_ = base_dir() + "/bundle-" + std::to_string(++counter);
  fs::create_directories(dir_);
  make_rootfs(rootfs());
  Result r = run_program({engine_binary(), "spec", "--bundle", dir_});
  if (r.code != 0) throw std::runtime_error("engine spec failed: " + r.err);
  config_ = nlohmann::json::parse(std::ifstream(dir_ + "/config.json"));
  config_["process"]["terminal"] = false;
  config_["root"]["readonly"] = false;  // tests write marker files; one test checks readonly
  config_["process"]["env"].push_back(marker());
  write();
}

Bundle::~Bundle() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

Bundle& Bundle::args(const std::vector<std::string>& argv) {
  config_["process"]["args"] = argv;
  write();
  return *this;
}

Bundle& Bundle::use_user_namespace() {
  auto& lin = config_["linux"];
  lin["namespaces"].push_back({{"type", "user"}});
  lin["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  lin["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  auto& mounts = config_["mounts"];
  for (size_t i = 0; i < mounts.size(); ++i)
    if (mounts[i]["destination"] == "/sys" || mounts[i]["destination"] == "/sys/fs/cgroup") mounts.erase(i--);
  write();
  return *this;
}

void Bundle::write() const {
  nlohmann::json cfg = config_;
  std::ofstream(dir_ + "/config.json") << cfg.dump(2);
}

std::string Leaks::describe() const {
  std::ostringstream s;
  for (const auto& c : containers) s << "container " << c << "; ";
  for (const auto& c : cgroups) s << "cgroup " << c << "; ";
  for (const auto& m : mounts) s << "mount " << m << "; ";
  for (pid_t p : processes) s << "process " << p << "; ";
  return s.str();
}

Leaks find_leaks() {
  Leaks leaks;
  Result ps = engine({"ps", "-q"});
  std::istringstream ids(ps.out);
  for (std::string id; std::getline(ids, id);)
    if (!id.empty()) leaks.containers.push_back(id);
  // Test container ids carry this process's pid; their cgroups live under the default parent.
  std::string tag = "-" + std::to_string(::getpid()) + "-";
  for (const auto& dir : sys::Cgroup::attach("/engine").directories()) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.is_directory() && e.path().filename().string().find(tag) != std::string::npos)
        leaks.cgroups.push_back(e.path().string());
  }
  std::ifstream mountinfo("/proc/self/mountinfo");
  for (std::string line; std::getline(mountinfo, line);)
    if (line.find(base_dir()) != std::string::npos) leaks.mounts.push_back(line);
  std::string mark = marker();
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename().string();
    if (!std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    pid_t pid = std::stoi(name);
    if (pid == ::getpid()) continue;
    std::ifstream env(e.path() / "environ");
    std::string text((std::istreambuf_iterator<char>(env)), std::istreambuf_iterator<char>());
    if (text.find(mark + '\0') == std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string st;
    std::getline(stat, st);
    size_t close = st.rfind(')');
    if (close != std::string::npos && close + 2 < st.size() && st[close + 2] == 'Z') continue;
    leaks.processes.push_back(pid);
  }
  return leaks;
}

void EngineTest::TearDown() {
  Leaks leaks = find_leaks();
  EXPECT_TRUE(leaks.empty()) << "left behind: " << leaks.describe();
  for (const auto& id : leaks.containers) engine({"delete", "--force", id});
  for (pid_t pid : leaks.processes) ::kill(pid, SIGKILL);
  for (const auto& dir : leaks.cgroups) {
    eventually([&] { return ::rmdir(dir.c_str()) == 0 || errno == ENOENT; }, std::chrono::seconds(2));
  }
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

}  // namespace engine::test
