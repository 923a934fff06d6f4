// Linemode's mirror: which of the container's modes the caller's terminal takes over.
#include <gtest/gtest.h>
#include <termios.h>

#include "terminal/linemode.hpp"

namespace engine::terminal {
namespace {

// A fresh pty's modes, as `stty sane` leaves them.
struct termios cooked() {
  struct termios t{};
  t.c_iflag = ICRNL | IXON | IMAXBEL;
  t.c_oflag = OPOST | ONLCR;
  t.c_cflag = B38400 | CS8 | CREAD;
  t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
  t.c_cc[VINTR] = 3;
  t.c_cc[VERASE] = 0x7f;
  t.c_cc[VKILL] = 0x15;
  t.c_cc[VEOF] = 4;
  t.c_cc[VMIN] = 1;
  return t;
}

TEST(LineModeMirror, TakesTheContainersEditingModesAndCharacters) {
  struct termios inside = cooked();
  inside.c_lflag |= EXTPROC;
  inside.c_cc[VERASE] = 8;  // a container that erases with ^H
  struct termios caller = cooked();
  caller.c_cflag = B9600 | CS7 | CREAD;
  struct termios m = mirrored_modes(inside, caller, false);
  EXPECT_EQ(m.c_lflag, inside.c_lflag & ~EXTPROC) << "EXTPROC on the caller's terminal would stop its echo";
  EXPECT_EQ(m.c_cc[VERASE], 8);
  EXPECT_EQ(m.c_cc[VEOF], 4);
  EXPECT_EQ(m.c_iflag & ICRNL, ICRNL);
  EXPECT_EQ(m.c_cflag, caller.c_cflag) << "line settings stay the caller's";
  EXPECT_FALSE(m.c_oflag & OPOST) << "output arrives processed by the container's pty";
}

TEST(LineModeMirror, RawInsideMakesTheCallerRaw) {
  struct termios inside = cooked();
  ::cfmakeraw(&inside);
  inside.c_cc[VMIN] = 0;  // a program polling with VMIN 0 must not make the relay's reads return 0
  inside.c_cc[VTIME] = 5;
  struct termios m = mirrored_modes(inside, cooked(), true);
  EXPECT_FALSE(m.c_lflag & (ICANON | ECHO | ISIG | IEXTEN));
  EXPECT_FALSE(m.c_oflag & OPOST) << "a raw program's output is written as it comes";
  EXPECT_FALSE(m.c_iflag & (ICRNL | IXON));
  EXPECT_EQ(m.c_cc[VMIN], 1);
  EXPECT_EQ(m.c_cc[VTIME], 0);
}

TEST(LineModeMirror, KeepsTheCallersUtf8Erasing) {
  struct termios caller = cooked();
  caller.c_iflag |= IUTF8;
  EXPECT_TRUE(mirrored_modes(cooked(), caller, false).c_iflag & IUTF8);
  EXPECT_FALSE(mirrored_modes(cooked(), cooked(), false).c_iflag & IUTF8);
}

// Where the container's pty would echo Enter as CR NL, the caller's terminal processes output
// so its own echo is CR NL too; nowhere else.
TEST(LineModeMirror, OutputIsProcessedOnlyWhereTheEchoOfANewlineNeedsIt) {
  struct termios caller = cooked();
  caller.c_oflag |= OCRNL | TAB3;  // the caller's own output settings are not taken over
  EXPECT_EQ(mirrored_modes(cooked(), caller, true).c_oflag, tcflag_t(OPOST | ONLCR));
  struct termios no_echo = cooked();
  no_echo.c_lflag &= ~ECHO;
  EXPECT_FALSE(mirrored_modes(no_echo, caller, true).c_oflag & OPOST);
}

TEST(LineModeMirror, UndoOnlcrTakesOutTheCrBeforeEachNewlineOnly) {
  auto undo = [](std::string s) {
    s.resize(undo_onlcr(s.data(), s.size()));
    return s;
  };
  EXPECT_EQ(undo("a\r\nb\r\n"), "a\nb\n");
  EXPECT_EQ(undo("progress\r50%\r"), "progress\r50%\r");
  EXPECT_EQ(undo("\r\r\n"), "\r\n");
  EXPECT_EQ(undo("no returns\n"), "no returns\n");
  EXPECT_EQ(undo(""), "");
}

TEST(LineModeMirror, ANewlineEchoNeedsItsReturnOnlyWhereTheContainerWouldMapIt) {
  EXPECT_TRUE(echo_needs_return(cooked()));
  struct termios no_echo = cooked();
  no_echo.c_lflag &= ~ECHO;
  EXPECT_FALSE(echo_needs_return(no_echo));
  no_echo.c_lflag |= ECHONL;  // echoes the newline alone
  EXPECT_TRUE(echo_needs_return(no_echo));
  struct termios no_onlcr = cooked();
  no_onlcr.c_oflag &= ~ONLCR;
  EXPECT_FALSE(echo_needs_return(no_onlcr));
  struct termios raw = cooked();
  ::cfmakeraw(&raw);
  EXPECT_FALSE(echo_needs_return(raw));
  struct termios char_at_a_time = cooked();  // stty -icanon: keys one by one, still echoed
  char_at_a_time.c_lflag &= ~ICANON;
  EXPECT_TRUE(echo_needs_return(char_at_a_time));
  char_at_a_time.c_lflag = (char_at_a_time.c_lflag & ~ECHO) | ECHONL;  // ECHONL needs ICANON
  EXPECT_FALSE(echo_needs_return(char_at_a_time));
}

}  // namespace
}  // namespace engine::terminal
