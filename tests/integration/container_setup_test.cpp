// What the process finds inside: user, groups, env, cwd, hostname, rlimits, capabilities,
// no_new_privs, devices, masked and read-only paths, and no fd leaked from the engine.
#include <fcntl.h>

#include <fstream>

#include "support/harness.hpp"

namespace engine::test {
namespace {

class ContainerSetup : public EngineTest {
 protected:
  Result run_in(Bundle& b, const std::string& script, const RunOptions& o = {}) {
    b.args({"sh", "-c", script});
    return engine({"run", "--bundle", b.dir(), unique_id()}, o);
  }
};

TEST_F(ContainerSetup, UserGroupsEnvCwdHostname) {
  Bundle b;
  b.config()["process"]["user"] = {{"uid", 1000}, {"gid", 1001}, {"additionalGids", {5, 2000}}};
  b.config()["process"]["env"].push_back("GREETING=hello world");
  b.config()["process"]["cwd"] = "/tmp/work";
  b.config()["hostname"] = "box-one";
  b.write();
  Result r = run_in(b, "echo $(id -u):$(id -g):$(id -G) \"$GREETING\" $(pwd) $(hostname)");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "1000:1001:1001 5 2000 hello world /tmp/work box-one\n");
}

TEST_F(ContainerSetup, RlimitsApplied) {
  Bundle b;
  b.config()["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"hard", 512}, {"soft", 256}}};
  b.write();
  Result r = run_in(b, "ulimit -n; ulimit -Hn");
  EXPECT_EQ(r.out, "256\n512\n") << r.err;
}

TEST_F(ContainerSetup, CapabilitiesAndNoNewPrivileges) {
  Bundle b;  // default spec: AUDIT_WRITE, KILL, NET_BIND_SERVICE; noNewPrivileges true
  Result r = run_in(b, "grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status");
  EXPECT_NE(r.out.find("CapEff:\t0000000020000420"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CapBnd:\t0000000020000420"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NoNewPrivs:\t1"), std::string::npos) << r.out;
}

TEST_F(ContainerSetup, DefaultDevicesAndLinks) {
  Bundle b;
  Result r = run_in(b,
                    "for d in null zero full random urandom tty; do test -c /dev/$d || echo missing $d; done;"
                    "readlink /dev/fd; readlink /dev/stdin; readlink /dev/ptmx; head -c 4 /dev/zero | od -An -tx1");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "/proc/self/fd\n/proc/self/fd/0\npts/ptmx\n 00 00 00 00\n");
}

TEST_F(ContainerSetup, MaskedAndReadonlyPaths) {
  Bundle b;
  Result r = run_in(b, "wc -c < /proc/keys; ls /proc/acpi | wc -l; echo 1 > /proc/sys/kernel/domainname && echo wrote");
  EXPECT_EQ(r.out, "0\n0\n") << r.err;
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << r.err;
}

TEST_F(ContainerSetup, ReadonlyRoot) {
  Bundle b;
  b.config()["root"]["readonly"] = true;
  b.write();
  Result r = run_in(b, "touch /newfile 2>&1; touch /dev/shm/ok && echo shm-writable");
  EXPECT_NE(r.out.find("Read-only file system"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("shm-writable"), std::string::npos) << r.out;
}

TEST_F(ContainerSetup, NoNetworkButLoopback) {
  Bundle b;
  Result r = run_in(b, "ls /sys/class/net");
  EXPECT_EQ(r.out, "lo\n") << r.err;
}

TEST_F(ContainerSetup, NoEngineFdLeaksIntoTheContainer) {
  Bundle b;
  // ls itself holds one fd on the directory it lists; everything else must be 0, 1, 2.
  Result r = run_in(b, "ls /proc/self/fd | wc -l");
  EXPECT_EQ(r.out, "4\n") << r.err;
}

TEST_F(ContainerSetup, PreserveFdsPassesExactlyThoseFds) {
  Bundle b;
  std::string path = b.dir() + "/passed";
  std::ofstream(path) << "through fd 3\n";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  RunOptions o;
  o.extra_fds = {fd};
  b.args({"sh", "-c", "cat <&3; ls /proc/self/fd | wc -l"});
  Result r = engine({"run", "--preserve-fds", "1", "--bundle", b.dir(), unique_id()}, o);
  ::close(fd);
  EXPECT_EQ(r.out, "through fd 3\n5\n") << r.err;
}

TEST_F(ContainerSetup, NoPivotRunsTheSameContainer) {
  Bundle b;
  b.args({"sh", "-c", "ls /; cat /proc/self/mountinfo | wc -l"});
  Result r = engine({"run", "--no-pivot", "--bundle", b.dir(), unique_id()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("bin\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("home"), std::string::npos) << "the host's root shows through: " << r.out;
}

TEST_F(ContainerSetup, SessionKeyringIsTheContainersOwn) {
  // /proc/keys is masked inside by the default spec: look from the host for the keyring
  // named after the container.
  Bundle b;
  b.args({"sleep", "100"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"run", "-d", "--bundle", b.dir(), id}).code, 0);
  Result keys = run_program({"/bin/busybox", "sh", "-c", "grep -c '_ses." + id + "' /proc/keys || true"});
  EXPECT_EQ(keys.out, "1\n") << keys.out;
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
  // With --no-new-keyring there is none.
  std::string plain = unique_id();
  ASSERT_EQ(engine({"run", "-d", "--no-new-keyring", "--bundle", b.dir(), plain}).code, 0);
  keys = run_program({"/bin/busybox", "sh", "-c", "grep -c '_ses." + plain + "' /proc/keys || true"});
  EXPECT_EQ(keys.out, "0\n") << keys.out;
  EXPECT_EQ(engine({"delete", "-f", plain}).code, 0);
}

TEST_F(ContainerSetup, CgroupLimitsApplied) {
  Bundle b;
  b.config()["linux"]["resources"]["pids"] = {{"limit", 42}};
  b.config()["linux"]["resources"]["memory"] = {{"limit", 64 * 1024 * 1024}};
  b.write();
  Result r = run_in(b, "cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || "
                       "cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max");
  EXPECT_EQ(r.out, "42\n67108864\n") << r.err;
}

TEST_F(ContainerSetup, SeccompRuleDeniesASyscall) {
  Bundle b;
  b.config()["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"architectures", {"SCMP_ARCH_X86_64"}},
      {"syscalls", {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}}}}};
  b.write();
  Result r = run_in(b, "mkdir /tmp/x 2>&1; echo done");
  EXPECT_NE(r.out.find("Operation not permitted"), std::string::npos) << r.out;
}

TEST_F(ContainerSetup, UserNamespaceMapsIds) {
  Bundle b;
  b.use_user_namespace();
  std::filesystem::permissions(b.dir(), std::filesystem::perms::all);
  Result r = run_in(b, "id -u; cat /proc/self/uid_map");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("0\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("100000"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace engine::test
