// Pure logic of the linux/ modules: no root, no syscalls with side effects.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/cgroups.hpp"
#include "linux/mount_options.hpp"
#include "linux/namespaces.hpp"
#include "linux/pidfs.hpp"
#include "linux/proc.hpp"
#include "linux/signals.hpp"

namespace engine::sys {
namespace {

TEST(Signals, NamesWithAndWithoutPrefixAnyCase) {
  EXPECT_EQ(parse_signal("KILL"), SIGKILL);
  EXPECT_EQ(parse_signal("SIGKILL"), SIGKILL);
  EXPECT_EQ(parse_signal("sigterm"), SIGTERM);
  EXPECT_EQ(parse_signal("hup"), SIGHUP);
  EXPECT_EQ(parse_signal("WINCH"), SIGWINCH);
}

TEST(Signals, Numbers) {
  EXPECT_EQ(parse_signal("9"), 9);
  EXPECT_EQ(parse_signal("15"), 15);
  EXPECT_EQ(parse_signal("0"), std::nullopt);
  EXPECT_EQ(parse_signal("65"), std::nullopt);
  EXPECT_EQ(parse_signal("-1"), std::nullopt);
}

TEST(Signals, RealtimeAndUnknown) {
  EXPECT_EQ(parse_signal("RTMIN"), SIGRTMIN);
  EXPECT_EQ(parse_signal("SIGRTMIN+2"), SIGRTMIN + 2);
  EXPECT_EQ(parse_signal("RTMAX-1"), SIGRTMAX - 1);
  EXPECT_EQ(parse_signal("RTMIN-1"), std::nullopt);
  EXPECT_EQ(parse_signal("NOPE"), std::nullopt);
  EXPECT_EQ(parse_signal(""), std::nullopt);
}

TEST(MountOptions, FlagsClearsAndData) {
  auto o = parse_mount_options({"nosuid", "noexec", "strictatime", "mode=755", "size=65536k"});
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID | MS_NOEXEC | MS_STRICTATIME));
  EXPECT_EQ(o.data, "mode=755,size=65536k");
  auto rw = parse_mount_options({"ro", "rw", "suid"});
  EXPECT_EQ(rw.flags & MS_RDONLY, 0u);
  EXPECT_TRUE(rw.clear_flags & MS_RDONLY);
  EXPECT_TRUE(rw.clear_flags & MS_NOSUID);
}

TEST(MountOptions, BindAndPropagation) {
  auto o = parse_mount_options({"rbind", "ro", "rprivate"});
  EXPECT_TRUE(o.bind());
  EXPECT_TRUE(o.recursive_bind());
  EXPECT_TRUE(o.flags & MS_RDONLY);
  EXPECT_EQ(o.propagation, static_cast<unsigned long>(MS_PRIVATE | MS_REC));
  EXPECT_EQ(o.data, "");
  auto b = parse_mount_options({"bind"});
  EXPECT_TRUE(b.bind());
  EXPECT_FALSE(b.recursive_bind());
}

TEST(MountOptions, DevptsDataKept) {
  auto o = parse_mount_options({"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"});
  EXPECT_EQ(o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
}

TEST(ProcStat, ParsesCommWithSpacesAndParens) {
  std::string line =
      "1234 (a (weird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 "
      "1000 100 18446744073709551615";
  auto st = parse_proc_stat(line);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->ppid, 1);
  EXPECT_EQ(st->start_time, 987654u);
  EXPECT_FALSE(parse_proc_stat("garbage"));
}

TEST(ProcStat, OwnProcessIsAliveAndAReusedPidIsNot) {
  auto start = process_start_time(::getpid());
  ASSERT_TRUE(start);
  EXPECT_TRUE(process_alive(::getpid(), *start));
  EXPECT_FALSE(process_alive(::getpid(), *start + 1));
  EXPECT_FALSE(process_alive(0, 0));
}

