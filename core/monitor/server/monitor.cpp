#include "monitor/server/monitor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "common/argv.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "linux/process.hpp"
#include "linux/unix_socket.hpp"
#include "monitor/attach_protocol.hpp"
#include "monitor/server/diagnostics.hpp"
#include "terminal/pty_master.hpp"

namespace engine::monitor {
namespace {

constexpr size_t kChunk = 1 << 16;
// Output queued for an attach client that does not read. Past this the client is dropped
// (it may attach again): a slow attacher must never hold up the container or the log.
constexpr size_t kClientBacklog = 4 << 20;
// Input queued for a container that does not read its stdin; past this, input is dropped.
constexpr size_t kInputBacklog = 1 << 20;
// How long attach clients get, after the init exited, to take their last output.
constexpr auto kFinalFlush = std::chrono::seconds(2);

struct Client {
  UniqueFd fd;
  FrameReader reader;
  std::string pending;  // encoded frames not yet taken by the client
  bool polling_out = false;
};

class Monitor {
 public:
  Monitor(MonitorSetup& s, std::unique_ptr<plugins::LogWriterHandle> log) : s_(s), log_(std::move(log)) {}
  [[noreturn]] void run(pid_t init);

 private:
  void watch(int fd, uint32_t events = EPOLLIN) {
    struct epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    ::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, fd, &ev);
  }
  void unwatch(int fd) { ::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr); }
  void on_control();
  void on_output(int fd, sdk::Stream stream);
  void deliver(sdk::Stream stream, const char* data, size_t len);
  void queue(Client& c, Frame type, const char* data, size_t len);
  void flush(Client& c);
  void drop(Client& c, const char* why);
  void on_accept();
  void on_client(Client& c, uint32_t events);
  void input(const std::string& data);
  void flush_input();
  int input_target() const { return master_ ? master_.get() : s_.stdin_write.get(); }
  void drain();
  void record_exit(int code);
  void flush_clients_before_exit();
  [[noreturn]] void finish(int status);

  MonitorSetup& s_;
  UniqueFd ep_, sigfd_, master_;
  pid_t init_ = -1;
  bool committed_ = false;
  std::optional<int> exit_status_;
  std::vector<Client> clients_;
  std::unique_ptr<plugins::LogWriterHandle> log_;
  bool log_failing_ = false;
  std::string input_pending_;  // typed by attach clients, not yet taken by the container
  bool input_polling_ = false;
};

void Monitor::deliver(sdk::Stream stream, const char* data, size_t len) {
  if (log_) {
    try {
      log_->write(stream, now_ns(), data, len);
      log_failing_ = false;
    } catch (const std::exception& e) {
      // Reported once per failure spell; the container keeps running.
      if (!log_failing_) report("error", "container " + s_.id + ": log driver: " + e.what());
      log_failing_ = true;
    }
  }
  Frame type = stream == sdk::Stream::stdout_stream ? Frame::stdout_data : Frame::stderr_data;
  for (auto& c : clients_) queue(c, type, data, len);
}

void Monitor::queue(Client& c, Frame type, const char* data, size_t len) {
  if (!c.fd) return;
  if (c.pending.size() + len > kClientBacklog) return drop(c, "does not read its output");
  encode_frame(type, data, len, c.pending);
  flush(c);
}

