#pragma once
// Linemode: the caller's own terminal edits and echoes what is typed, in the container's modes.
//
// A relay whose container pty echoes costs a keystroke six wake-ups (relay, pty work, line
// discipline, pty work, relay, caller's terminal), as in runc and crun. Telnet's linemode
// (RFC 1184) moves the echo to where the keys are typed: the container's pty gets EXTPROC (its
// line discipline neither echoes, edits nor signals; a read returns what has arrived), the
// master is in packet mode so every termios change inside arrives as TIOCPKT_IOCTL, and the
// caller's terminal is set to the container's input and local modes each time (and to its
// output processing, while that is needed for the echo). A shell's `read`, `cat` or a password
// prompt then echo and edit where the keys are typed; a program that sets raw mode (an editor,
// a line-editing shell) gets every key at once and echoes itself, as before.
// docs/terminal-strategies.md lists what differs from a raw relay.
#include <termios.h>

#include <cstddef>
#include <optional>

#include "terminal/relay.hpp"
#include "terminal/tty.hpp"

namespace engine::terminal {

// The caller's modes that mirror the container's: its input mapping, local modes and
// editing characters; reads wake on every byte in non-canonical mode (VMIN 1, VTIME 0) and
// EXTPROC stays inside. Output is raw (the container's pty has processed it), or with
// `process_output` OPOST|ONLCR where the container's pty would echo a newline as CR NL, so the
// caller's terminal echoes it so too.
struct termios mirrored_modes(const struct termios& container, const struct termios& caller_saved,
                              bool process_output);

// Whether the container's pty would echo a typed newline as CR NL.
bool echo_needs_return(const struct termios& container);

// Takes out the CR the container's pty put before each NL (ONLCR), for a caller's terminal that
// puts it back; a CR that ends the buffer stays. Returns the new length.
size_t undo_onlcr(char* buf, size_t n);

class LineMode {
 public:
  // Saves the caller's modes, puts the master in packet mode, sets EXTPROC inside and
  // mirrors. Throws Error when either terminal refuses.
  LineMode(int caller, int master);
  ~LineMode() = default;  // the caller's modes come back with caller_
  LineMode(const LineMode&) = delete;

  // A TIOCPKT_IOCTL came: reads the container's modes and mirrors them onto the caller's
  // terminal. A program that cleared EXTPROC (`stty sane`) gets its pty's echo back: the
  // caller's terminal is raw until restore_extproc().
  void follow_container();
  // Whether a program cleared EXTPROC, and when. Setting it again at once would fail programs
  // that read their modes back to check them (stty: "cannot perform all requested
  // operations"); the relay calls restore_extproc() once the modes have been left alone a while.
  bool extproc_cleared() const { return !(container_.c_lflag & EXTPROC); }
  void restore_extproc();
  // Whether the caller's terminal collects lines (a read of 0 bytes is then ^D, not the end).
  bool canonical() const { return (container_.c_lflag & (EXTPROC | ICANON)) == (EXTPROC | ICANON); }
  // The container's end-of-file character, which the relay writes alone for a ^D.
  char eof_char() const { return static_cast<char>(container_.c_cc[VEOF]); }
  // Whether a chunk of typed input that ends a line needs the CR of its echo (the caller's
  // terminal echoed the NL without, its output being raw).
  bool needs_return_after(const char* typed, size_t n) const {
    return n > 0 && typed[n - 1] == '\n' && !extproc_cleared() && !output_processed() &&
           echo_needs_return(container_);
  }
  // Whether the caller's terminal processes output (OPOST|ONLCR), so the relay writes output
  // through undo_onlcr(). It does while a program reads lines with echo, so a pasted block's
  // echo is CR NL from the start; processing all output costs the relay 43 % more CPU, so a
  // stream of output turns it off (set_output_streaming) until output pauses.
  bool output_processed() const { return (mirrored_.c_oflag & OPOST) != 0; }
  void set_output_streaming(bool streaming);
  bool output_streaming() const { return streaming_; }
  // Whether input already written is still unread inside. Under EXTPROC a read returns all
  // that has arrived, so a line typed ahead (or the next line of a paste) waits in the relay
  // until the container has read the one before: each canonical read gets one line.
  bool container_has_unread() const;
  // A key the caller's terminal turned into `sig` (^C, the quit key, ^Z): sent to the
  // container's foreground group, and its unread input dropped unless NOFLSH, as its own line
  // discipline would. True when input is dropped (the relay then drops what it queued).
  bool send_typed_signal(int sig) const;

 private:
  int caller_fd_, master_;
  RawMode caller_;  // saves the caller's modes and restores them
  struct termios container_{}, mirrored_{};
  bool streaming_ = false;
  void mirror();
};

// The caller's terminal for a foreground session with a relay: in linemode when the keys come
// from it (stdin is that terminal) and linemode is wanted, raw otherwise; untouched when there
// is no caller's terminal or no master. In linemode ^Z reaches the engine as SIGTSTP, which is
// then added to `signals` (the relay passes it on instead of stopping); without signals to
// forward (no foreground wait) there is no linemode. The caller's modes come back on restore()
// or at the end.
class SessionModes {
 public:
  SessionModes(int caller_tty, int master, bool linemode_wanted, ForwardedSignals* signals);
  LineMode* linemode() { return line_ ? &*line_ : nullptr; }
  void restore() {
    line_.reset();
    raw_.reset();
  }

 private:
  std::optional<RawMode> raw_;
  std::optional<LineMode> line_;
};

}  // namespace engine::terminal
