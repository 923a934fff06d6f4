#include "terminal/relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/file.hpp"
#include "common/unique_fd.hpp"
#include "terminal/linemode.hpp"
#include "terminal/pty_master.hpp"
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

// A signal the caller's own terminal generated (the kernel sends those, not a process).
bool typed_signal(const struct signalfd_siginfo& info) {
  int sig = static_cast<int>(info.ssi_signo);
  return info.ssi_code == SI_KERNEL && (sig == SIGINT || sig == SIGQUIT || sig == SIGTSTP);
}

UniqueFd make_signalfd(const sigset_t& signals) {
  UniqueFd fd(::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd) throw_errno("signalfd");
  return fd;
}

// The relay's epoll loop and what it holds between events.
class Relay {
 public:
  Relay(const RelayEnds& ends, pid_t child, const sigset_t& signals)
      : ends_(ends), child_(child), sigfd_(make_signalfd(signals)), ep_(::epoll_create1(EPOLL_CLOEXEC)),
        out_buf_(kBufferSize + 1), in_buf_(kBufferSize) {
    if (!ep_) throw_errno("epoll_create1");
    int flags = ::fcntl(ends.master, F_GETFL);
    ::fcntl(ends.master, F_SETFL, flags | O_NONBLOCK);
    // The initial size was set by the provider (consoleSize, else the caller's); only later
    // changes are followed here.
    watch(sigfd_.get(), EPOLLIN);
    watch(ends.master, kMasterReadable);
    input_ = ends.input;
    input_is_terminal_ = input_ >= 0 && ::isatty(input_);  // a hung-up one no longer says so
    if (input_is_terminal_) {
      // Reads must not block: a key that turns into a signal flushes the terminal's input
      // between epoll's "readable" and the read, which would then wait for the next line with
      // the relay stuck in it. O_NONBLOCK on stdin itself would change the caller's shell's
      // file too, so the relay reads through an open file of its own.
      std::string path = "/proc/self/fd/" + std::to_string(input_);
      own_input_.reset(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
      if (own_input_) input_ = own_input_.get();
    }
    // stdin may be /dev/null or a file, which epoll refuses: then there is no input to relay.
    input_open_ = input_ >= 0 && watch(input_, EPOLLIN);
    if (ends.linemode) {
      // The container's line discipline wakes the master's writers whenever a read inside
      // leaves its input (nearly) empty: an edge on a second handle of the master says so
      // without disturbing the level-triggered one. Watched only while a line waits for such a
      // read (edge-triggered even unwatched, or a hang-up would be reported without end).
      reader_woke_.reset(::fcntl(ends.master, F_DUPFD_CLOEXEC, 0));
      if (reader_woke_ && !watch(reader_woke_.get(), EPOLLET)) reader_woke_.reset();
    }
  }

  int run() {
    for (;;) {
      struct epoll_event events[4];
      int n = ::epoll_wait(ep_.get(), events, 4, timeout_ms());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_errno("epoll_wait");
      }
      run_due_timers();
      for (int i = 0; i < n; ++i) {
        int fd = events[i].data.fd;
        uint32_t ev = events[i].events;
        if (fd == sigfd_.get()) {
          if (on_signals()) {
            drain();
            return status_;
          }
        } else if (fd == ends_.master) {
          on_master(ev);
        } else if (fd == input_) {
          on_input(ev);
        }
        // Any event may let queued input go on: the master took some, the container read a
        // line (reader_woke_), or its program left canonical mode.
        if (!queued_.empty() && !master_full_) pump();
      }
    }
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kQueueLimit = 1 << 16;  // input read ahead of the container
  // How long the container's modes must be left alone before EXTPROC, which a program
  // cleared, is set again (long after a program checks what it set; short beside a person).
  static constexpr auto kExtprocQuiet = std::chrono::milliseconds(100);

  // A chunk of output this large makes a stream; kOutputQuiet without output ends it.
  static constexpr size_t kStreamingChunk = 512;
  static constexpr auto kOutputQuiet = std::chrono::milliseconds(50);

  // Linemode's timers: EXTPROC to set again, the end of a stream of output. -1: none.
  int timeout_ms() const {
    LineMode* line = ends_.linemode;
    if (!line) return -1;
    std::optional<Clock::time_point> due;
    if (line->extproc_cleared()) due = extproc_due_;
    if (line->output_streaming()) due = std::min(due.value_or(Clock::time_point::max()), output_seen_ + kOutputQuiet);
    if (!due) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*due - Clock::now()).count();
    return static_cast<int>(std::max<long long>(0, left) + 1);
  }
  // After every wake-up, not only a timeout: a busy relay may never time out.
  void run_due_timers() {
    LineMode* line = ends_.linemode;
    if (!line || !(line->output_streaming() || line->extproc_cleared())) return;
    Clock::time_point now = Clock::now();
    if (line->output_streaming() && now >= output_seen_ + kOutputQuiet) line->set_output_streaming(false);
    if (line->extproc_cleared() && now >= extproc_due_) {
      line->restore_extproc();
      extproc_due_ = now + kExtprocQuiet;  // its packet ends the wait; if none, try again
    }
  }
  static constexpr uint32_t kHangUpOnly = EPOLLIN | EPOLLET;

