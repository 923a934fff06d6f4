#include "monitor/monitor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "linux/process.hpp"
#include "linux/unix_socket.hpp"
#include "monitor/attach_protocol.hpp"
#include "plugins/registry.hpp"
#include "state/store.hpp"

namespace engine::monitor {
namespace {

constexpr size_t kChunk = 1 << 16;

struct Client {
  UniqueFd fd;
  FrameReader reader;
};

class Monitor {
 public:
  Monitor(MonitorSetup& s, std::unique_ptr<sdk::LogWriter> log) : s_(s), log_(std::move(log)) {}
  void run(pid_t init);

 private:
  void watch(int fd) {
    struct epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, fd, &ev);
  }
  void unwatch(int fd) { ::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr); }
  void on_control();
  void on_output(int fd, sdk::Stream stream);
  void deliver(sdk::Stream stream, const char* data, size_t len);
  void on_accept();
  void on_client(size_t index);
  void input(const std::string& data);
  void drain();
  void finish(int status);

  MonitorSetup& s_;
  UniqueFd ep_, sigfd_, master_;
  pid_t init_ = -1;
  bool committed_ = false;
  std::optional<int> exit_status_;
  std::vector<Client> clients_;
  std::unique_ptr<sdk::LogWriter> log_;
  bool log_failing_ = false;
};

void Monitor::deliver(sdk::Stream stream, const char* data, size_t len) {
  if (log_) {
    try {
      log_->write(stream, now_ns(), data, len);
      log_failing_ = false;
    } catch (const std::exception& e) {
      // Reported once per failure spell; the container keeps running.
      if (!log_failing_) spdlog::error("container {}: log driver: {}", s_.id, e.what());
      log_failing_ = true;
    }
  }
  Frame type = stream == sdk::Stream::stdout_stream ? Frame::stdout_data : Frame::stderr_data;
  for (auto& c : clients_)
    if (c.fd && !write_frame(c.fd.get(), type, data, len)) c.fd.reset();
  std::erase_if(clients_, [](const Client& c) { return !c.fd; });
}

void Monitor::on_output(int fd, sdk::Stream stream) {
  char buf[kChunk];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) return deliver(stream, buf, static_cast<size_t>(n));
  if (n < 0 && errno == EAGAIN) return;
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
    watch(master_.get());
  }
  if (exit_status_) finish(*exit_status_);
}

void Monitor::on_accept() {
  UniqueFd fd(::accept4(s_.attach_listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!fd) return;
  watch(fd.get());
  clients_.push_back({std::move(fd), {}});
}

void Monitor::input(const std::string& data) {
  int target = master_ ? master_.get() : s_.stdin_write.get();
  if (target < 0) return;
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(target, data.data() + off, data.size() - off);
    if (n > 0) {
      off += static_cast<size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      struct pollfd p{target, POLLOUT, 0};
      ::poll(&p, 1, 100);
    } else {
      return;
    }
  }
}

void Monitor::on_client(size_t index) {
  Client& c = clients_[index];
  char buf[kChunk];
  ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
  if (n <= 0) {
    unwatch(c.fd.get());
    c.fd.reset();
    return;
  }
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

void Monitor::finish(int status) {
  drain();
  if (log_) {
    try {
      log_->close();
    } catch (const std::exception& e) {
      spdlog::error("container {}: log driver: {}", s_.id, e.what());
    }
  }
  int code = sys::exit_code_from_status(status);
  try {
    auto store = state::Store::open(s_.root);
    state::Update update;
    update.exit_code = code;
    update.finished_at = now_ns();
    if (!store.transition(s_.id, {state::Status::created, state::Status::running, state::Status::paused},
                          state::Status::stopped, update)) {
      // Another engine saw the init gone first and marked it stopped without a code.
      auto rec = store.find(s_.id);
      if (rec && rec->status == state::Status::stopped && !rec->exit_code) store.update(s_.id, update);
    }
  } catch (const std::exception& e) {
    spdlog::error("container {}: record exit: {}", s_.id, e.what());
  }
  std::string text = std::to_string(code);
  for (auto& c : clients_)
    if (c.fd) write_frame(c.fd.get(), Frame::exit, text.data(), text.size());
  ::_exit(0);
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
  for (UniqueFd* fd : {&s_.stdout_read, &s_.stderr_read}) {
    if (!*fd) continue;
    ::fcntl(fd->get(), F_SETFL, O_NONBLOCK);
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
        on_output(fd, sdk::Stream::stdout_stream);
      } else if (s_.stdout_read && fd == s_.stdout_read.get()) {
        on_output(fd, sdk::Stream::stdout_stream);
      } else if (s_.stderr_read && fd == s_.stderr_read.get()) {
        on_output(fd, sdk::Stream::stderr_stream);
      } else if (s_.attach_listener && fd == s_.attach_listener.get()) {
        on_accept();
      } else {
        for (size_t c = 0; c < clients_.size(); ++c)
          if (clients_[c].fd.get() == fd) on_client(c);
        std::erase_if(clients_, [](const Client& c) { return !c.fd; });
      }
    }
  }
}

}  // namespace

