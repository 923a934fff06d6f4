#include "terminal/attach.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cctype>
#include <optional>
#include <sstream>

#include "common/error.hpp"
#include "common/file.hpp"
#include "common/unique_fd.hpp"
#include "monitor/attach_protocol.hpp"
#include "terminal/tty.hpp"

namespace engine::terminal {

using monitor::Frame;

std::string parse_detach_keys(const std::string& spec) {
  std::string seq;
  std::stringstream in(spec);
  std::string key;
  while (std::getline(in, key, ',')) {
    if (key.size() == 1) {
      seq.push_back(key[0]);
    } else if (key.rfind("ctrl-", 0) == 0 && key.size() == 6) {
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(key[5])));
      if (c >= 'a' && c <= 'z') seq.push_back(static_cast<char>(c - 'a' + 1));
      else if (c == '@') seq.push_back('\0');
      else if (c == '[') seq.push_back('\x1b');
      else if (c == '\\') seq.push_back('\x1c');
      else if (c == ']') seq.push_back('\x1d');
      else if (c == '^') seq.push_back('\x1e');
      else if (c == '_') seq.push_back('\x1f');
      else throw Error("--detach-keys: unknown key \"" + key + "\"");
    } else {
      throw Error("--detach-keys: unknown key \"" + key + "\" (use ctrl-X or one character)");
    }
  }
  return seq;
}

bool DetachMatcher::feed(const char* data, size_t len, std::string& out) {
  for (size_t i = 0; i < len; ++i) {
    char c = data[i];
    if (seq_.empty()) {
      out.push_back(c);
      continue;
    }
    if (c == seq_[matched_]) {
      if (++matched_ == seq_.size()) return true;
      continue;
    }
    // Not the sequence: what was held goes through, then this byte starts afresh.
    out.append(seq_, 0, matched_);
    matched_ = 0;
    if (c == seq_[0]) {
      matched_ = 1;
      if (seq_.size() == 1) return true;
    } else {
      out.push_back(c);
    }
  }
  return false;
}

void DetachMatcher::flush(std::string& out) {
  out.append(seq_, 0, matched_);
  matched_ = 0;
}

int attach_session(int sock, bool tty, const std::string& detach_sequence) {
  int caller_tty = tty ? caller_terminal() : -1;
  std::optional<RawMode> raw;
  if (caller_tty >= 0 && ::isatty(0)) raw.emplace(caller_tty);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGWINCH);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  UniqueFd sigfd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  auto send_size = [&] {
    if (caller_tty < 0) return;
    if (auto ws = window_size(caller_tty)) {
      std::string p = monitor::encode_size(ws->ws_row, ws->ws_col);
      monitor::write_frame(sock, Frame::resize, p.data(), p.size());
    }
  };
  send_size();
  UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
  auto watch = [&](int fd) {
    struct epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    return ::epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
  };
  watch(sock);
  watch(sigfd.get());
  bool input_open = watch(0);
  DetachMatcher matcher(detach_sequence);
  monitor::FrameReader reader;
  char buf[1 << 16];
  for (;;) {
    struct epoll_event events[4];
    // A held detach prefix is released after a pause (moby#32895: never hold ctrl-p forever).
    int n = ::epoll_wait(ep.get(), events, 4, matcher.holding() ? 500 : -1);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      std::string out;
      matcher.flush(out);
      monitor::write_frame(sock, Frame::stdin_data, out.data(), out.size());
      continue;
    }
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == sigfd.get()) {
        struct signalfd_siginfo info;
        while (::read(fd, &info, sizeof info) == sizeof info) {
        }
        send_size();
      } else if (fd == 0 && input_open) {
        ssize_t got = ::read(0, buf, sizeof buf);
        if (got <= 0) {
          ::epoll_ctl(ep.get(), EPOLL_CTL_DEL, 0, nullptr);
          input_open = false;
          continue;
        }
        std::string out;
        bool detach = matcher.feed(buf, static_cast<size_t>(got), out);
        if (!out.empty()) monitor::write_frame(sock, Frame::stdin_data, out.data(), out.size());
        if (detach) return -1;
      } else if (fd == sock) {
        ssize_t got = ::read(sock, buf, sizeof buf);
        if (got <= 0) return -2;
        reader.feed(buf, static_cast<size_t>(got));
        Frame type;
        std::string payload;
        while (reader.next(type, payload)) {
          if (type == Frame::stdout_data) write_all(1, payload.data(), payload.size(), "write stdout");
          else if (type == Frame::stderr_data) write_all(2, payload.data(), payload.size(), "write stderr");
          else if (type == Frame::exit) return std::stoi(payload);
        }
      }
    }
  }
}

}  // namespace engine::terminal