  bool watch(int fd, uint32_t events) {
    struct epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    return ::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
  }
  void modify(int fd, uint32_t events) {
    struct epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    ::epoll_ctl(ep_.get(), EPOLL_CTL_MOD, fd, &ev);
  }

  // What the signalfd holds: SIGCHLD checks the child, SIGWINCH resizes, keys typed as signals
  // in linemode go to the container's foreground group (and the input queued for it is
  // dropped, unless its modes say noflsh), the rest are forwarded to the child. True once it
  // is reaped.
  bool on_signals() {
    struct signalfd_siginfo info;
    bool exited = false;
    while (::read(sigfd_.get(), &info, sizeof info) == sizeof info) {
      int sig = static_cast<int>(info.ssi_signo);
      if (sig == SIGCHLD) {
        exited = exited || reap(child_, &status_);
      } else if (sig == SIGWINCH) {
        if (ends_.winsize_source >= 0)
          if (auto ws = window_size(ends_.winsize_source)) ::ioctl(ends_.master, TIOCSWINSZ, &*ws);
      } else if (ends_.linemode && typed_signal(info)) {
        if (ends_.linemode->send_typed_signal(sig)) drop_queued_input();
      } else {
        ::kill(child_, sig);
      }
    }
    return exited;
  }

  void on_master(uint32_t ev) {
    size_t data = 0;
    if (ev & EPOLLIN) {
      // A packet-mode status byte comes alone: the data behind it needs a read of its own.
      ssize_t got;
      while ((got = read_output(&data)) > 0 && data == 0) {
      }
      if (got > 0) write_output(data);
    }
    if ((ev & EPOLLOUT) && master_full_) {
      master_full_ = false;
      modify(ends_.master, kMasterReadable);
    }
    // Every slave closed while the process lives: not EOF, but nothing will read input any
    // more (pump() drops it). Stop watching until the child exits, then drain (as conmon).
    if ((ev & (EPOLLHUP | EPOLLERR)) && !(ev & EPOLLIN) && master_watched_) {
      ::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, ends_.master, nullptr);
      master_watched_ = false;
    }
  }

  // One read of the master's output into out_buf_[1..]; one per wake-up (reading on until
  // EAGAIN cost the relay 10 % more CPU: a read that finds nothing flushes the pty's work
  // queue, as a poll does, see kMasterReadable). In packet mode the read starts with a status
  // byte, which lands in out_buf_[0] so the data needs no copy; a termios change is followed
  // at once. Returns what read returned (errno set below 0) and the data's length in *data.
  ssize_t read_output(size_t* data) {
    const size_t header = ends_.linemode ? 1 : 0;
    char* at = out_buf_.data() + 1 - header;
    ssize_t got = ::read(ends_.master, at, kBufferSize + header);
    *data = 0;
    if (got <= 0) return got;
    if (header && at[0] != TIOCPKT_DATA) {
      if (at[0] & TIOCPKT_IOCTL) {
        ends_.linemode->follow_container();
        if (ends_.linemode->extproc_cleared()) extproc_due_ = Clock::now() + kExtprocQuiet;
      }
      return got;
    }
    *data = static_cast<size_t>(got) - header;
    return got;
  }

  // Writes out_buf_'s data to the caller. In linemode a large chunk is a stream of output:
  // the caller's terminal stops processing output until it pauses (see output_processed()).
  void write_output(size_t data) {
    char* buf = out_buf_.data() + 1;
    if (LineMode* line = ends_.linemode) {
      if (data >= kStreamingChunk) line->set_output_streaming(true);
      if (line->output_streaming()) output_seen_ = Clock::now();
      if (line->output_processed()) data = undo_onlcr(buf, data);
    }
    write_all(ends_.output, buf, data, "write terminal output");
  }

  // What the master still holds after the child exited, until EIO (every slave closed).
  void drain() {
    for (;;) {
      size_t data = 0;
      ssize_t got = read_output(&data);
      if (got > 0) {
        write_output(data);
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
      if (got < 0 && errno == EAGAIN) {
        // A slave is still open somewhere (a process that outlived the init): wait briefly.
        struct pollfd p{ends_.master, POLLIN, 0};
        if (::poll(&p, 1, 200) > 0) continue;
      }
      return;  // EIO, EOF or nothing more
    }
  }

  // Input is read as soon as it comes (in linemode a canonical read is one line, which the
  // caller's terminal has just echoed: its CR goes out now) and queued for the master.
  void on_input(uint32_t ev) {
    bool hung_up = ev & (EPOLLHUP | EPOLLERR);
    if (input_paused_ && !hung_up) return;
    LineMode* line = ends_.linemode;
    ssize_t got = ::read(input_, in_buf_.data(), in_buf_.size());
    if (got < 0 && (errno == EAGAIN || errno == EINTR) && !hung_up) return;  // flushed meanwhile
    if (got == 0 && line && line->canonical() && !hung_up) {
      // ^D on the caller's terminal: alone, the container's end-of-file char reads as 0 bytes.
      in_buf_[0] = line->eof_char();
      got = 1;
    }
    if (got <= 0) {
      ::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, input_, nullptr);
      input_open_ = false;
      // The caller's terminal hung up (its window closed, its ssh dropped): so does the
      // container's, or a shell inside would wait for keys no one can type, and this engine
      // with it. The end of a file or pipe is only the end of input.
      if (hung_up && input_is_terminal_) hang_up(ends_.master);
      return;
    }
    if (line && line->needs_return_after(in_buf_.data(), static_cast<size_t>(got)))
      write_all(ends_.output, "\r", 1, "write terminal output");
    queued_.emplace_back(in_buf_.data(), static_cast<size_t>(got));
    queued_bytes_ += static_cast<size_t>(got);
    if (queued_bytes_ >= kQueueLimit) {
      // Far ahead of the container: stop reading, but hear a hang-up (a tty's wakes readers
      // with EPOLLIN, which an unwatched fd would miss).
      input_paused_ = true;
      modify(input_, kHangUpOnly);
    }
  }

  // Writes queued input to the master while it takes it. In linemode, to a canonical reader
  // a line goes only once the one before was read: under EXTPROC a read returns all that has
  // arrived, so a paste would otherwise reach it as one read.
  void pump() {
    if (!master_watched_) return drop_queued_input();  // no slave left to read it
    LineMode* line = ends_.linemode;
    bool waiting = false;
    while (!queued_.empty()) {
      bool paced = line && line->canonical() && reader_woke_;
      if (paced && line_unconfirmed_) {
        waiting = line->container_has_unread();
        if (waiting) break;
        line_unconfirmed_ = false;
      }
      std::string& front = queued_.front();
      ssize_t put = ::write(ends_.master, front.data() + front_off_, front.size() - front_off_);
      if (put > 0) {
        front_off_ += static_cast<size_t>(put);
        queued_bytes_ -= static_cast<size_t>(put);
      }
      if (front_off_ < front.size()) {
        master_full_ = true;  // the rest when it drains
        modify(ends_.master, kMasterReadable | EPOLLOUT);
        break;
      }
      queued_.pop_front();
      front_off_ = 0;
      if (paced) line_unconfirmed_ = true;
    }
    await_container_read(waiting);
    if (input_paused_ && queued_bytes_ < kQueueLimit && input_open_) {
      input_paused_ = false;
      modify(input_, EPOLLIN);
    }
  }

  void drop_queued_input() {
    queued_.clear();
    queued_bytes_ = 0;
    front_off_ = 0;
    await_container_read(false);
  }

  // Watches reader_woke_ while a line waits for the container's read. Modified on a change
  // only: a modify finds the master writable and reports it at once.
  void await_container_read(bool waiting) {
    if (waiting == awaiting_read_) return;
    modify(reader_woke_.get(), waiting ? EPOLLOUT | EPOLLET : EPOLLET);
    awaiting_read_ = waiting;
  }

  const RelayEnds& ends_;
  pid_t child_;
  UniqueFd sigfd_, ep_, reader_woke_;
  int input_ = -1;        // ends_.input, or own_input_ when the caller's input is a terminal
  UniqueFd own_input_;
  std::vector<char> out_buf_;  // [0] takes a read's packet byte; data from [1]
  std::vector<char> in_buf_;
  std::deque<std::string> queued_;  // input for the master, as read (linemode: a line each)
  size_t queued_bytes_ = 0, front_off_ = 0;
  bool input_open_ = false;
  bool input_is_terminal_ = false;
  bool input_paused_ = false;  // kQueueLimit reached: watched for a hang-up only
  bool master_watched_ = true;
  bool master_full_ = false;        // a write was short: waiting for EPOLLOUT
  bool line_unconfirmed_ = false;   // linemode: a line went in that may be unread
  bool awaiting_read_ = false;      // linemode: reader_woke_ watched for the container's read
  Clock::time_point extproc_due_{};  // linemode: when to set EXTPROC again
  Clock::time_point output_seen_{};  // linemode: the last output of a stream
  int status_ = 0;
};

}  // namespace

int relay_until_exit(const RelayEnds& ends, pid_t child, const sigset_t& signals) {
  return Relay(ends, child, signals).run();
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

void ForwardedSignals::add(int sig) {
  sigaddset(&set_, sig);
  sigprocmask(SIG_BLOCK, &set_, nullptr);
}

int wait_in_foreground(pid_t child, int master, int caller_terminal, const ForwardedSignals& signals,
                       LineMode* linemode) {
  if (master < 0) return forward_signals_until_exit(child, signals.set());
  RelayEnds ends;
  ends.master = master;
  ends.winsize_source = caller_terminal;
  ends.linemode = linemode;
  return relay_until_exit(ends, child, signals.set());
}

}  // namespace engine::terminal
