// Detached containers: the monitor records exit codes, serves attach, feeds the log driver,
// and the container outlives it.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/unique_fd.hpp"
#include "linux/proc.hpp"
#include "monitor/attach_protocol.hpp"
#include "state/store.hpp"
#include "support/harness.hpp"
#include "support/pty_session.hpp"

namespace engine::test {
namespace {

class Monitor : public EngineTest {
 protected:
  nlohmann::json state_of(const std::string& id) { return nlohmann::json::parse(engine({"state", id}).out); }
  bool stopped(const std::string& id) { return state_of(id)["status"] == "stopped"; }
  pid_t monitor_pid(const std::string& id) {
    auto store = state::Store::open(test_root());
    auto info = nlohmann::json::parse(store.get(id).runtime_json);
    return info["monitor"]["pid"];
  }
  std::vector<std::string> attach_argv(const std::string& id, std::vector<std::string> extra = {}) {
    extra.insert(extra.begin(), "attach");
    extra.push_back(id);
    return engine_argv(extra);
  }
  // Until attach has put the test's terminal in raw mode, the terminal itself would echo
  // (and take ctrl-q as flow control): what the test reads would prove nothing.
  void wait_raw(const PtySession& s) {
    ASSERT_TRUE(eventually([&] { return !(s.modes().c_lflag & ECHO); }));
  }
  // A raw attach client, speaking the frames itself.
  UniqueFd connect_attach(const std::string& id) {
    UniqueFd client(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    struct sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = test_root() + "/" + id + "/attach.sock";
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    EXPECT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << path;
    return client;
  }
  std::string run_detached(Bundle& b, bool terminal, const std::vector<std::string>& args,
                           std::vector<std::string> flags = {}) {
    b.config()["process"]["terminal"] = terminal;
    b.args(args);
    std::string id = unique_id();
    std::vector<std::string> cmd = {"run", "-d"};
    cmd.insert(cmd.end(), flags.begin(), flags.end());
    cmd.insert(cmd.end(), {"--bundle", b.dir(), id});
    Result r = engine(cmd);
    EXPECT_EQ(r.code, 0) << r.err;
    return id;
  }
};

TEST_F(Monitor, RecordsTheExitCodeInStateAndPs) {
  Bundle b;
  std::string id = run_detached(b, false, {"sh", "-c", "exit 3"});
  ASSERT_TRUE(eventually([&] { return stopped(id); }));
  EXPECT_EQ(state_of(id)["exitCode"], 3);
  auto list = nlohmann::json::parse(engine({"ps", "--format", "json"}).out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["exitCode"], 3);
  std::istringstream table(engine({"ps"}).out);
  std::string header, row;
  std::getline(table, header);
  std::getline(table, row);
  EXPECT_NE(header.find("EXIT"), std::string::npos);
  EXPECT_NE(row.find(" 3 "), std::string::npos) << row;
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Monitor, DoesNotHoldTheCallersOutputOpen) {
  Bundle b;
  b.args({"sleep", "100"});
  std::string id = unique_id();
  // `| cat` ends only when every holder of the pipe has closed it.
  std::string cmd = engine_binary() + " --root " + test_root() + " run -d --bundle " + b.dir() + " " + id + " | cat";
  RunOptions o;
  o.timeout = std::chrono::seconds(10);
  Result r = run_program({"/bin/busybox", "sh", "-c", cmd}, o);
  EXPECT_EQ(r.code, 0) << "timed out: the pipe was held open";
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Monitor, KilledContainerReportsTheSignal) {
  Bundle b;
  std::string id = run_detached(b, false, {"sleep", "100"});
  EXPECT_EQ(engine({"kill", id, "KILL"}).code, 0);
  ASSERT_TRUE(eventually([&] { return stopped(id); }));
  EXPECT_EQ(state_of(id)["exitCode"], 137);
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Monitor, HasItsOwnSessionNoTerminalAndIgnoresHangup) {
  Bundle b;
  std::string id = run_detached(b, true, {"sleep", "100"});
  pid_t mon = monitor_pid(id);
  std::ifstream stat("/proc/" + std::to_string(mon) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string state, ppid, pgrp, session, tty_nr;
  fields >> state >> ppid >> pgrp >> session >> tty_nr;
  EXPECT_EQ(session, std::to_string(mon)) << "session leader";
  EXPECT_EQ(tty_nr, "0") << "no controlling terminal";
  std::ifstream status("/proc/" + std::to_string(mon) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("SigIgn:", 0) == 0) {
      EXPECT_TRUE(std::stoull(line.substr(7), nullptr, 16) & (1ull << (SIGHUP - 1)));
    }
  }
  // The init is the monitor's child.
  auto init = sys::read_proc_stat(state_of(id)["pid"]);
  ASSERT_TRUE(init);
  EXPECT_EQ(init->ppid, mon);
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

// The monitor keeps a pidfd of its init open (so the engine's checks of the init by pidfs
// inode reuse it): exactly one fd whose fdinfo names the init's pid.
TEST_F(Monitor, HoldsAPidfdOfItsInit) {
  Bundle b;
  std::string id = run_detached(b, false, {"sleep", "100"});
  std::string fd_dir = "/proc/" + std::to_string(monitor_pid(id)) + "/fdinfo";
  std::string want = "Pid:\t" + std::to_string(state_of(id)["pid"].get<int>());
  int pidfds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(fd_dir)) {
    std::ifstream info(entry.path());
    std::string line;
    while (std::getline(info, line))
      if (line == want) ++pidfds;
  }
  EXPECT_EQ(pidfds, 1);
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Monitor, ContainerOutlivesAKilledMonitor) {
  Bundle b;
  std::string id = run_detached(b, true, {"sleep", "100"});
  pid_t mon = monitor_pid(id);
  ASSERT_EQ(::kill(mon, SIGKILL), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(state_of(id)["status"], "running");
  auto list = nlohmann::json::parse(engine({"ps", "--format", "json"}).out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["status"], "running");
  Result a = engine({"attach", id});
  EXPECT_NE(a.code, 0);
  EXPECT_NE(a.err.find("monitor is gone"), std::string::npos) << a.err;
  Result logs = engine({"logs", id});
  EXPECT_EQ(logs.code, 0) << logs.err;
  EXPECT_NE(logs.err.find("its monitor is gone; no new output will be logged"), std::string::npos) << logs.err;
  EXPECT_EQ(engine({"kill", id, "KILL"}).code, 0);
  EXPECT_TRUE(eventually([&] { return stopped(id); }));
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Monitor, AttachTypeReadDetachAndComeBack) {
  Bundle b;
  b.config()["process"]["env"].push_back("PS1=ctr# ");
  std::string id = run_detached(b, true, {"sh"});
  {
    PtySession s(attach_argv(id), 30, 100);
    s.send("echo hello-$((6*7))\r");
    EXPECT_TRUE(s.expect("hello-42")) << s.transcript();
    s.send("stty size\r");
    EXPECT_TRUE(s.expect("30 100")) << s.transcript();
    s.send("\x10\x11");  // ctrl-p ctrl-q
    EXPECT_EQ(s.wait(), 0) << s.transcript();
  }
  EXPECT_EQ(state_of(id)["status"], "running");
  {
    PtySession s(attach_argv(id));
    s.send("exit 6\r");
    EXPECT_EQ(s.wait(), 6) << s.transcript();
  }
  EXPECT_TRUE(eventually([&] { return stopped(id); }));
  EXPECT_EQ(state_of(id)["exitCode"], 6);
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Monitor, LoneDetachPrefixIsPassedOnAndKeysConfigurable) {
  Bundle b;
  // -ixon: otherwise the container's tty takes ctrl-q as flow control.
  std::string id = run_detached(b, true, {"sh", "-c", "stty -ixon; cat -v"});
  {
    PtySession s(attach_argv(id));
    wait_raw(s);
    s.send("\x10x\r");  // ctrl-p not followed by ctrl-q: both reach cat
    EXPECT_TRUE(s.expect("^Px")) << s.transcript();
    s.send("\x10");  // a lone ctrl-p is released after a pause
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    s.send("\r");
    EXPECT_TRUE(s.expect("^P\r\n")) << s.transcript();
    s.send("\x10\x11");
    EXPECT_EQ(s.wait(), 0);
  }
  {
    PtySession s(attach_argv(id, {"--detach-keys", ""}));  // disabled: ctrl-p ctrl-q reach cat
    wait_raw(s);
    s.send("\x10\x11" "z\r");
    EXPECT_TRUE(s.expect("^P^Qz")) << s.transcript();
    s.signal(SIGKILL);
  }
  {
    PtySession s(attach_argv(id, {"--detach-keys", "ctrl-a,d"}));
    wait_raw(s);
    s.send("\x01" "d");
    EXPECT_EQ(s.wait(), 0);
  }
  EXPECT_EQ(state_of(id)["status"], "running");
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Monitor, TwoAttachersSeeTheSameOutput) {
  Bundle b;
  std::string id = run_detached(b, true, {"sh", "-c", "i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.1; done"});
  PtySession one(attach_argv(id));
  PtySession two(attach_argv(id));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(one.expect("tick-")) << one.transcript();
  // Whatever tick the first sees next, the second sees too.
  ASSERT_TRUE(one.expect("\n"));
  ASSERT_TRUE(one.expect("tick-"));
  std::string rest = one.transcript().substr(one.transcript().rfind("tick-"));
  std::string tick = rest.substr(0, rest.find('\r'));
  EXPECT_TRUE(two.expect(tick)) << tick << " / " << two.transcript();
  one.signal(SIGKILL);
  two.signal(SIGKILL);
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Monitor, AttachWithoutTerminalKeepsStreamsApartAndForwardsStdin) {
  Bundle b;
  std::string id = run_detached(b, false, {"sh", "-c", "read x; echo out-$x; echo err-$x >&2; exit 2"});
  RunOptions o;
  o.input = "hello\n";
  Result r = engine({"attach", id}, o);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(r.out, "out-hello\n");
  EXPECT_EQ(r.err, "err-hello\n");
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

// The attach socket's path is past what sun_path holds (108 bytes): reached through its
// directory's fd.
TEST_F(Monitor, AttachWorksWhenTheSocketPathIsLong) {
  Bundle b;
  b.config()["process"]["terminal"] = false;
  b.args({"sh", "-c", "read x; echo out-$x"});
  std::string id = unique_id() + std::string(120, 'x');
  ASSERT_GT((test_root() + "/" + id + "/attach.sock").size(), 108u);
  ASSERT_EQ(engine({"run", "-d", "--bundle", b.dir(), id}).code, 0);
  RunOptions o;
  o.input = "long\n";
  Result r = engine({"attach", id}, o);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "out-long\n");
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Monitor, CreateWithTerminalAndNoConsoleSocketIsHeldByTheMonitor) {
  Bundle b;
  b.config()["process"]["terminal"] = true;
  b.args({"sh", "-c", "read x; echo got-$x; tty"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"create", "--bundle", b.dir(), id}).code, 0);
  ASSERT_EQ(engine({"start", id}).code, 0);
  PtySession s(attach_argv(id));
  s.send("abc\r");
  EXPECT_TRUE(s.expect("got-abc")) << s.transcript();
  EXPECT_TRUE(s.expect("/dev/pts/0")) << s.transcript();
  EXPECT_EQ(s.wait(), 0);
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

// Nothing of the monitor's (control socket, attach listener, log file, epoll) reaches the
// container: its init holds its stdio alone (3 is the directory `ls` itself opens).
TEST_F(Monitor, DetachedContainerHoldsOnlyItsStdio) {
  for (bool terminal : {false, true}) {
    Bundle b;
    std::string id = run_detached(b, terminal, {"ls", "-1", "/proc/self/fd"});
    ASSERT_TRUE(eventually([&] { return stopped(id); }));
    EXPECT_EQ(engine({"logs", id}).out, "0\n1\n2\n3\n") << "terminal " << terminal;
    EXPECT_EQ(engine({"delete", id}).code, 0);
  }
}

// An attacher that never reads must not hold up the container (nor its log): the monitor
// queues a bounded amount for it, then lets it go.
TEST_F(Monitor, AttacherThatNeverReadsIsDroppedAndTheContainerRunsOn) {
  Bundle b;
  std::string log = test_root() + "/" + unique_id("engine") + ".log";
  b.config()["process"]["terminal"] = false;
  // 200000 lines of 41 bytes: twice what the monitor queues for one client, and more.
  b.args({"sh", "-c", "read go; yes 0123456789012345678901234567890123456789 | head -n 200000; echo done"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"--log", log, "run", "-d", "--bundle", b.dir(), id}).code, 0);
  UniqueFd client = connect_attach(id);
  ASSERT_TRUE(monitor::write_frame(client.get(), monitor::Frame::stdin_data, "go\n", 3));
  // The client never reads from here on.
  ASSERT_TRUE(eventually([&] { return stopped(id); }, std::chrono::seconds(60)));
  EXPECT_EQ(state_of(id)["exitCode"], 0);
  Result r = engine({"logs", "--tail", "2", id});
  EXPECT_EQ(r.out, "0123456789012345678901234567890123456789\ndone\n");
  Result all = engine({"logs", id});
  EXPECT_EQ(std::count(all.out.begin(), all.out.end(), '\n'), 200001);
  std::ifstream diagnostics(log);
  std::string text((std::istreambuf_iterator<char>(diagnostics)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("attach client dropped: does not read its output"), std::string::npos) << text;
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

// Input for a container that does not read its stdin waits in the monitor; it never stops
// the monitor from carrying the container's output.
TEST_F(Monitor, UnreadInputDoesNotStallOutput) {
  Bundle b;
  std::string id = run_detached(b, false, {"sh", "-c", "sleep 0.5; echo alive; sleep 100"});
  UniqueFd client = connect_attach(id);
  std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 8; ++i)  // 512 KiB: far more than a pipe holds
    ASSERT_TRUE(monitor::write_frame(client.get(), monitor::Frame::stdin_data, chunk.data(), chunk.size()));
  EXPECT_TRUE(eventually([&] { return engine({"logs", id}).out == "alive\n"; }));
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

class Logs : public Monitor {};

// A full disk fails the log's writes: reported in the engine's log, the container runs on.
TEST_F(Logs, WriteErrorIsReportedAndTheContainerKeepsRunning) {
  Bundle b;
  std::string log = test_root() + "/" + unique_id("engine") + ".log";
  b.config()["process"]["terminal"] = false;
  b.args({"sh", "-c", "echo one; sleep 0.2; echo two; sleep 100"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"--log", log, "--log-format", "json", "run", "-d", "--log-opt", "path=/dev/full",
                    "--bundle", b.dir(), id})
                .code,
            0);
  auto diagnostics = [&] {
    std::ifstream in(log);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  ASSERT_TRUE(eventually([&] { return diagnostics().find("No space left on device") != std::string::npos; }));
  std::string text = diagnostics();
  size_t at = text.rfind('\n', text.find("No space left on device"));
  at = at == std::string::npos ? 0 : at + 1;
  auto line = nlohmann::json::parse(text.substr(at, text.find('\n', at) - at));
  EXPECT_EQ(line["level"], "error");
  EXPECT_EQ(line["msg"], "container " + id + ": log driver: write /dev/full: No space left on device");
  EXPECT_EQ(state_of(id)["status"], "running");
  EXPECT_EQ(engine({"kill", id, "KILL"}).code, 0);
  ASSERT_TRUE(eventually([&] { return stopped(id); }));
  EXPECT_EQ(state_of(id)["exitCode"], 137);
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Logs, NumberedLinesReadBackInCriFormat) {
  Bundle b;
  std::string id = run_detached(b, false, {"sh", "-c", "seq 1 100; echo to-stderr >&2"});
  ASSERT_TRUE(eventually([&] { return stopped(id); }));
  Result r = engine({"logs", id});
  EXPECT_EQ(r.code, 0) << r.err;
  std::string expected;
  for (int i = 1; i <= 100; ++i) expected += std::to_string(i) + "\n";
  EXPECT_EQ(r.out, expected);
  EXPECT_EQ(r.err, "to-stderr\n");
  Result tail = engine({"logs", "--tail", "3", id});  // the last three records, either stream
  EXPECT_EQ(tail.out, "99\n100\n");
  EXPECT_EQ(tail.err, "to-stderr\n");
  std::ifstream file(test_root() + "/" + id + "/container.log");
  std::string first;
  std::getline(file, first);
  // 2016-10-06T00:17:09.669794202Z stdout F 1
  EXPECT_EQ(first.size(), 30u + std::string(" stdout F 1").size()) << first;
  EXPECT_EQ(first.substr(30), " stdout F 1");
  EXPECT_EQ(first[29], 'Z');
  Result ts = engine({"logs", "--timestamps", "--tail", "2", id});
  ASSERT_EQ(ts.out.size(), 31u + 4) << ts.out;
  EXPECT_EQ(ts.out.substr(31), "100\n") << ts.out;
  EXPECT_EQ(ts.out[29], 'Z');
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Logs, TerminalOutputHasNoCarriageReturns) {
  Bundle b;
  std::string id = run_detached(b, true, {"sh", "-c", "echo one; echo two"});
  ASSERT_TRUE(eventually([&] { return stopped(id); }));
  EXPECT_EQ(engine({"logs", id}).out, "one\ntwo\n");
  std::ifstream file(test_root() + "/" + id + "/container.log");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Logs, RotationKeepsEveryLineAcrossFiles) {
  Bundle b;
  std::string id = run_detached(b, false, {"sh", "-c", "seq 1 2000"},
                                {"--log-opt", "max-size=8k", "--log-opt", "max-file=100"});
  ASSERT_TRUE(eventually([&] { return stopped(id); }));
  Result r = engine({"logs", id});
  std::string expected;
  for (int i = 1; i <= 2000; ++i) expected += std::to_string(i) + "\n";
  EXPECT_EQ(r.out, expected);
  EXPECT_TRUE(std::filesystem::exists(test_root() + "/" + id + "/container.log.1"));
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Logs, FollowUntilExit) {
  Bundle b;
  std::string id = run_detached(b, false, {"sh", "-c", "for i in 1 2 3 4 5; do echo line-$i; sleep 0.1; done"});
  Result r = engine({"logs", "-f", id});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "line-1\nline-2\nline-3\nline-4\nline-5\n");
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Logs, BadOptionFailsCreateAndLeavesNothing) {
  Bundle b;
  b.args({"true"});
  std::string id = unique_id();
  Result r = engine({"run", "-d", "--log-opt", "bogus=1", "--bundle", b.dir(), id});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("log-opt bogus: unknown option"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(test_root() + "/" + id));
}

TEST_F(Logs, NoneKeepsNothing) {
  Bundle b;
  std::string id = run_detached(b, false, {"sh", "-c", "echo hidden"}, {"--log-driver", "none"});
  ASSERT_TRUE(eventually([&] { return stopped(id); }));
  Result r = engine({"logs", id});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("keeps no logs"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(test_root() + "/" + id + "/container.log"));
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

}  // namespace
}  // namespace engine::test
