#pragma once
// The caller's terminal on the host side: raw mode for a session, window sizes, console socket.
#include <sys/ioctl.h>
#include <termios.h>

#include <optional>
#include <string>

#include "common/unique_fd.hpp"

namespace engine::terminal {

// Puts fd in raw mode and restores the saved modes when destroyed (and on restore()).
class RawMode {
 public:
  explicit RawMode(int fd);
  RawMode(const RawMode&) = delete;
  ~RawMode() { restore(); }
  void restore();
  bool active() const { return active_; }
  const struct termios& saved() const { return saved_; }

 private:
  int fd_;
  bool active_ = false;
  struct termios saved_{};
};

// The first of stdin, stdout, stderr that is a terminal, or -1 (runc#2485: any std stream).
int caller_terminal();
std::optional<struct winsize> window_size(int fd);
void set_window_size(int fd, const struct winsize& ws);

// The slave of a pty, opened through its master (TIOCGPTPEER: no path lookup, works across
// mount namespaces); not our controlling terminal. Invalid if the kernel refuses.
UniqueFd open_slave_of(int master);
// Hangs up the pty behind master, as a modem's line drop: its session gets SIGHUP and its
// reads end. What sshd's closing of a master does, without closing ours.
void hang_up(int master);

// OCI console socket protocol: connect to path, send one message with the master in
// SCM_RIGHTS and the pty name as data. No reply is read.
void send_to_console_socket(const std::string& socket_path, int master);

}  // namespace engine::terminal
