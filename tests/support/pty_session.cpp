#include "support/spawn.hpp"
#include "support/pty_session.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace engine::test {

PtySession::PtySession(const std::vector<std::string>& argv, unsigned short rows, unsigned short cols) {
  struct winsize ws{};
  ws.ws_row = rows;
  ws.ws_col = cols;
  if (::openpty(&master_, &slave_, nullptr, nullptr, &ws) != 0) throw std::runtime_error("openpty");
  ::fcntl(master_, F_SETFD, FD_CLOEXEC);
  ::fcntl(slave_, F_SETFD, FD_CLOEXEC);
  ::tcgetattr(slave_, &initial_);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setsid();
    ::ioctl(slave_, TIOCSCTTY, 0);
    for (int fd = 0; fd < 3; ++fd) ::dup2(slave_, fd);
    exec_marked(argv);
  }
}

PtySession::~PtySession() {
  if (status_ < 0 && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (master_ >= 0) ::close(master_);
  ::close(slave_);
}

void PtySession::send(const std::string& keys) {
  size_t off = 0;
  while (off < keys.size()) {
    ssize_t n = ::write(master_, keys.data() + off, keys.size() - off);
    if (n <= 0) throw std::runtime_error("write to pty");
    off += static_cast<size_t>(n);
  }
}

bool PtySession::read_some(int timeout_ms) {
  if (master_ < 0) {
    if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return false;
  }
  struct pollfd p{master_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  char buf[65536];
  ssize_t n = ::read(master_, buf, sizeof buf);
  if (n <= 0) return false;
  out_.append(buf, static_cast<size_t>(n));
  return true;
}

bool PtySession::expect(const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    size_t at = out_.find(needle, consumed_);
    if (at != std::string::npos) {
      consumed_ = at + needle.size();
      return true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    read_some(static_cast<int>(std::min<long>(left.count(), 100)));
  }
}

void PtySession::resize(unsigned short rows, unsigned short cols) {
  struct winsize ws{};
  ws.ws_row = rows;
  ws.ws_col = cols;
  ::ioctl(master_, TIOCSWINSZ, &ws);
}

void PtySession::signal(int sig) { ::kill(pid_, sig); }

void PtySession::hang_up() {
  ::close(master_);
  master_ = -1;
}

int PtySession::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    // Keep reading so the program never blocks on a full pty.
    read_some(10);
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) return -1;
  }
  while (read_some(50)) {
  }
  status_ = status;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string PtySession::read_to_end(std::chrono::milliseconds timeout) {
  wait(timeout);
  return out_;
}

struct termios PtySession::modes() const {
  struct termios t{};
  ::tcgetattr(slave_, &t);
  return t;
}

}  // namespace engine::test
