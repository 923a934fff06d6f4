// End to end through a real terminal emulator: `engine run` in a tmux pane, keys typed with
// send-keys, and what the pane shows compared. Where the pty tests look at bytes, these look at
// the screen a person would see (a CR missing from an echo shows here as a staircase).
#include <unistd.h>

#include <chrono>
#include <thread>

#include "support/harness.hpp"

namespace engine::test {
namespace {

// A tmux server of the test's own (-L), with one 100x30 pane running argv.
class TmuxPane {
 public:
  explicit TmuxPane(const std::vector<std::string>& argv) : socket_("engine-test-" + std::to_string(::getpid())) {
    std::string command;
    for (const auto& a : argv) command += "'" + a + "' ";
    Result r = tmux({"new-session", "-d", "-s", "t", "-x", "100", "-y", "30", command});
    started_ = r.code == 0;
    EXPECT_TRUE(started_) << r.err;
  }
  ~TmuxPane() { tmux({"kill-server"}); }
  TmuxPane(const TmuxPane&) = delete;

  // Keys as tmux names them ("Enter", "C-c", "BSpace") or literal text (-l).
  void keys(const std::string& k) { tmux({"send-keys", "-t", "t", k}); }
  void text(const std::string& t) { tmux({"send-keys", "-t", "t", "-l", t}); }
  // A line typed and Enter pressed.
  void line(const std::string& t) {
    text(t);
    keys("Enter");
  }
  // The pane's lines, trailing blanks and empty lines at the end dropped.
  std::string screen() {
    std::string s = tmux({"capture-pane", "-p", "-t", "t"}).out;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }
  // Waits until the screen shows `needle`; true if it did within the timeout.
  bool shows(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (screen().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  bool started() const { return started_; }

 private:
  Result tmux(std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/tmux", "-L", socket_, "-f", "/dev/null"});
    return run_program(args);
  }
  std::string socket_;
  bool started_ = false;
};

class Tmux : public EngineTest {
 protected:
  // An interactive busybox shell in a container, in a pane; waits for its first prompt.
  std::unique_ptr<TmuxPane> shell(const std::vector<std::string>& flags = {}) {
    bundle_ = std::make_unique<Bundle>();
    bundle_->config()["process"]["terminal"] = true;
    bundle_->config()["process"]["env"].push_back("PS1=prompt$ ");
    bundle_->args({"sh"});
    std::vector<std::string> args{"run"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"--bundle", bundle_->dir(), unique_id()});
    auto pane = std::make_unique<TmuxPane>(engine_argv(args));
    EXPECT_TRUE(pane->shows("prompt$")) << pane->screen();
    return pane;
  }
  // Ends the shell and waits for the engine to clean up (the pane's command ends with it).
  void exit_shell(TmuxPane& pane) {
    pane.line("exit");
    for (int i = 0; i < 500 && !find_leaks().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // One session of typing: a command, a cooked `read` with an erase, a password read, a tab
  // erased, an editor, the shell's history, a raw read, and what each printed. Returns the
  // screen at the end.
  std::string typical_session(const std::vector<std::string>& flags) {
    auto pane = shell(flags);
    pane->line("echo hello");
    EXPECT_TRUE(pane->shows("\nhello\nprompt$")) << pane->screen();
    pane->line("read x; echo got=$x");
    pane->text("abc");
    pane->keys("BSpace");
    pane->line("d");
    EXPECT_TRUE(pane->shows("got=abd")) << pane->screen();
    pane->line("stty -echo; read p; stty echo; echo len=${#p}");
    pane->line("secret");
    EXPECT_TRUE(pane->shows("len=6")) << pane->screen();
    // A tab erased after a prompt: the caller's terminal must know the prompt's column.
    pane->line("read v; echo \"[$v]\"");
    pane->text("x\ty");
    pane->keys("BSpace");
    pane->keys("BSpace");
    pane->line("z");
    EXPECT_TRUE(pane->shows("[xz]")) << pane->screen();
    // A full-screen editor and back, then the shell's history.
    pane->line("vi /tmp/x");
    EXPECT_TRUE(pane->shows("\n~")) << pane->screen();
    pane->text("ihello");
    pane->keys("Escape");
    // vi takes a key right after Escape as an escape sequence: let the Escape stand alone.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    pane->line(":q!");
    EXPECT_TRUE(pane->shows("vi /tmp/x\nprompt$")) << pane->screen();
    pane->keys("Up");
    pane->keys("Up");
    pane->keys("C-a");
    pane->line("true ");
    EXPECT_TRUE(pane->shows("prompt$ true read v")) << pane->screen();
    // Keys one by one with echo (stty -icanon): Enter echoes as a new line here too.
    pane->line("stty -icanon; echo chars-now; head -c 4 | od -An -c; stty icanon");
    EXPECT_TRUE(pane->shows("\nchars-now")) << pane->screen();
    pane->line("ab");
    pane->text("c");
    EXPECT_TRUE(pane->shows("a   b  \\n   c")) << pane->screen();
    pane->line("stty raw -echo; echo raw-now; k=$(dd bs=1 count=1 2>/dev/null); stty sane; echo key=$k");
    EXPECT_TRUE(pane->shows("\nraw-now")) << pane->screen();  // a key typed before would be echoed
    pane->text("q");
    EXPECT_TRUE(pane->shows("key=q")) << pane->screen();
    EXPECT_TRUE(pane->shows("key=q\nprompt$")) << pane->screen();
    std::string at_end = pane->screen();
    exit_shell(*pane);
    return at_end;
  }
  std::unique_ptr<Bundle> bundle_;
};

// What a person sees in linemode: each echo on its own line, output from column 0 (no
// staircase), the password not shown.
TEST_F(Tmux, LinemodeShowsWhatATerminalShows) {
  std::string screen = typical_session({});
  EXPECT_NE(screen.find("prompt$ echo hello\nhello\n"), std::string::npos) << screen;
  EXPECT_NE(screen.find("prompt$ read x; echo got=$x\nabd\ngot=abd\n"), std::string::npos) << screen;
  EXPECT_EQ(screen.find("secret"), std::string::npos) << screen;
}

// The same typing gives the same screen in linemode and through the raw relay, where the
// container's own pty echoes.
TEST_F(Tmux, LinemodeAndTheRawRelayShowTheSameScreen) {
  std::string linemode = typical_session({});
  std::string raw = typical_session({"--tty-raw"});
  EXPECT_EQ(linemode, raw);
}

// Three lines pasted at once into `cat`: the caller's terminal echoes them all before the relay
// reads the first, and each echo must still start a line of its own.
TEST_F(Tmux, APastedBlockRendersWithoutAStaircase) {
  auto paste_into_cat = [this](const std::vector<std::string>& flags) {
    auto pane = shell(flags);
    pane->line("cat");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    pane->text("line1\rline2\rline3\r");
    EXPECT_TRUE(pane->shows("line3\nline1\nline2\nline3")) << pane->screen();
    std::string screen = pane->screen();
    pane->keys("C-d");
    exit_shell(*pane);
    return screen;
  };
  std::string linemode = paste_into_cat({});
  EXPECT_NE(linemode.find("prompt$ cat\nline1\nline2\nline3\n"), std::string::npos) << linemode;
  EXPECT_EQ(linemode, paste_into_cat({"--tty-raw"}));
}

// ^C in the pane interrupts the container's foreground job, not the engine.
TEST_F(Tmux, CtrlCInterruptsTheContainersForegroundJob) {
  auto pane = shell();
  pane->line("sleep 100; echo not-reached");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  pane->keys("C-c");
  pane->line("echo status=$?");
  EXPECT_TRUE(pane->shows("status=130")) << pane->screen();
  EXPECT_EQ(pane->screen().find("\nnot-reached"), std::string::npos) << pane->screen();  // only as typed
  exit_shell(*pane);
}

}  // namespace
}  // namespace engine::test
