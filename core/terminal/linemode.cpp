#include "terminal/linemode.hpp"

#include <poll.h>
#include <sys/ioctl.h>

#include <cstring>

#include "common/error.hpp"

namespace engine::terminal {
namespace {

// What the caller's line discipline takes over: how input is mapped, and how lines are
// edited, echoed and turned into signals. Not EXTPROC (the caller would stop echoing), not
// TOSTOP (the engine writes the output), not ISTRIP/IUCLC (the container's pty still applies
// those under EXTPROC).
constexpr tcflag_t kInputFlags = ICRNL | INLCR | IGNCR | IXON | IXOFF | IXANY | IMAXBEL | IUTF8;
constexpr tcflag_t kLocalFlags =
    ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHONL | ECHOCTL | ECHOPRT | ECHOKE | IEXTEN | NOFLSH;
constexpr int kEditingChars[] = {VINTR, VQUIT, VERASE, VKILL, VEOF,  VEOL,     VEOL2,
                                 VSTART, VSTOP, VSUSP, VREPRINT, VWERASE, VLNEXT, VDISCARD};

}  // namespace

struct termios mirrored_modes(const struct termios& container, const struct termios& caller_saved,
                              bool process_output) {
  struct termios m = caller_saved;  // line speed and character size stay the caller's
  // IUTF8 from either side: the caller's terminal knows what its keyboard sends.
  m.c_iflag = (container.c_iflag & kInputFlags) | (caller_saved.c_iflag & IUTF8);
  m.c_oflag = process_output && echo_needs_return(container) ? OPOST | ONLCR : caller_saved.c_oflag & ~OPOST;
  m.c_lflag = container.c_lflag & kLocalFlags;
  for (int cc : kEditingChars) m.c_cc[cc] = container.c_cc[cc];
  m.c_cc[VMIN] = 1;
  m.c_cc[VTIME] = 0;
  return m;
}

size_t undo_onlcr(char* buf, size_t n) {
  char* end = buf + n;
  char* out = static_cast<char*>(std::memchr(buf, '\r', n));
  if (!out) return n;
  for (const char* in = out; in < end; ++in)
    if (!(*in == '\r' && in + 1 < end && in[1] == '\n')) *out++ = *in;
  return static_cast<size_t>(out - buf);
}

bool echo_needs_return(const struct termios& container) {
  // n_tty echoes NL with ECHO in either mode, with ECHONL alone only in canonical mode.
  tcflag_t l = container.c_lflag;
  bool echoes_newline = (l & ECHO) || ((l & ICANON) && (l & ECHONL));
  return echoes_newline && (container.c_oflag & OPOST) && (container.c_oflag & ONLCR);
}

LineMode::LineMode(int caller, int master) : caller_fd_(caller), master_(master), caller_(caller) {
  // Packet mode last: a master left in it after a failure would confuse the raw relay.
  if (::tcgetattr(master_, &container_) != 0) throw_errno("terminal: read the container's modes");
  int on = 1;
  if (::ioctl(master_, TIOCPKT, &on) != 0) throw_errno("terminal: packet mode");
  restore_extproc();
  follow_container();
}

void LineMode::restore_extproc() {
  struct termios t;
  if (::tcgetattr(master_, &t) != 0 || (t.c_lflag & EXTPROC)) return;
  t.c_lflag |= EXTPROC;
  ::tcsetattr(master_, TCSANOW, &t);  // its packet brings follow_container()
}

// Mid-session, a terminal that refuses (the caller's hung up) must not end the container's
// session: the relay goes on, and notices a hang-up on its own.
void LineMode::follow_container() {
  if (::tcgetattr(master_, &container_) == 0) mirror();
}

void LineMode::set_output_streaming(bool streaming) {
  if (streaming == streaming_) return;
  streaming_ = streaming;
  mirror();
}

void LineMode::mirror() {
  struct termios modes = caller_.saved();
  if (extproc_cleared()) ::cfmakeraw(&modes);  // the container's pty echoes again
  else modes = mirrored_modes(container_, modes, !streaming_);
  if (std::memcmp(&modes, &mirrored_, sizeof modes) == 0) return;
  if (::tcsetattr(caller_fd_, TCSANOW, &modes) == 0) mirrored_ = modes;
}

bool LineMode::container_has_unread() const {
  UniqueFd slave = open_slave_of(master_);
  if (!slave) return false;  // unknown: let the input go, as telnetd does
  // n_tty's poll first pushes what is still in the pty's buffer into the line discipline.
  struct pollfd p{slave.get(), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

bool LineMode::send_typed_signal(int sig) const {
  bool flush = !(container_.c_lflag & NOFLSH);
  if (flush)
    if (UniqueFd slave = open_slave_of(master_)) ::tcflush(slave.get(), TCIFLUSH);
  ::ioctl(master_, TIOCSIG, sig);
  return flush;
}

SessionModes::SessionModes(int caller_tty, int master, bool linemode_wanted, ForwardedSignals* signals) {
  if (master < 0 || caller_tty < 0) return;
  if (linemode_wanted && signals && caller_tty == 0) {
    try {
      line_.emplace(caller_tty, master);
      signals->add(SIGTSTP);
      return;
    } catch (const Error&) {
      // A provider's master that is no pty master (no packet mode): the raw relay still works.
    }
  }
  raw_.emplace(caller_tty);
}

}  // namespace engine::terminal
