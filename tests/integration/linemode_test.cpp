// Linemode (the default of `run -t` and `exec -t` from a terminal): the caller's terminal takes
// the container's modes as its programs set them, and edits, echoes and signals in them.
#include <signal.h>
#include <termios.h>

#include <algorithm>
#include <functional>
#include <thread>

#include "support/harness.hpp"
#include "support/pty_session.hpp"

namespace engine::test {
namespace {

class LineMode : public EngineTest, public ::testing::WithParamInterface<std::string> {
 protected:
  // A session whose container runs `script` under sh on a terminal.
  std::unique_ptr<PtySession> session(const std::string& script, const std::vector<std::string>& flags = {}) {
    bundle_ = std::make_unique<Bundle>();
    bundle_->config()["process"]["terminal"] = true;
    bundle_->args({"sh", "-c", script});
    std::vector<std::string> args{"run", "--tty-provider", GetParam()};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"--bundle", bundle_->dir(), unique_id()});
    return std::make_unique<PtySession>(engine_argv(args));
  }
  static bool eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 200; ++i) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  static size_t count(const std::string& haystack, const std::string& needle) {
    size_t n = 0;
    for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
  }
  std::unique_ptr<Bundle> bundle_;
};

// A password prompt, a cooked read, a raw read, and `stty sane` (which clears EXTPROC inside):
// at each step the caller's terminal is in the container's modes, and every key is echoed
// once (by the caller's terminal), or not at all where the container said -echo.
TEST_P(LineMode, TheCallersTerminalFollowsTheContainersModes) {
  auto s = session(
      "stty -echo; echo no-echo; read a; "
      "stty echo; echo echo-on; read b; "
      "stty raw -echo; echo raw-now; c=$(dd bs=1 count=1 2>/dev/null); "
      "stty sane; echo sane-now; read d; echo \"a=$a b=$b c=$c d=$d\"");
  ASSERT_TRUE(s->expect("no-echo")) << s->transcript();
  EXPECT_TRUE(s->modes().c_lflag & ICANON);
  EXPECT_FALSE(s->modes().c_lflag & ECHO);
  s->send("secret\r");
  ASSERT_TRUE(s->expect("echo-on")) << s->transcript();
  EXPECT_TRUE(s->modes().c_lflag & ECHO);
  EXPECT_FALSE(s->modes().c_lflag & EXTPROC) << "the caller's terminal must echo";
  s->send("shown\r");
  ASSERT_TRUE(s->expect("raw-now")) << s->transcript();
  EXPECT_FALSE(s->modes().c_lflag & (ICANON | ECHO | ISIG));
  s->send("q");  // no Enter: a raw read takes it at once
  ASSERT_TRUE(s->expect("sane-now")) << s->transcript();
  // `stty sane` cleared EXTPROC: the container's pty echoes until the relay sets it again, once
  // the modes have been left alone a while (stty reads them back to check them).
  EXPECT_TRUE(eventually([&] { return (s->modes().c_lflag & (ICANON | ECHO)) == (ICANON | ECHO); }));
  s->send("after\r");
  ASSERT_TRUE(s->expect("a=secret b=shown c=q d=after")) << s->transcript();
  EXPECT_EQ(s->wait(), 0);
  const std::string& out = s->transcript();
  EXPECT_EQ(count(out, "secret"), 1u) << "echoed under -echo: " << out;
  EXPECT_EQ(count(out, "shown"), 2u) << "echo plus the result line: " << out;
  EXPECT_EQ(count(out, "after"), 2u) << "echo plus the result line (three: both terminals echoed): " << out;
  // The echoed Enter is CR NL, as the container's echo of it would be.
  EXPECT_NE(out.find("shown\r\n"), std::string::npos) << out;
}

// Keys edited on the caller's terminal, with the editing characters the container set, reach
// the container as the finished line.
TEST_P(LineMode, EditingKeysWorkOnTheCallersTerminal) {
  auto s = session("stty erase '^H'; echo ready; read a; echo \"a=[$a]\"");
  ASSERT_TRUE(s->expect("ready")) << s->transcript();
  EXPECT_EQ(s->modes().c_cc[VERASE], '\b');
  s->send("junk\x15" "helo\b\bllo there\x17" "word\r");  // kill (^U), two erases (^H), word erase (^W)
  EXPECT_TRUE(s->expect("a=[hello word]")) << s->transcript();
  EXPECT_EQ(s->wait(), 0);
}