namespace {

// Keeps fd open across exec and names it in argv.
void pass_fd(std::vector<std::string>& argv, const char* flag, const UniqueFd& fd) {
  if (!fd) return;
  sys::clear_cloexec(fd.get());
  argv.push_back(flag);
  argv.push_back(std::to_string(fd.get()));
}

[[noreturn]] void exec_monitor(MonitorSetup& setup, pid_t init) {
  std::vector<std::string> argv = {"engine", "__monitor", "--root", setup.root, "--id", setup.id,
                                   "--dir", setup.container_dir, "--init", std::to_string(init)};
  if (setup.terminal) argv.push_back("--terminal");
  pass_fd(argv, "--control-fd", setup.control);
  pass_fd(argv, "--stdout-fd", setup.stdout_read);
  pass_fd(argv, "--stderr-fd", setup.stderr_read);
  pass_fd(argv, "--stdin-fd", setup.stdin_write);
  pass_fd(argv, "--attach-fd", setup.attach_listener);
  if (!setup.log_driver.empty()) argv.insert(argv.end(), {"--log-driver", setup.log_driver});
  for (const auto& [k, v] : setup.log_opts) argv.insert(argv.end(), {"--log-opt", k + "=" + v});
  for (const auto& d : setup.plugin_dirs) argv.insert(argv.end(), {"--plugin-dir", d});
  if (!setup.engine_log.empty())
    argv.insert(argv.end(), {"--log", setup.engine_log, "--log-format", setup.engine_log_format});
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  ::execv("/proc/self/exe", args.data());
  throw_errno("exec monitor");
}

}  // namespace

void monitor_main(MonitorSetup& setup, const std::function<pid_t()>& clone_init) noexcept {
  pid_t init = -1;
  try {
    // Its own session, no controlling terminal, deaf to the hangup of the CLI's terminal.
    ::setsid();
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    // Blocked SIGCHLD stays blocked and pending across exec: no exit is missed.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    init = clone_init();
    // The init has its stdio; the monitor must not keep the caller's open (or a caller
    // reading `engine run -d` to its end would wait for the container to exit).
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3 && null >= 0; ++fd) ::dup2(null, fd);
    if (null > 2) ::close(null);
    std::string text = std::to_string(init);
    uint32_t type = static_cast<uint32_t>(Control::init_pid);
    std::string msg(reinterpret_cast<const char*>(&type), sizeof type);
    msg += text;
    sys::send_with_fd(setup.control.get(), msg.data(), msg.size(), -1);
    exec_monitor(setup, init);
  } catch (...) {
    if (init > 0) ::kill(init, SIGKILL);
  }
  ::_exit(1);
}

int monitor_command(int argc, char** argv) {
  MonitorSetup setup;
  pid_t init = -1;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    auto fd = [&]() { return UniqueFd(std::stoi(value())); };
    if (a == "--root") setup.root = value();
    else if (a == "--id") setup.id = value();
    else if (a == "--dir") setup.container_dir = value();
    else if (a == "--init") init = std::stoi(value());
    else if (a == "--terminal") setup.terminal = true;
    else if (a == "--control-fd") setup.control = fd();
    else if (a == "--stdout-fd") setup.stdout_read = fd();
    else if (a == "--stderr-fd") setup.stderr_read = fd();
    else if (a == "--stdin-fd") setup.stdin_write = fd();
    else if (a == "--attach-fd") setup.attach_listener = fd();
    else if (a == "--log-driver") setup.log_driver = value();
    else if (a == "--log-opt") {
      std::string kv = value();
      setup.log_opts[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
    } else if (a == "--plugin-dir") setup.plugin_dirs.push_back(value());
    else if (a == "--log") setup.engine_log = value();
    else if (a == "--log-format") setup.engine_log_format = value();
  }
  for (UniqueFd* f : {&setup.control, &setup.stdout_read, &setup.stderr_read, &setup.stdin_write,
                      &setup.attach_listener})
    if (*f) ::fcntl(f->get(), F_SETFD, FD_CLOEXEC);
  log::init(setup.engine_log, setup.engine_log_format, false);
  std::unique_ptr<sdk::LogWriter> writer;
  if (!setup.log_driver.empty()) {
    try {
      auto driver = plugins::Registry(setup.plugin_dirs).log_driver(setup.log_driver);
      writer = driver->open_writer(sdk::LogConfig{setup.id, setup.container_dir, setup.log_opts});
    } catch (const std::exception& e) {
      spdlog::error("container {}: log driver {}: {}", setup.id, setup.log_driver, e.what());
    }
  }
  try {
    Monitor(setup, std::move(writer)).run(init);
  } catch (const std::exception& e) {
    spdlog::error("container {}: monitor: {}", setup.id, e.what());
  }
  return 1;
}

}  // namespace engine::monitor