TEST(Pidfs, InodeIdentifiesAProcessUntilItExits) {
  uint64_t self = pidfs_inode(::getpid());
  if (self == 0) GTEST_SKIP() << "pidfds are not on pidfs (kernel before 6.9)";
  EXPECT_EQ(pidfs_inode(::getpid()), self);  // stable: the same process, the same inode
  EXPECT_TRUE(pidfs_alive(::getpid(), self));
  EXPECT_FALSE(pidfs_alive(::getpid(), self + 1));  // what a reused pid looks like
  EXPECT_FALSE(pidfs_alive(::getpid(), 0));
  EXPECT_FALSE(pidfs_alive(0, self));

  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  uint64_t inode = pidfs_inode(child);
  EXPECT_NE(inode, 0u);
  EXPECT_NE(inode, self);
  EXPECT_TRUE(pidfs_alive(child, inode));
  ::kill(child, SIGKILL);
  siginfo_t info{};
  ::waitid(P_PID, child, &info, WEXITED | WNOWAIT);  // a zombie, not yet reaped
  EXPECT_FALSE(pidfs_alive(child, inode));
  ::waitpid(child, nullptr, 0);
  EXPECT_FALSE(pidfs_alive(child, inode));
  EXPECT_EQ(pidfs_inode(child), 0u);
}

TEST(CgroupLayout, HybridHostIsV1) {
  std::string mountinfo =
      "30 23 0:26 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n"
      "31 30 0:27 / /sys/fs/cgroup/unified rw shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
      "32 30 0:28 / /sys/fs/cgroup/systemd rw shared:11 - cgroup cgroup rw,xattr,name=systemd\n"
      "35 30 0:31 / /sys/fs/cgroup/cpu,cpuacct rw shared:15 - cgroup cgroup rw,cpu,cpuacct\n"
      "36 30 0:32 / /sys/fs/cgroup/memory rw shared:16 - cgroup cgroup rw,memory\n";
  auto layout = parse_cgroup_layout(mountinfo);
  EXPECT_FALSE(layout.unified);
  EXPECT_EQ(layout.unified_root, "/sys/fs/cgroup/unified");
  ASSERT_EQ(layout.v1.size(), 3u);
  EXPECT_EQ(layout.v1[0].controllers, std::vector<std::string>{"name=systemd"});
  EXPECT_EQ(layout.v1[1].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(layout.v1[1].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
}

TEST(CgroupLayout, PureV2) {
  auto layout = parse_cgroup_layout(
      "30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
  EXPECT_TRUE(layout.unified);
  EXPECT_EQ(layout.unified_root, "/sys/fs/cgroup");
}

TEST(CgroupPath, DefaultAbsoluteRelativeAndSystemdForm) {
  EXPECT_EQ(cgroup_relative_path("", "abc"), "/engine/abc");
  EXPECT_EQ(cgroup_relative_path("/a/b", "abc"), "/a/b");
  EXPECT_EQ(cgroup_relative_path("a/b", "abc"), "/a/b");
  EXPECT_EQ(cgroup_relative_path("machine.slice:libpod:abc", "abc"), "/machine.slice/libpod-abc.scope");
}

TEST(CgroupPath, SharesToWeightMatchesRuncConversion) {
  EXPECT_EQ(cpu_shares_to_weight(2), 1u);
  EXPECT_EQ(cpu_shares_to_weight(1024), 39u);
  EXPECT_EQ(cpu_shares_to_weight(262144), 10000u);
  EXPECT_EQ(cpu_shares_to_weight(0), 0u);
}

TEST(Namespaces, CloneFlagsSkipJoinedAndCgroup) {
  oci::LinuxSpec spec;
  spec.namespaces = {{CLONE_NEWPID, ""}, {CLONE_NEWNET, "/proc/1/ns/net"}, {CLONE_NEWCGROUP, ""},
                     {CLONE_NEWNS, ""}};
  EXPECT_EQ(clone_flags(spec), CLONE_NEWPID | CLONE_NEWNS);
}

TEST(Namespaces, IdMappingFormat) {
  EXPECT_EQ(format_id_mappings({{0, 100000, 65536}, {65536, 1000, 1}}), "0 100000 65536\n65536 1000 1\n");
  EXPECT_EQ(namespace_path(42, CLONE_NEWNET), "/proc/42/ns/net");
}

}  // namespace
}  // namespace engine::sys
