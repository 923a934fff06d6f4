// process.terminal: true with each terminal provider, driven through a pty the test owns.
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "common/file.hpp"
#include "linux/unix_socket.hpp"
#include "support/harness.hpp"
#include "support/pty_session.hpp"

namespace engine::test {
namespace {

class Terminal : public EngineTest, public ::testing::WithParamInterface<std::string> {
 protected:
  // A bundle whose process is an interactive shell on a terminal.
  void make_interactive(Bundle& b, const std::vector<std::string>& args = {"sh"}) {
    b.config()["process"]["terminal"] = true;
    b.config()["process"]["env"].push_back("PS1=prompt$ ");
    b.args(args);
  }
  std::vector<std::string> run_argv(const Bundle& b, const std::string& id) {
    return engine_argv({"run", "--tty-provider", GetParam(), "--bundle", b.dir(), id});
  }
  // An interactive shell with `sleep 100` as its foreground job.
  std::unique_ptr<PtySession> shell_running_sleep() {
    bundle_ = std::make_unique<Bundle>();
    make_interactive(*bundle_);
    auto s = std::make_unique<PtySession>(run_argv(*bundle_, unique_id()));
    EXPECT_TRUE(s->expect("prompt$ "));
    s->send("sleep 100\r");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return s;
  }
  std::unique_ptr<Bundle> bundle_;
  // The engine forwards sig; the container's trap ends it; the caller's modes come back.
  void expect_modes_restored_after(int sig) {
    Bundle b;
    std::string name = sig == SIGHUP ? "HUP" : "TERM";
    make_interactive(b, {"sh", "-c", "trap 'exit 9' " + name + "; stty -echo; echo trap-set; while true; do sleep 0.05; done"});
    PtySession s(run_argv(b, unique_id()));
    struct termios before = s.initial_modes();
    // A pid-1 shell ignores the signal until its trap is set.
    ASSERT_TRUE(s.expect("trap-set")) << s.transcript();
    EXPECT_FALSE(s.modes().c_lflag & ECHO) << "the session's modes (the container's -echo) during the session";
    s.signal(sig);
    EXPECT_EQ(s.wait(), 9);
    EXPECT_EQ(s.modes().c_lflag, before.c_lflag);
    EXPECT_EQ(s.modes().c_iflag, before.c_iflag);
  }
  std::string expected_tty() const { return GetParam() == "pty-devpts" ? "/dev/pts/0" : "/dev/console"; }
  // Types each of `sends` with `gap` between them (so the relay reads each on its own, as a
  // person's keys), into a container that runs `before_reading` in raw mode, then stores all
  // its input in its rootfs; that file must be exactly what was typed.
  void expect_input_stored(const std::vector<std::string>& sends, std::chrono::microseconds gap,
                           const std::string& before_reading = "") {
    std::string sent;
    for (const auto& keys : sends) sent += keys;
    Bundle b;
    b.config()["root"]["readonly"] = false;
    make_interactive(b, {"sh", "-c", "stty raw -echo; echo ready; " + before_reading + "head -c " +
                                         std::to_string(sent.size()) + " > /input.bin; echo stored"});
    PtySession s(run_argv(b, unique_id()));
    ASSERT_TRUE(s.expect("ready")) << s.transcript();
    for (const auto& keys : sends) {
      s.send(keys);
      std::this_thread::sleep_for(gap);
    }
    EXPECT_TRUE(s.expect("stored")) << s.transcript();
    EXPECT_EQ(s.wait(), 0);
    std::string got = read_file(b.rootfs() + "/input.bin");
    ASSERT_EQ(got.size(), sent.size());
    EXPECT_TRUE(got == sent) << "first difference at byte "
                             << std::mismatch(got.begin(), got.end(), sent.begin()).first - got.begin();
  }
};

TEST_P(Terminal, InteractiveEchoAndExitCode) {
  Bundle b;
  make_interactive(b);
  PtySession s(run_argv(b, unique_id()));
  ASSERT_TRUE(s.expect("prompt$ ")) << s.transcript();
  s.send("echo sum=$((40+2))\r");
  EXPECT_TRUE(s.expect("sum=42")) << s.transcript();
  s.send("exit 42\r");
  EXPECT_EQ(s.wait(), 42) << s.transcript();
}

TEST_P(Terminal, TtyNameInsideAndConsole) {
  Bundle b;
  make_interactive(b);
  PtySession s(run_argv(b, unique_id()));
  ASSERT_TRUE(s.expect("prompt$ "));
  s.send("tty; echo via-console > /dev/console\r");
  EXPECT_TRUE(s.expect(expected_tty())) << s.transcript();
  EXPECT_TRUE(s.expect("via-console")) << s.transcript();
  s.send("exit\r");
  EXPECT_EQ(s.wait(), 0);
}

TEST_P(Terminal, WindowSizeAndResize) {
  Bundle b;
  // Not an interactive shell: its line editor would query the cursor after the resize.
  make_interactive(b, {"sh", "-c", "stty size; read line; stty size"});
  PtySession s(run_argv(b, unique_id()), 33, 101);
  ASSERT_TRUE(s.expect("33 101")) << s.transcript();
  s.resize(40, 120);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  s.send("\r");
  EXPECT_TRUE(s.expect("40 120")) << s.transcript();
  EXPECT_EQ(s.wait(), 0);
}

TEST_P(Terminal, ConsoleSizeFromConfigWins) {
  Bundle b;
  make_interactive(b, {"stty", "size"});
  b.config()["process"]["consoleSize"] = {{"height", 17}, {"width", 71}};
  b.write();
  PtySession s(run_argv(b, unique_id()), 30, 90);
  EXPECT_TRUE(s.expect("17 71")) << s.transcript();
  EXPECT_EQ(s.wait(), 0);
}

TEST_P(Terminal, CtrlCStopsTheForegroundJobOnly) {
  auto s = shell_running_sleep();
  s->send("\x03");
  ASSERT_TRUE(s->expect("prompt$ ")) << s->transcript();
  s->send("echo status=$?\r");
  EXPECT_TRUE(s->expect("status=130")) << s->transcript();
  s->send("exit\r");
  EXPECT_EQ(s->wait(), 0);
}

TEST_P(Terminal, CtrlZSuspendsTheForegroundJob) {
  auto s = shell_running_sleep();
  s->send("\x1a");
  EXPECT_TRUE(s->expect("Stopped")) << s->transcript();
  ASSERT_TRUE(s->expect("prompt$ ")) << s->transcript();
  s->send("kill -9 %1; wait\r");
  ASSERT_TRUE(s->expect("prompt$ ")) << s->transcript();
  s->send("jobs; exit 0\r");  // no stopped job is left to make the shell refuse to exit
  EXPECT_EQ(s->wait(), 0) << s->transcript();
}

// Closing the window `run -t sh` runs in hangs up the container's terminal too: the shell
// inside ends, and the engine cleans up and exits instead of waiting for keys forever.
TEST_P(Terminal, AClosedCallersTerminalHangsUpTheContainers) {
  Bundle b;
  make_interactive(b);
  PtySession s(run_argv(b, unique_id()));
  ASSERT_TRUE(s.expect("prompt$ ")) << s.transcript();
  s.hang_up();
  EXPECT_NE(s.wait(std::chrono::seconds(20)), -1) << "the engine outlived its terminal";
}

double cpu_seconds(const struct rusage& r) {
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

// The container's program closes its terminal and lives on: the master then reports a hang-up
// with nothing to read. The relay must neither spin on it (a level-triggered watch would fire
// without end) nor end the session before the program does.
TEST_P(Terminal, AProgramThatClosesItsTerminalEndsTheSessionWhenItExits) {
  Bundle b;
  make_interactive(b, {"sh", "-c", "echo closing; exec </dev/null >/dev/null 2>&1; sleep 1; exit 3"});
  struct rusage before;
  ::getrusage(RUSAGE_CHILDREN, &before);
  PtySession s(run_argv(b, unique_id()));
  ASSERT_TRUE(s.expect("closing")) << s.transcript();
  EXPECT_EQ(s.wait(), 3) << s.transcript();
  struct rusage after;
  ::getrusage(RUSAGE_CHILDREN, &after);
  // CPU, not time: a relay spinning through the second of sleep would use all of it.
  double cpu_s = cpu_seconds(after) - cpu_seconds(before);
  EXPECT_LT(cpu_s, 0.5) << "the engine and its container used " << cpu_s << " s of CPU over a second of sleep";
}

TEST_P(Terminal, CallerModesRestoredWhenTheEngineGetsSighup) { expect_modes_restored_after(SIGHUP); }

TEST_P(Terminal, OnlyTheContainersPtysAreVisible) {
  Bundle b;
  make_interactive(b);
  PtySession s(run_argv(b, unique_id()));
  ASSERT_TRUE(s.expect("prompt$ "));
  s.send("echo [$(ls /dev/pts | tr '\\n' ' ')]\r");
  // pty-devpts: its own pty 0 beside ptmx; pty-host: the container's instance holds none.
  std::string expected = GetParam() == "pty-devpts" ? "[0 ptmx ]" : "[ptmx ]";
  EXPECT_TRUE(s.expect(expected)) << s.transcript();
  s.send("exit\r");
  EXPECT_EQ(s.wait(), 0);
}

TEST_P(Terminal, NoOutputLostInABurstBeforeExit) {
  Bundle b;
  make_interactive(b, {"sh", "-c", "head -c 10485760 /dev/zero | tr '\\0' x"});
  PtySession s(run_argv(b, unique_id()));
  std::string out = s.read_to_end();
  EXPECT_EQ(std::count(out.begin(), out.end(), 'x'), 10485760);
}

// Every byte value, in an order that is not the bytes' own.
std::string input_bytes(size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 167 + seed + i / 256) & 0xff);
  return s;
}

// Input reaches the container byte for byte and in order, however it is grouped: keystrokes
// and escape sequences one by one, pastes, keystrokes right behind a paste (while the paste is
// still on its way). A relay that typed small input straight into the line discipline
// (TIOCSTI, tried for issue 6) could overtake a paste still in the pty's flip buffer.
TEST_P(Terminal, TypedAndPastedInputArriveIntactAndInOrder) {
  std::vector<std::string> sends;
  for (unsigned i = 0; i < 100; ++i) sends.push_back(input_bytes(1 + i % 7, i));  // keys, sequences
  for (unsigned round = 0; round < 8; ++round) {
    sends.push_back(input_bytes(8000, round));  // a paste
    for (unsigned i = 0; i < 40; ++i) sends.push_back(input_bytes(1 + i % 3, round + i));
  }
  expect_input_stored(sends, std::chrono::microseconds(100));
}

// Keys typed while the container does not read fill its line discipline (4 KiB); the rest must
// wait in the pty, not be dropped (TIOCSTI would drop them).
TEST_P(Terminal, KeystrokesForASlowReaderAreNotDropped) {
  std::string all = input_bytes(12000, 3);
  std::vector<std::string> sends;
  for (size_t off = 0; off < all.size(); off += 40) sends.push_back(all.substr(off, 40));
  expect_input_stored(sends, std::chrono::microseconds(200), "sleep 1; ");
}

TEST_P(Terminal, CallerModesRestoredAfterExit) {
  Bundle b;
  make_interactive(b, {"sh", "-c", "exit 5"});
  PtySession s(run_argv(b, unique_id()));
  struct termios before = s.initial_modes();
  EXPECT_EQ(s.wait(), 5);
  struct termios after = s.modes();
  EXPECT_EQ(before.c_lflag, after.c_lflag);
  EXPECT_EQ(before.c_iflag, after.c_iflag);
  EXPECT_EQ(before.c_oflag, after.c_oflag);
  EXPECT_TRUE(after.c_lflag & ECHO);
}

TEST_P(Terminal, CallerModesRestoredWhenTheEngineGetsSigterm) { expect_modes_restored_after(SIGTERM); }

TEST_P(Terminal, ConsoleSocketReceivesTheMaster) {
  Bundle b;
  make_interactive(b, {"sh", "-c", "read line; echo got:$line; tty"});
  std::string sock_path = b.dir() + "/console.sock";
  UniqueFd listener = sys::listen_unix(sock_path);
  std::string id = unique_id();
  UniqueFd master;
  std::thread receiver([&] {
    UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    char name[256];
    sys::recv_with_fd(conn.get(), name, sizeof name, &master);
  });
  Result r = engine({"create", "--tty-provider", GetParam(), "--console-socket", sock_path,
                     "--bundle", b.dir(), id});
  receiver.join();
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(master) << "no master received";
  ASSERT_EQ(engine({"start", id}).code, 0);
  std::string line = "hello\r";
  ASSERT_EQ(::write(master.get(), line.data(), line.size()), static_cast<ssize_t>(line.size()));
  std::string out;
  char buf[4096];
  while (out.find(expected_tty()) == std::string::npos) {
    ssize_t n = ::read(master.get(), buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  EXPECT_NE(out.find("got:hello"), std::string::npos) << out;
  EXPECT_NE(out.find(expected_tty()), std::string::npos) << out;
  EXPECT_TRUE(eventually([&] {
    return nlohmann::json::parse(engine({"state", id}).out)["status"] == "stopped";
  }));
  auto list = nlohmann::json::parse(engine({"ps", "--format", "json"}).out);
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

INSTANTIATE_TEST_SUITE_P(Providers, Terminal, ::testing::Values("pty-devpts", "pty-host"));

class TerminalErrors : public EngineTest {};

TEST_F(TerminalErrors, UnknownProviderIsNamed) {
  Bundle b;
  b.config()["process"]["terminal"] = true;
  b.write();
  Result r = engine({"run", "--tty-provider", "no-such-provider", "--bundle", b.dir(), unique_id()});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("no-such-provider"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not found"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace engine::test

namespace engine::test {
namespace {

// pty-host --tty-passthrough: the caller's own terminal, no relay.
class Passthrough : public EngineTest {
 protected:
  std::vector<std::string> argv(const Bundle& b) {
    return engine_argv({"run", "--tty-provider", "pty-host", "--tty-passthrough", "--bundle", b.dir(), unique_id()});
  }
};

TEST_F(Passthrough, TheCallersTerminalIsTheContainersStdio) {
  Bundle b;
  b.config()["process"]["terminal"] = true;
  b.args({"sh", "-c", "probe ttyname; stty size; echo done"});
  PtySession s(argv(b), 19, 61);
  EXPECT_TRUE(s.expect("ttyname: /dev/console")) << s.transcript();
  EXPECT_TRUE(s.expect("19 61")) << s.transcript();
  EXPECT_TRUE(s.expect("done")) << s.transcript();
  EXPECT_EQ(s.wait(), 0);
}

TEST_F(Passthrough, TiocstiIntoTheCallersTerminalIsBlocked) {
  Bundle b;
  b.config()["process"]["terminal"] = true;
  b.args({"probe", "tiocsti"});
  PtySession s(argv(b));
  EXPECT_TRUE(s.expect("tiocsti: Operation not permitted")) << s.transcript();
  EXPECT_EQ(s.wait(), 0);
}

// A resize of the caller's terminal reaches the container as SIGWINCH: the kernel tells only
// the caller's foreground group (the engine), which forwards it.
TEST_F(Passthrough, ResizeReachesTheContainer) {
  Bundle b;
  b.config()["process"]["terminal"] = true;
  b.args({"sh", "-c", "trap 'stty size; exit 0' WINCH; echo trap-set; while :; do sleep 0.1; done"});
  PtySession s(argv(b), 24, 80);
  ASSERT_TRUE(s.expect("trap-set")) << s.transcript();
  s.resize(30, 100);
  EXPECT_TRUE(s.expect("30 100")) << s.transcript();
  EXPECT_EQ(s.wait(), 0);
}

TEST_F(Passthrough, ProviderWithoutPassthroughRefusesIt) {
  Bundle b;
  b.config()["process"]["terminal"] = true;
  b.args({"true"});
  PtySession s(engine_argv({"run", "--tty-provider", "pty-devpts", "--tty-passthrough", "--bundle", b.dir(), unique_id()}));
  EXPECT_TRUE(s.expect("terminal provider pty-devpts: does not support --tty-passthrough")) << s.transcript();
  EXPECT_NE(s.wait(), 0);
}

TEST_F(Passthrough, TiocstiWithARelayedPtyReachesOnlyTheContainersOwnPty) {
  // Not blocked there: the pty is the container's own, so it can only type into itself.
  Bundle b;
  b.config()["process"]["terminal"] = true;
  b.args({"probe", "tiocsti"});
  PtySession s(engine_argv({"run", "--bundle", b.dir(), unique_id()}));
  EXPECT_TRUE(s.expect("tiocsti: ok")) << s.transcript();
  EXPECT_EQ(s.wait(), 0);
}

}  // namespace
}  // namespace engine::test
