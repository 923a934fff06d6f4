// engine exec: joining a running container's namespaces and cgroup, with and without a pty.
#include <signal.h>
#include <sys/socket.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "linux/unix_socket.hpp"
#include "state/store.hpp"
#include "support/harness.hpp"
#include "support/pty_session.hpp"

namespace engine::test {
namespace {

class Exec : public EngineTest {
 protected:
  std::vector<std::string> exec_argv(const std::string& id, std::vector<std::string> rest) {
    rest.insert(rest.begin(), {"exec", "-t", id});
    return engine_argv(rest);
  }
};

TEST_F(Exec, OutputExitCodeAndNamespaces) {
  Bundle b;
  b.config()["hostname"] = "inside";
  b.write();
  std::string id = start_sleeper(b);
  Result r = engine({"exec", id, "sh", "-c", "echo $(hostname) pid1=$(cat /proc/1/cmdline | tr '\\0' ' '); exit 7"});
  EXPECT_EQ(r.code, 7) << r.err;
  EXPECT_EQ(r.out, "inside pid1=sleep 1000\n");
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Exec, JoinsTheUserAndCgroupNamespaces) {
  Bundle b;
  b.use_user_namespace();
  std::string id = start_sleeper(b);
  int init = nlohmann::json::parse(engine({"state", id}).out)["pid"];
  Result r = engine({"exec", id, "sh", "-c", "id -u; cat /proc/self/uid_map; cat /proc/self/cgroup | head -1"});
  EXPECT_EQ(r.code, 0) << r.err;
  std::istringstream out(r.out);
  std::string uid, map, cgroup;
  std::getline(out, uid);
  std::getline(out, map);
  std::getline(out, cgroup);
  EXPECT_EQ(uid, "0");
  EXPECT_NE(map.find("100000"), std::string::npos) << map;
  // In the container's cgroup namespace its own cgroup is the root.
  EXPECT_EQ(cgroup.substr(cgroup.rfind(':')), ":/") << cgroup;
  for (const char* ns : {"user", "cgroup", "mnt", "pid", "net"}) {
    std::string mine = std::filesystem::read_symlink("/proc/" + std::to_string(init) + "/ns/" + ns);
    Result inside = engine({"exec", id, "readlink", std::string("/proc/self/ns/") + ns});
    EXPECT_EQ(inside.out, mine + "\n") << ns;
  }
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Exec, MissingProgramIs127WithTheCause) {
  Bundle b;
  std::string id = start_sleeper(b);
  Result r = engine({"exec", id, "no-such-program"});
  EXPECT_EQ(r.code, 127);
  EXPECT_NE(r.err.find("\"no-such-program\": executable file not found"), std::string::npos) << r.err;
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Exec, UserCwdAndEnv) {
  Bundle b;
  std::string id = start_sleeper(b);
  Result r = engine({"exec", "-u", "1000:1001", "--cwd", "/tmp", "-e", "FOO=bar", id, "sh", "-c",
                     "echo $(id -u):$(id -g) $(pwd) $FOO"});
  EXPECT_EQ(r.out, "1000:1001 /tmp bar\n") << r.err;
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Exec, NoEngineFdLeaksIntoTheProcess) {
  Bundle b;
  std::string id = start_sleeper(b);
  Result r = engine({"exec", id, "sh", "-c", "ls /proc/self/fd | wc -l"});
  EXPECT_EQ(r.out, "4\n") << r.err;  // 0, 1, 2 and ls's own directory fd
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Exec, ProcessJsonDetachedWithPidFileAndPs) {
  Bundle b;
  std::string id = start_sleeper(b);
  std::string process = b.dir() + "/process.json";
  std::ofstream(process) << nlohmann::json{
      {"terminal", false}, {"user", {{"uid", 0}, {"gid", 0}}}, {"cwd", "/"},
      {"env", {"PATH=/bin", "WHO=process-json"}},
      {"args", {"sh", "-c", "echo $WHO > /tmp/marker; exec sleep 1000"}}}.dump();
  std::string pid_file = b.dir() + "/exec.pid";
  Result r = engine({"exec", "--process", process, "--detach", "--pid-file", pid_file, id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return std::filesystem::exists(b.rootfs() + "/tmp/marker"); }));
  std::ifstream marker(b.rootfs() + "/tmp/marker");
  std::string who;
  marker >> who;
  EXPECT_EQ(who, "process-json");
  int pid = 0;
  std::ifstream(pid_file) >> pid;
  auto pids = nlohmann::json::parse(engine({"ps", "--format", "json", id}).out);
  int init = nlohmann::json::parse(engine({"state", id}).out)["pid"];
  EXPECT_EQ(pids.size(), 2u) << pids;
  EXPECT_NE(std::find(pids.begin(), pids.end(), init), pids.end());
  EXPECT_NE(std::find(pids.begin(), pids.end(), pid), pids.end());
  Result table = engine({"ps", id});
  EXPECT_NE(table.out.find("sleep 1000"), std::string::npos) << table.out;
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Exec, RecordedInStateAndRemovedWithTheContainer) {
  Bundle b;
  std::string id = start_sleeper(b);
  ASSERT_EQ(engine({"exec", id, "sh", "-c", "exit 3"}).code, 3);
  {
    auto store = state::Store::open(test_root());
    auto execs = store.list_execs(id);
    ASSERT_EQ(execs.size(), 1u);
    EXPECT_EQ(execs[0].status, state::Status::stopped);
    EXPECT_EQ(execs[0].exit_code, 3);
    EXPECT_GT(execs[0].pid, 0);
  }
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
  auto store = state::Store::open(test_root());
  EXPECT_TRUE(store.list_execs(id).empty());
}

TEST_F(Exec, IntoAStoppedContainerFailsCleanly) {
  Bundle b;
  b.args({"true"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"run", "-d", "--bundle", b.dir(), id}).code, 0);
  ASSERT_TRUE(eventually([&] { return engine({"state", id}).out.find("stopped") != std::string::npos; }));
  Result r = engine({"exec", id, "true"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("stopped"), std::string::npos) << r.err;
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Exec, IntoAPausedContainerFailsCleanly) {
  Bundle b;
  std::string id = start_sleeper(b);
  ASSERT_EQ(engine({"pause", id}).code, 0);
  EXPECT_EQ(nlohmann::json::parse(engine({"state", id}).out)["status"], "paused");
  Result r = engine({"exec", id, "true"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("paused"), std::string::npos) << r.err;
  EXPECT_EQ(engine({"resume", id}).code, 0);
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Exec, TtyFromTheContainersOwnDevpts) {
  Bundle b;
  std::string id = start_sleeper(b);
  PtySession s(exec_argv(id, {"sh", "-c", "tty; ls /dev/pts | tr '\\n' ' '; echo; stty size"}), 21, 77);
  EXPECT_TRUE(s.expect("/dev/pts/0")) << s.transcript();
  EXPECT_TRUE(s.expect("0 ptmx")) << s.transcript();
  EXPECT_TRUE(s.expect("21 77")) << s.transcript();
  EXPECT_EQ(s.wait(), 0);
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Exec, TtyBesideTheInitsPty) {
  Bundle b;
  b.config()["process"]["terminal"] = true;
  b.args({"sleep", "1000"});
  std::string sock = b.dir() + "/console.sock";
  UniqueFd listener = sys::listen_unix(sock);
  std::string id = unique_id();
  ASSERT_EQ(engine({"create", "--console-socket", sock, "--bundle", b.dir(), id}).code, 0);
  ASSERT_EQ(engine({"start", id}).code, 0);
  PtySession s(exec_argv(id, {"sh", "-c", "tty; echo [$(ls /dev/pts | tr '\\n' ' ')]"}));
  EXPECT_TRUE(s.expect("/dev/pts/1")) << s.transcript();
  EXPECT_TRUE(s.expect("[0 1 ptmx ]")) << s.transcript();
  EXPECT_EQ(s.wait(), 0);
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Exec, TtyResizeAndCtrlC) {
  Bundle b;
  std::string id = start_sleeper(b);
  // Not an interactive shell: its line editor queries the cursor after a resize and would
  // swallow the test's keys waiting for an answer.
  PtySession s(exec_argv(id, {"sh", "-c", "stty size; read line; stty size; sleep 100; echo not-reached"}),
               24, 80);
  ASSERT_TRUE(s.expect("24 80")) << s.transcript();
  s.resize(50, 132);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  s.send("\r");
  EXPECT_TRUE(s.expect("50 132")) << s.transcript();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  s.send("\x03");  // SIGINT to the foreground process group: the shell and its sleep
  EXPECT_EQ(s.wait(), 128 + SIGINT) << s.transcript();
  EXPECT_EQ(s.transcript().find("not-reached"), std::string::npos);
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

// exec -t from a terminal relays in linemode as run -t does: the caller's terminal follows
// the exec'd program's modes.
TEST_F(Exec, TtyInLinemodeFollowsTheProgramsModes) {
  Bundle b;
  std::string id = start_sleeper(b);
  PtySession s(exec_argv(id, {"sh", "-c", "stty -echo; echo no-echo; read a; echo got=$a"}));
  ASSERT_TRUE(s.expect("no-echo")) << s.transcript();
  EXPECT_TRUE(s.modes().c_lflag & ICANON);
  EXPECT_FALSE(s.modes().c_lflag & ECHO);
  s.send("hidden\r");
  EXPECT_TRUE(s.expect("got=hidden")) << s.transcript();
  EXPECT_EQ(s.wait(), 0);
  const std::string& out = s.transcript();
  EXPECT_EQ(out.find("hidden"), out.rfind("hidden")) << "echoed under -echo: " << out;
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Exec, TtyDetachedSendsTheMasterToTheConsoleSocket) {
  Bundle b;
  std::string id = start_sleeper(b);
  std::string sock = b.dir() + "/exec.sock";
  UniqueFd listener = sys::listen_unix(sock);
  UniqueFd master;
  std::thread receiver([&] {
    UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    char name[256];
    sys::recv_with_fd(conn.get(), name, sizeof name, &master);
  });
  Result r = engine({"exec", "-t", "-d", "--console-socket", sock, id, "sh", "-c", "echo detached-tty; tty"});
  receiver.join();
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(master);
  std::string out;
  char buf[1024];
  ssize_t n;
  while (out.find("/dev/pts/") == std::string::npos && (n = ::read(master.get(), buf, sizeof buf)) > 0)
    out.append(buf, static_cast<size_t>(n));
  EXPECT_NE(out.find("detached-tty"), std::string::npos) << out;
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

}  // namespace
}  // namespace engine::test