// Under EXTPROC a read returns all that has arrived; the relay keeps each line back until the
// one before was read, so a canonical reader still reads one line at a time.
TEST_P(LineMode, APastedBlockIsReadOneLineAtATime) {
  auto s = session("echo ready; dd bs=4096 count=1 2>/dev/null | wc -c; dd bs=4096 count=1 2>/dev/null | wc -c; "
                   "read third; echo \"third=$third\"");
  ASSERT_TRUE(s->expect("ready")) << s->transcript();
  s->send("12345\rab\rlast\r");
  EXPECT_TRUE(s->expect("6")) << s->transcript();
  EXPECT_TRUE(s->expect("3")) << s->transcript();
  EXPECT_TRUE(s->expect("third=last")) << s->transcript();
  EXPECT_EQ(s->wait(), 0);
}

// Lines typed ahead of a program that is not reading are dropped by ^C, as the container's own
// line discipline drops its unread input on a signal key: both the one it holds and the one
// the relay holds back.
TEST_P(LineMode, CtrlCDropsTypedAheadLines) {
  auto s = session("trap 'echo caught' INT; echo ready; sleep 2; read a; echo \"a=[$a]\"");
  ASSERT_TRUE(s->expect("ready")) << s->transcript();
  s->send("x\ry\r");
  EXPECT_TRUE(s->expect("y")) << s->transcript();  // echoed: both lines are typed
  s->send("\x03");
  ASSERT_TRUE(s->expect("caught")) << s->transcript();
  s->send("z\r");
  EXPECT_TRUE(s->expect("a=[z]")) << s->transcript();
  EXPECT_EQ(s->wait(), 0);
}

// ^D at the start of a line ends the container's input; after text it sends the text without
// a newline, as a terminal does.
TEST_P(LineMode, CtrlDEndsInputAndSendsAPartialLine) {
  auto s = session("echo ready; od -An -c; echo od-done");
  ASSERT_TRUE(s->expect("ready")) << s->transcript();
  s->send("ab\x04" "cd\r\x04");
  EXPECT_TRUE(s->expect("a   b   c   d  \\n")) << s->transcript();
  EXPECT_TRUE(s->expect("od-done")) << s->transcript();
  EXPECT_EQ(s->wait(), 0);
}

// With -isig inside, ^C is an ordinary character; with isig it interrupts the read.
TEST_P(LineMode, SignalKeysFollowTheContainersIsig) {
  auto s = session("stty -isig; echo plain; read a; printf '%s' \"$a\" | od -An -tx1; "
                   "stty isig; trap 'echo interrupted; exit 3' INT; echo armed; read b; echo not-interrupted");
  ASSERT_TRUE(s->expect("plain")) << s->transcript();
  s->send("x\x03y\r");
  EXPECT_TRUE(s->expect("78 03 79")) << s->transcript();
  ASSERT_TRUE(s->expect("armed")) << s->transcript();
  s->send("typed\x03");
  EXPECT_TRUE(s->expect("interrupted")) << s->transcript();
  EXPECT_EQ(s->wait(), 3);
  EXPECT_EQ(s->transcript().find("not-interrupted"), std::string::npos);
}

// --tty-raw keeps the relay of runc and crun: the caller's terminal stays raw and the
// container's pty echoes.
TEST_P(LineMode, TtyRawLeavesTheEchoToTheContainer) {
  auto s = session("echo ready; read a; echo \"a=$a\"", {"--tty-raw"});
  ASSERT_TRUE(s->expect("ready")) << s->transcript();
  EXPECT_FALSE(s->modes().c_lflag & (ICANON | ECHO));
  s->send("typed\r");
  EXPECT_TRUE(s->expect("typed\r\n")) << s->transcript();  // the container's echo, CR NL
  EXPECT_TRUE(s->expect("a=typed")) << s->transcript();
  EXPECT_EQ(s->wait(), 0);
}

INSTANTIATE_TEST_SUITE_P(Providers, LineMode, ::testing::Values("pty-devpts", "pty-host"));

}  // namespace
}  // namespace engine::test
