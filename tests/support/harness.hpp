#pragma once
// Integration-test support: run the built engine binary, make busybox bundles, and check that
// nothing (container, mount, cgroup, process) is left behind.
#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace engine::test {

struct Result {
  int code = -1;  // exit code, 128+N for signal N, -1 on timeout
  std::string out;
  std::string err;
};

struct RunOptions {
  std::string input;                                  // written to stdin, then closed
  std::chrono::milliseconds timeout{30000};
  std::vector<int> extra_fds;                         // passed as fds 3, 4, ...
  bool inherit_stdin = false;
};

// The engine binary, with --root pointing at this test run's state directory.
std::string engine_binary();
std::string test_root();
Result engine(const std::vector<std::string>& args, const RunOptions& opts = {});
// The argv of such a run, for a program started another way (on a pty, in tmux).
std::vector<std::string> engine_argv(const std::vector<std::string>& args, const std::string& binary = engine_binary());
// The same for an engine binary elsewhere (an install, another build).
Result engine_at(const std::string& binary, const std::vector<std::string>& args, const RunOptions& opts = {});
// Runs any program.
Result run_program(const std::vector<std::string>& argv, const RunOptions& opts = {});

// A bundle in a fresh directory: rootfs with the host's static busybox and its applets,
// config.json from `engine spec`, adjusted for tests (no terminal, test cgroup parent).
class Bundle {
 public:
  Bundle();
  ~Bundle();
  Bundle(const Bundle&) = delete;

  const std::string& dir() const { return dir_; }
  std::string rootfs() const { return dir_ + "/rootfs"; }
  nlohmann::json& config() { return config_; }
  // Sets process.args (and writes config.json).
  Bundle& args(const std::vector<std::string>& argv);
  // A user namespace mapping container 0..65535 to host 100000.., without /sys (sysfs needs
  // the network namespace's owner). Writes config.json.
  Bundle& use_user_namespace();
  void write() const;

 private:
  std::string dir_;
  nlohmann::json config_;
};

// A unique container id for this test.
std::string unique_id(const std::string& stem = "c");

// What may leak from a container: cgroup directories, mounts, processes, state rows.
struct Leaks {
  std::vector<std::string> cgroups;
  std::vector<std::string> mounts;
  std::vector<std::string> containers;
  std::vector<pid_t> processes;
  bool empty() const { return cgroups.empty() && mounts.empty() && containers.empty() && processes.empty(); }
  std::string describe() const;
};
Leaks find_leaks();

// Base fixture: fails the test if it leaves anything behind, then cleans it up so one
// failure does not cascade.
class EngineTest : public ::testing::Test {
 protected:
  void TearDown() override;
};

// `run -d` of b with its init sleeping; returns the new container's id.
std::string start_sleeper(Bundle& b);

// Waits until pred() is true or the timeout passes.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace engine::test
