#include "terminal/tty.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/error.hpp"
#include "linux/unix_socket.hpp"

namespace engine::terminal {

RawMode::RawMode(int fd) : fd_(fd) {
  if (::tcgetattr(fd, &saved_) != 0) throw_errno("tcgetattr");
  struct termios raw = saved_;
  ::cfmakeraw(&raw);
  if (::tcsetattr(fd, TCSADRAIN, &raw) != 0) throw_errno("set terminal raw");
  active_ = true;
}

void RawMode::restore() {
  if (!active_) return;
  ::tcsetattr(fd_, TCSADRAIN, &saved_);
  active_ = false;
}

int caller_terminal() {
  for (int fd : {0, 1, 2})
    if (::isatty(fd)) return fd;
  return -1;
}

std::optional<struct winsize> window_size(int fd) {
  struct winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0) return std::nullopt;
  return ws;
}

void set_window_size(int fd, const struct winsize& ws) {
  if (::ioctl(fd, TIOCSWINSZ, &ws) != 0) throw_errno("set window size");
}

UniqueFd open_slave_of(int master) {
  return UniqueFd(::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
}

void hang_up(int master) {
  if (UniqueFd slave = open_slave_of(master)) ::ioctl(slave.get(), TIOCVHANGUP);
}

void send_to_console_socket(const std::string& socket_path, int master) {
  UniqueFd sock = sys::connect_unix(socket_path);
  char name[64] = "/dev/ptmx";
  if (::ptsname_r(master, name, sizeof name) != 0) std::snprintf(name, sizeof name, "/dev/ptmx");
  sys::send_with_fd(sock.get(), name, std::strlen(name), master);
}

}  // namespace engine::terminal
