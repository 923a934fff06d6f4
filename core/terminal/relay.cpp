#include "terminal/relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "common/error.hpp"
#include "common/file.hpp"
#include "common/unique_fd.hpp"
#include "terminal/tty.hpp"

namespace engine::terminal {
namespace {

constexpr size_t kBufferSize = 1 << 16;

// Reaps child if it has exited; true with its status then.
bool reap(pid_t child, int* status) {
  pid_t done;
  while ((done = ::waitpid(child, status, WNOHANG)) < 0 && errno == EINTR) {
  }
  return done == child;
}

// One signal from the signalfd: SIGCHLD checks the child, SIGWINCH resizes, the rest are
// forwarded. Returns true once the child has been reaped.
bool handle_signal(int sigfd, pid_t child, int winsize_source, int master, int* status) {
  struct signalfd_siginfo info;
  bool exited = false;
  while (::read(sigfd, &info, sizeof info) == sizeof info) {
    int sig = static_cast<int>(info.ssi_signo);
    if (sig == SIGCHLD) {
      exited = exited || reap(child, status);
    } else if (sig == SIGWINCH) {
      if (winsize_source >= 0 && master >= 0)
        if (auto ws = window_size(winsize_source)) ::ioctl(master, TIOCSWINSZ, &*ws);
    } else {
      ::kill(child, sig);
    }
  }
  return exited;
}

UniqueFd make_signalfd(const sigset_t& signals) {
  UniqueFd fd(::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd) throw_errno("signalfd");
  return fd;
}

// Reads what the master still holds after the child exited, until EIO (every slave closed).
void drain(int master, int output) {
  std::vector<char> buf(kBufferSize);
  for (;;) {
    ssize_t n = ::read(master, buf.data(), buf.size());
    if (n > 0) {
      write_all(output, buf.data(), static_cast<size_t>(n), "write terminal output");
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      // A slave is still open somewhere (a process that outlived the init): wait briefly.
      struct pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, 200) > 0) continue;
    }
    return;  // EIO, EOF or nothing more
  }
}

}  // namespace

int relay_until_exit(const RelayEnds& ends, pid_t child, const sigset_t& signals) {
  UniqueFd sigfd = make_signalfd(signals);
  UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
  if (!ep) throw_errno("epoll_create1");
  int flags = ::fcntl(ends.master, F_GETFL);
  ::fcntl(ends.master, F_SETFL, flags | O_NONBLOCK);
  // The initial size was set by the provider (consoleSize, else the caller's); only later
  // changes are followed here.

  auto watch = [&](int fd, uint32_t events) {
    struct epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    return ::epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
  };
  auto modify = [&](int fd, uint32_t events) {
    struct epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    ::epoll_ctl(ep.get(), EPOLL_CTL_MOD, fd, &ev);
  };
  watch(sigfd.get(), EPOLLIN);
  watch(ends.master, EPOLLIN);
  // stdin may be /dev/null or a file, which epoll refuses: then there is no input to relay.
  bool input_open = ends.input >= 0 && watch(ends.input, EPOLLIN);

  std::vector<char> out_buf(kBufferSize), in_buf(kBufferSize);
  size_t pending = 0, pending_off = 0;  // input read but not yet taken by the master
  bool master_watched = true;
  int status = 0;
  for (;;) {
    struct epoll_event events[4];
    int n = ::epoll_wait(ep.get(), events, 4, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      uint32_t ev = events[i].events;
      if (fd == sigfd.get()) {
        if (handle_signal(fd, child, ends.winsize_source, ends.master, &status)) {
          drain(ends.master, ends.output);
          return status;
        }
      } else if (fd == ends.master) {
        if (ev & EPOLLIN) {
          ssize_t got = ::read(ends.master, out_buf.data(), out_buf.size());
          if (got > 0) write_all(ends.output, out_buf.data(), static_cast<size_t>(got), "write terminal output");
        }
        if ((ev & EPOLLOUT) && pending > 0) {
          ssize_t put = ::write(ends.master, in_buf.data() + pending_off, pending);
          if (put > 0) {
            pending -= static_cast<size_t>(put);
            pending_off += static_cast<size_t>(put);
          }
          if (pending == 0) {
            modify(ends.master, EPOLLIN);
            if (input_open) modify(ends.input, EPOLLIN);
          }
        }
        // Every slave closed while the process lives: not EOF, but HUP would fire forever.
        // Stop watching until the child exits, then drain (conmon does the same).
        if ((ev & (EPOLLHUP | EPOLLERR)) && !(ev & EPOLLIN) && master_watched) {
          ::epoll_ctl(ep.get(), EPOLL_CTL_DEL, ends.master, nullptr);
          master_watched = false;
        }
      } else if (fd == ends.input) {
        ssize_t got = ::read(ends.input, in_buf.data(), in_buf.size());
        if (got <= 0) {
          ::epoll_ctl(ep.get(), EPOLL_CTL_DEL, ends.input, nullptr);
          input_open = false;
          continue;
        }
        ssize_t put = master_watched ? ::write(ends.master, in_buf.data(), static_cast<size_t>(got)) : got;
        if (put < 0) put = 0;
        if (put < got) {
          // The master is full: hold the rest, stop reading input until it drains.
          pending = static_cast<size_t>(got - put);
          pending_off = static_cast<size_t>(put);
          modify(ends.master, EPOLLIN | EPOLLOUT);
          modify(ends.input, 0);
        }
      }
    }
  }
}

int forward_signals_until_exit(pid_t child, const sigset_t& signals) {
  for (;;) {
    siginfo_t info;
    int sig = ::sigwaitinfo(&signals, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      throw_errno("sigwaitinfo");
    }
    int status = 0;
    if (sig == SIGCHLD) {
      if (reap(child, &status)) return status;
    } else {
      // SIGWINCH too: with the caller's own terminal handed over (passthrough), the kernel
      // tells only the caller's foreground group of a resize, and that is this engine.
      ::kill(child, sig);
    }
  }
}

ForwardedSignals::ForwardedSignals() {
  sigemptyset(&set_);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD})
    sigaddset(&set_, sig);
  sigprocmask(SIG_BLOCK, &set_, &old_);
}

ForwardedSignals::~ForwardedSignals() { sigprocmask(SIG_SETMASK, &old_, nullptr); }

int wait_in_foreground(pid_t child, int master, int caller_terminal, const ForwardedSignals& signals) {
  if (master < 0) return forward_signals_until_exit(child, signals.set());
  RelayEnds ends;
  ends.master = master;
  ends.winsize_source = caller_terminal;
  return relay_until_exit(ends, child, signals.set());
}

}  // namespace engine::terminal
