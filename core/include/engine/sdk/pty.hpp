#pragma once
// Helpers for terminal plugins: the steps every pty strategy shares once it holds a slave.
// Header-only so a plugin needs nothing from the engine but these headers.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "engine/sdk/plugin.hpp"
#include "engine/sdk/terminal.hpp"

namespace engine::sdk::pty {

[[noreturn]] inline void fail(const std::string& what) {
  throw PluginError(what + ": " + std::strerror(errno));
}

inline void apply_size(int fd, const std::optional<WindowSize>& size) {
  if (!size || (size->rows == 0 && size->cols == 0)) return;
  struct winsize ws{};
  ws.ws_row = size->rows;
  ws.ws_col = size->cols;
  if (::ioctl(fd, TIOCSWINSZ, &ws) != 0) fail("set window size");
}

// Makes slave the controlling terminal of a new session and the process's stdio.
// `may_fail_ctty`: a terminal that is already another session's ctty (the caller's own)
// refuses TIOCSCTTY with EPERM; the process then runs without one.
inline void become_session_leader_on(int slave, bool may_fail_ctty = false) {
  if (::setsid() < 0 && errno != EPERM) fail("setsid");
  if (::ioctl(slave, TIOCSCTTY, 0) != 0 && !(may_fail_ctty && errno == EPERM)) fail("ioctl(TIOCSCTTY)");
  for (int fd = 0; fd < 3; ++fd)
    if (slave != fd && ::dup3(slave, fd, 0) < 0) fail("dup slave to fd " + std::to_string(fd));
}

// Binds the terminal behind fd onto path (created as an empty file, never followed).
// Uses the fd, never a path string to the slave (runc CVE-2025-52565).
inline void bind_fd_onto(int fd, const std::string& path) {
  int target = ::open(path.c_str(), O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_RDONLY, 0600);
  if (target < 0) fail("create " + path);
  ::close(target);
  std::string source = "/proc/self/fd/" + std::to_string(fd);
  if (::mount(source.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0) fail("bind terminal onto " + path);
}

}  // namespace engine::sdk::pty
