// Pure cgroup v2 hosts. This host is hybrid (v1 controllers, cgroup2 at
// /sys/fs/cgroup/unified), so each engine command runs in a private mount namespace where
// /sys/fs/cgroup is the cgroup2 hierarchy alone: the engine sees a pure v2 host, and the
// test checks what it did from the host's view of the same hierarchy.
#include <sys/statfs.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/harness.hpp"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

namespace engine::test {
namespace {

namespace fs = std::filesystem;

bool is_cgroup2(const std::string& path) {
  struct statfs s;
  return ::statfs(path.c_str(), &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class CgroupV2 : public EngineTest {
 protected:
  void SetUp() override {
    if (is_cgroup2("/sys/fs/cgroup")) {
      host_v2_ = "/sys/fs/cgroup";
      hide_v1_ = false;  // already a pure v2 host
    } else if (is_cgroup2("/sys/fs/cgroup/unified")) {
      host_v2_ = "/sys/fs/cgroup/unified";
    } else {
      GTEST_SKIP() << "no cgroup2 hierarchy on this host";
    }
  }
  void TearDown() override {
    // The harness checks the v1 hierarchies; this hierarchy is checked here.
    std::string tag = "-" + std::to_string(::getpid()) + "-";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(host_v2_ + "/engine", ec))
      EXPECT_EQ(e.path().filename().string().find(tag), std::string::npos) << "left behind: " << e.path();
    EngineTest::TearDown();
  }
  // The engine as a pure v2 host would run it. `mount --make-rprivate /` first: the unmount
  // must never reach the host.
  Result v2_engine(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/unshare", "-m", "/bin/sh", "-c",
                                     hide_v1_ ? "mount --make-rprivate / && umount -R /sys/fs/cgroup && "
                                                "mount -t cgroup2 none /sys/fs/cgroup && exec \"$@\""
                                              : "exec \"$@\"",
                                     "sh"};
    std::vector<std::string> engine_args = engine_argv(args);
    argv.insert(argv.end(), engine_args.begin(), engine_args.end());
    return run_program(argv);
  }
  std::string cgroup_dir(const std::string& id) { return host_v2_ + "/engine/" + id; }

  std::string host_v2_;
  bool hide_v1_ = true;
};

TEST_F(CgroupV2, LifecycleInTheUnifiedHierarchy) {
  Bundle b;
  b.args({"sleep", "1000"});
  std::string id = unique_id();
  Result r = v2_engine({"run", "-d", "--bundle", b.dir(), id});
  ASSERT_EQ(r.code, 0) << r.err;
  int init = nlohmann::json::parse(v2_engine({"state", id}).out)["pid"];
  // The init is in the container's cgroup of the v2 hierarchy, and in no v1 one of its own.
  EXPECT_EQ(slurp(cgroup_dir(id) + "/cgroup.procs"), std::to_string(init) + "\n");
  if (hide_v1_) {
    EXPECT_FALSE(fs::exists("/sys/fs/cgroup/memory/engine/" + id));
  }
  std::string host_view = slurp("/proc/" + std::to_string(init) + "/cgroup");
  EXPECT_NE(host_view.find("0::/engine/" + id + "\n"), std::string::npos) << host_view;

  // pause and resume go through cgroup.freeze.
  ASSERT_EQ(v2_engine({"pause", id}).code, 0);
  EXPECT_EQ(slurp(cgroup_dir(id) + "/cgroup.freeze"), "1\n");
  EXPECT_EQ(nlohmann::json::parse(v2_engine({"state", id}).out)["status"], "paused");
  ASSERT_EQ(v2_engine({"resume", id}).code, 0);
  EXPECT_EQ(slurp(cgroup_dir(id) + "/cgroup.freeze"), "0\n");

  // exec joins the same cgroup: the root of the container's cgroup namespace (the kernel
  // still lists this host's v1 hierarchies before it).
  Result e = v2_engine({"exec", id, "cat", "/proc/self/cgroup"});
  EXPECT_EQ(e.code, 0) << e.err;
  ASSERT_GE(e.out.size(), 5u);
  EXPECT_EQ(e.out.substr(e.out.size() - 5), "0::/\n") << e.out;
  Result ps = v2_engine({"ps", "--format", "json", id});
  EXPECT_EQ(ps.code, 0) << ps.err;
  EXPECT_EQ(nlohmann::json::parse(ps.out).size(), 1u) << ps.out;  // the exec has gone

  ASSERT_EQ(v2_engine({"delete", "-f", id}).code, 0);
  EXPECT_FALSE(fs::exists(cgroup_dir(id)));
}

// v2 has no devices controller: the device rules are enforced by an eBPF program. An open
// the rules allow reaches the (missing) driver, ENXIO; one they deny stops at EPERM. The same
// bundle under v1 must agree.
TEST_F(CgroupV2, DeviceRulesAreEnforcedAsOnV1) {
  Bundle b;
  for (const char* set : {"bounding", "effective", "permitted"})
    b.config()["process"]["capabilities"][set].push_back("CAP_MKNOD");
  b.config()["linux"]["resources"]["devices"] = nlohmann::json::parse(R"([
    {"allow": false, "access": "rwm"},
    {"allow": true, "type": "c", "major": 42, "minor": 0, "access": "r"}])");
  b.args({"sh", "-c",
          "mknod /dev/r c 42 0; mknod /dev/o c 42 1; cat /dev/r; echo > /dev/r; cat /dev/o; "
          "echo x > /dev/null && echo null works"});
  std::string expected =
      "cat: can't open '/dev/r': No such device or address\n"
      "sh: can't create /dev/r: Operation not permitted\n"
      "cat: can't open '/dev/o': Operation not permitted\n";
  Result v2 = v2_engine({"run", "--bundle", b.dir(), unique_id()});
  EXPECT_EQ(v2.out, "null works\n");
  EXPECT_EQ(v2.err, expected);
  if (hide_v1_) {
    Result v1 = engine({"run", "--bundle", b.dir(), unique_id()});
    EXPECT_EQ(v1.out, "null works\n");
    EXPECT_EQ(v1.err, expected);
  }
}

// A limit whose controller the v2 hierarchy lacks fails create, naming the file, and leaves
// nothing behind (on this hybrid host the controllers are all bound to v1).
TEST_F(CgroupV2, MissingControllerFailsCreateCleanly) {
  if (slurp(host_v2_ + "/cgroup.controllers").find("pids") != std::string::npos)
    GTEST_SKIP() << "pids is available in cgroup v2 here";
  Bundle b;
  b.config()["linux"]["resources"]["pids"]["limit"] = 10;
  b.args({"true"});
  std::string id = unique_id();
  Result r = v2_engine({"create", "--bundle", b.dir(), id});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("pids.max: controller not available"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(cgroup_dir(id)));
  EXPECT_FALSE(fs::exists(test_root() + "/" + id));
}

}  // namespace
}  // namespace engine::test
