#include "compare/workspace.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "common/error.hpp"
#include "common/file.hpp"
#include "compare/bundle.hpp"
#include "compare/pty_run.hpp"
#include "linux/process.hpp"

namespace engine::compare {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBusybox = "/bin/busybox";

// Runs argv to the end in a session of its own (a ^C at the caller's terminal must not stop
// the clean-up), stdin and stderr on /dev/null; returns its stdout.
std::string run_quiet(const std::vector<std::string>& argv) {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) return {};
  UniqueFd out(ends[0]), in(ends[1]);
  sys::ChildGuard child(::fork());
  if (child.get() == 0) {
    ::setsid();
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(in.get(), 1);
    ::dup2(null, 2);
    exec_child(argv);
  }
  in.reset();
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(out.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) text.append(buf, static_cast<size_t>(n));
  if (child.get() > 0) sys::wait_status(child.release());
  return text;
}

}  // namespace

TempDir::TempDir(const std::string& pattern) : path_(pattern) {
  if (!::mkdtemp(path_.data())) throw_errno("create " + pattern);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Workspace::Workspace(const std::string& bundle, Programs programs)
    : programs_(std::move(programs)),
      dir_((fs::temp_directory_path() / ("engine-compare-" + std::to_string(::getpid()) + "-XXXXXX")).string()),
      root_("/run/engine-compare-" + std::to_string(::getpid()) + "-XXXXXX") {
  if (bundle.empty()) {
    make_busybox_rootfs(dir_.path() + "/rootfs", kBusybox);
    base_ = default_config(dir_.path() + "/rootfs");
  } else {
    base_ = config_from_bundle(bundle);
  }
}

// Before the root goes: a container's state lives there.
Workspace::~Workspace() { remove_containers(); }

// `engine run` removes its container when it ends; this catches those it could not (killed
// on ^C or a timeout).
void Workspace::remove_containers() const noexcept {
  try {
    std::istringstream ids(run_quiet({programs_.engine, "--root", root_.path(), "ps", "-q"}));
    for (std::string id; std::getline(ids, id);)
      if (!id.empty()) run_quiet({programs_.engine, "--root", root_.path(), "delete", "--force", id});
  } catch (...) {
  }
}

std::vector<std::string> Workspace::command(const Subject& subject, const std::vector<std::string>& probe_args) {
  if (subject.is_floor()) {
    std::vector<std::string> argv{programs_.probe};
    argv.insert(argv.end(), probe_args.begin(), probe_args.end());
    return argv;
  }
  write_file(dir_.path() + "/config.json", workload_config(base_, programs_.probe, probe_args).dump(2));
  std::vector<std::string> argv{programs_.engine, "--root", root_.path()};
  for (const auto& d : programs_.plugin_dirs) argv.insert(argv.end(), {"--plugin-dir", d});
  argv.insert(argv.end(), {"run", "--tty-provider", subject.provider});
  if (subject.passthrough) argv.push_back("--tty-passthrough");
  if (subject.raw_relay) argv.push_back("--tty-raw");
  std::string id = "compare-" + std::to_string(::getpid()) + "-" + std::to_string(++runs_);
  argv.insert(argv.end(), {"--bundle", dir_.path(), id});
  return argv;
}

}  // namespace engine::compare