void Monitor::flush(Client& c) {
  while (c.fd && !c.pending.empty()) {
    ssize_t n = ::send(c.fd.get(), c.pending.data(), c.pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.pending.erase(0, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      break;
    } else {
      return drop(c, nullptr);  // the client went away
    }
  }
  bool want_out = !c.pending.empty();
  if (c.fd && want_out != c.polling_out) {
    struct epoll_event ev{};
    ev.events = want_out ? EPOLLIN | EPOLLOUT : EPOLLIN;
    ev.data.fd = c.fd.get();
    ::epoll_ctl(ep_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
    c.polling_out = want_out;
  }
}

void Monitor::drop(Client& c, const char* why) {
  if (why) report("warn", "container " + s_.id + ": attach client dropped: " + why);
  unwatch(c.fd.get());
  c.fd.reset();
  c.pending.clear();
}

void Monitor::on_output(int fd, sdk::Stream stream) {
  char buf[kChunk];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) return deliver(stream, buf, static_cast<size_t>(n));
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  // EOF on a pipe, or every slave closed on the master: nothing more until the init exits.
  unwatch(fd);
}

void Monitor::on_control() {
  char buf[64];
  UniqueFd fd;
  size_t n = 0;
  try {
    n = sys::recv_with_fd(s_.control.get(), buf, sizeof buf, &fd);
  } catch (const Error&) {
  }
  if (n == 0) {
    unwatch(s_.control.get());
    s_.control.reset();
    if (!committed_) {
      // The CLI gave up (or died) before the container existed: take the init with us.
      ::kill(init_, SIGKILL);
      sys::wait_status(init_);
      ::_exit(1);
    }
    return;
  }
  uint32_t type;
  std::memcpy(&type, buf, sizeof type);
  if (static_cast<Control>(type) != Control::commit) return;
  committed_ = true;
  if (fd) {
    master_ = std::move(fd);
    ::fcntl(master_.get(), F_SETFL, ::fcntl(master_.get(), F_GETFL) | O_NONBLOCK);
    watch(master_.get(), terminal::kMasterReadable);
  }
  if (exit_status_) finish(*exit_status_);
}

void Monitor::on_accept() {
  UniqueFd fd(::accept4(s_.attach_listener.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
  if (!fd) return;
  watch(fd.get());
  clients_.push_back({std::move(fd), {}, {}, false});
}

// Input never blocks the monitor: what the container does not take yet waits here.
void Monitor::input(const std::string& data) {
  if (input_target() < 0) return;
  if (input_pending_.size() + data.size() > kInputBacklog) {
    report("warn", "container " + s_.id + ": stdin: the container does not read; input dropped");
    return;
  }
  input_pending_ += data;
  flush_input();
}

void Monitor::flush_input() {
  int target = input_target();
  while (!input_pending_.empty()) {
    ssize_t n = ::write(target, input_pending_.data(), input_pending_.size());
    if (n > 0) {
      input_pending_.erase(0, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      break;
    } else {
      input_pending_.clear();  // the container closed its stdin
      break;
    }
  }
  bool want_out = !input_pending_.empty();
  if (want_out == input_polling_) return;
  input_polling_ = want_out;
  struct epoll_event ev{};
  ev.data.fd = target;
  if (master_) {
    ev.events = want_out ? terminal::kMasterReadable | EPOLLOUT : terminal::kMasterReadable;
    ::epoll_ctl(ep_.get(), EPOLL_CTL_MOD, target, &ev);
  } else if (want_out) {
    ev.events = EPOLLOUT;
    ::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, target, &ev);
  } else {
    unwatch(target);
  }
}

void Monitor::on_client(Client& c, uint32_t events) {
  if (events & EPOLLOUT) flush(c);
  if (!c.fd || !(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
  char buf[kChunk];
  ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) return drop(c, nullptr);
  c.reader.feed(buf, static_cast<size_t>(n));
  Frame type;
  std::string payload;
  while (c.reader.next(type, payload)) {
    unsigned short rows, cols;
    if (type == Frame::stdin_data) {
      input(payload);
    } else if (type == Frame::resize && master_ && decode_size(payload, rows, cols)) {
      struct winsize ws{};
      ws.ws_row = rows;
      ws.ws_col = cols;
      ::ioctl(master_.get(), TIOCSWINSZ, &ws);
    }
  }
}

void Monitor::drain() {
  // The master gives EIO once every slave is closed; pipes give EOF once every writer is.
  // A process that outlived the init may keep one open: give it a moment, not forever.
  struct Source {
    int fd;
    sdk::Stream stream;
  };
  std::vector<Source> sources;
  if (master_) sources.push_back({master_.get(), sdk::Stream::stdout_stream});
  if (s_.stdout_read) sources.push_back({s_.stdout_read.get(), sdk::Stream::stdout_stream});
  if (s_.stderr_read) sources.push_back({s_.stderr_read.get(), sdk::Stream::stderr_stream});
  char buf[kChunk];
  for (const auto& src : sources) {
    for (;;) {
      ssize_t n = ::read(src.fd, buf, sizeof buf);
      if (n > 0) {
        deliver(src.stream, buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        struct pollfd p{src.fd, POLLIN, 0};
        if (::poll(&p, 1, 200) > 0) continue;
      }
      break;
    }
  }
}

// Runs `engine __record-exit` and waits for it: the state store is the engine's, and the
// monitor stays free of sqlite for the whole life of the container.
void Monitor::record_exit(int code) {
  std::vector<std::string> argv = {s_.engine, "__record-exit", s_.root, s_.id, std::to_string(code),
                                   std::to_string(now_ns())};
  auto args = c_strings(argv);
  pid_t pid = ::fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (pid < 0) return report("error", "container " + s_.id + ": record exit: fork: " + std::strerror(errno));
  int status = sys::wait_status(pid);
  if (status != 0)
    report("error", "container " + s_.id + ": record exit: " + s_.engine + " __record-exit failed (status " +
                        std::to_string(status) + ")");
}

// Gives attach clients a bounded time to take what is queued for them (the exit frame last).
void Monitor::flush_clients_before_exit() {
  auto deadline = std::chrono::steady_clock::now() + kFinalFlush;
  for (auto& c : clients_) {
    while (c.fd && !c.pending.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      struct pollfd p{c.fd.get(), POLLOUT, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      flush(c);
    }
  }
}

void Monitor::finish(int status) {
  drain();
  if (log_) {
    try {
      log_->close();
    } catch (const std::exception& e) {
      report("error", "container " + s_.id + ": log driver: " + e.what());
    }
  }
  int code = sys::exit_code_from_status(status);
  record_exit(code);  // before the clients hear the code, so `engine state` agrees with them
  std::string text = std::to_string(code);
  for (auto& c : clients_) queue(c, Frame::exit, text.data(), text.size());
  flush_clients_before_exit();
  ::_exit(0);
}

Client* find_client(std::vector<Client>& clients, int fd) {
  for (auto& c : clients)
    if (c.fd.get() == fd) return &c;
  return nullptr;
}

void Monitor::run(pid_t init) {
  init_ = init;
  ep_.reset(::epoll_create1(EPOLL_CLOEXEC));
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigfd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  watch(sigfd_.get());
  watch(s_.control.get());
  for (UniqueFd* fd : {&s_.stdout_read, &s_.stderr_read, &s_.stdin_write}) {
    if (!*fd) continue;
    ::fcntl(fd->get(), F_SETFL, O_NONBLOCK);
    if (fd == &s_.stdin_write) continue;  // watched only while input waits
    watch(fd->get());
  }
  if (s_.attach_listener) watch(s_.attach_listener.get());
  // The init may have exited while this process was being exec'd.
  int early;
  if (::waitpid(init_, &early, WNOHANG) == init_) exit_status_ = early;
  for (;;) {
    struct epoll_event events[16];
    int n = ::epoll_wait(ep_.get(), events, 16, -1);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == sigfd_.get()) {
        struct signalfd_siginfo info;
        while (::read(fd, &info, sizeof info) == sizeof info) {
        }
        int status;
        pid_t done;
        while ((done = ::waitpid(-1, &status, WNOHANG)) > 0)
          if (done == init_) exit_status_ = status;
        // Before commit the row may still say `creating`: wait for the CLI's word.
        if (exit_status_ && committed_) finish(*exit_status_);
      } else if (s_.control && fd == s_.control.get()) {
        on_control();
      } else if (master_ && fd == master_.get()) {
        if (events[i].events & EPOLLOUT) flush_input();
        if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_output(fd, sdk::Stream::stdout_stream);
      } else if (s_.stdin_write && fd == s_.stdin_write.get()) {
        flush_input();
      } else if (s_.stdout_read && fd == s_.stdout_read.get()) {
        on_output(fd, sdk::Stream::stdout_stream);
      } else if (s_.stderr_read && fd == s_.stderr_read.get()) {
        on_output(fd, sdk::Stream::stderr_stream);
      } else if (s_.attach_listener && fd == s_.attach_listener.get()) {
        on_accept();
      } else if (Client* c = find_client(clients_, fd)) {
        on_client(*c, events[i].events);
      }
    }
    std::erase_if(clients_, [](const Client& c) { return !c.fd; });
  }
}

}  // namespace

void serve(MonitorSetup& setup, std::unique_ptr<plugins::LogWriterHandle> log, pid_t init) {
  Monitor(setup, std::move(log)).run(init);
}

}  // namespace engine::monitor
