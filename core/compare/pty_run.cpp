#include "compare/pty_run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "common/argv.hpp"
#include "common/error.hpp"
#include "common/file.hpp"
#include "compare/interrupt.hpp"

namespace engine::compare {
namespace {

// In the forked child: a session of its own with the slave as controlling terminal and stdio.
[[noreturn]] void exec_on_terminal(const std::vector<std::string>& argv, int slave) {
  ::setsid();
  ::ioctl(slave, TIOCSCTTY, 0);
  for (int fd = 0; fd < 3; ++fd) ::dup2(slave, fd);
  exec_child(argv);
}

pid_t spawn(const std::vector<std::string>& argv, int slave) {
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork for " + argv.at(0));
  if (pid == 0) exec_on_terminal(argv, slave);
  return pid;
}

}  // namespace

void exec_child(const std::vector<std::string>& argv) {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  auto args = c_strings(argv);
  ::execv(args[0], args.data());
  ::_exit(127);
}

int poll_ms(Deadline deadline, int cap) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, cap));
}

PtyRun::Pty PtyRun::open_pty(WinSize size) {
  struct winsize ws{};
  ws.ws_row = size.rows;
  ws.ws_col = size.cols;
  int master = -1, slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, &ws) != 0) throw_errno("openpty");
  Pty pty{UniqueFd(master), UniqueFd(slave)};
  ::fcntl(master, F_SETFD, FD_CLOEXEC);
  ::fcntl(master, F_SETFL, O_NONBLOCK);  // reads follow a poll; discard() reads until empty
  ::fcntl(slave, F_SETFD, FD_CLOEXEC);
  return pty;
}

PtyRun::PtyRun(const std::vector<std::string>& argv, WinSize size) : PtyRun(argv, open_pty(size)) {}

PtyRun::PtyRun(const std::vector<std::string>& argv, Pty pty)
    : master_(std::move(pty.master)), slave_(std::move(pty.slave)), child_(spawn(argv, slave_.get())) {}

bool PtyRun::ended() {
  if (status_) return true;
  int status = 0;
  if (::waitpid(child_.get(), &status, WNOHANG) != child_.get()) return false;
  child_.release();
  status_ = status;
  return true;
}

bool PtyRun::read_some(int timeout_ms) {
  struct pollfd p{master_.get(), POLLIN, 0};
  int ready = ::poll(&p, 1, timeout_ms);
  throw_if_interrupted();
  if (ready <= 0) return false;
  char buf[65536];
  ssize_t n = ::read(master_.get(), buf, sizeof buf);
  if (n <= 0) return false;
  out_.append(buf, static_cast<size_t>(n));
  return true;
}

bool PtyRun::expect(std::string_view needle, Deadline deadline) {
  for (;;) {
    size_t at = out_.find(needle, consumed_);
    if (at != std::string::npos) {
      consumed_ = at + needle.size();
      return true;
    }
    if (Clock::now() >= deadline) return false;
    // Once the program is gone, what is left in the pty is all there will be.
    if (!read_some(poll_ms(deadline, 20)) && ended() && !read_some(0)) return false;
  }
}

std::optional<std::string> PtyRun::next_line(Deadline deadline) {
  for (;;) {
    size_t nl = out_.find('\n', consumed_);
    if (nl != std::string::npos) {
      std::string line = out_.substr(consumed_, nl - consumed_);
      consumed_ = nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    if (!read_some(poll_ms(deadline, 20)) && ended() && !read_some(0)) return std::nullopt;
  }
}

size_t PtyRun::discard(size_t limit, int timeout_ms) {
  struct pollfd p{master_.get(), POLLIN, 0};
  int ready = ::poll(&p, 1, timeout_ms);
  throw_if_interrupted();
  if (ready <= 0) return 0;
  // Read on until the pty is empty: a poll per read would cost as much as the reads.
  static char buf[1 << 16];
  size_t got = 0;
  while (got < limit) {
    ssize_t n = ::read(master_.get(), buf, std::min(limit - got, sizeof buf));
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

void PtyRun::drain(int quiet_ms) {
  while (read_some(quiet_ms)) {
  }
  consumed_ = out_.size();
}

void PtyRun::send(std::string_view keys) { write_all(master_.get(), keys.data(), keys.size(), "write to the pty"); }

void PtyRun::resize(WinSize size) {
  struct winsize ws{};
  ws.ws_row = size.rows;
  ws.ws_col = size.cols;
  check(::ioctl(master_.get(), TIOCSWINSZ, &ws), "resize the pty");
}

std::optional<int> PtyRun::wait(Deadline deadline) {
  while (!ended()) {
    if (Clock::now() >= deadline) return std::nullopt;
    read_some(10);  // keep reading so it never blocks on a full pty
  }
  while (read_some(0)) {
  }
  return sys::exit_code_from_status(*status_);
}

std::string PtyRun::last_line() const {
  std::string text = out_;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  size_t nl = text.rfind('\n');
  std::string line = nl == std::string::npos ? text : text.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Error PtyRun::failure(const std::string& what, const std::string& why) const {
  std::string said = last_line();
  return Error(what + ": " + why + (said.empty() ? "" : " (last output: " + said + ")"));
}

}  // namespace engine::compare
