#pragma once
// One program on a fresh pty of our own, as a user's shell would run it: the slave is its
// controlling terminal and stdio, the master is the "screen and keyboard" we drive. The slave
// stays open here too, so its modes and input queue can be checked after the program ran.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/unique_fd.hpp"
#include "linux/process.hpp"

namespace engine::compare {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

struct WinSize {
  unsigned short rows = 24;
  unsigned short cols = 80;
};

class PtyRun {
 public:
  // Starts argv in a new session on the slave. Throws Error.
  explicit PtyRun(const std::vector<std::string>& argv, WinSize size = {});
  // Kills (SIGKILL) and reaps the program unless it ended.
  ~PtyRun() = default;
  PtyRun(const PtyRun&) = delete;
  PtyRun& operator=(const PtyRun&) = delete;

  int master() const { return master_.get(); }
  int slave() const { return slave_.get(); }

  // Waits for needle after what earlier calls consumed; false at the deadline or once the
  // program ended without printing it.
  bool expect(std::string_view needle, Deadline deadline);
  // The next whole line of output, without its "\r\n"; nullopt at the deadline or the end.
  std::optional<std::string> next_line(Deadline deadline);
  // Reads up to `limit` bytes and throws them away: the count, 0 on timeout or after the end.
  size_t discard(size_t limit, int timeout_ms);
  // Reads and drops output until none came for quiet_ms.
  void drain(int quiet_ms);
  void send(std::string_view keys);
  void resize(WinSize size);
  // Waits for the program (reading its output meanwhile); its exit code, 128+N for signal N,
  // or nullopt at the deadline.
  std::optional<int> wait(Deadline deadline);
  bool ended();
  // The last non-empty line printed, for error messages.
  std::string last_line() const;
  // Error "WHAT: WHY (last output: LINE)".
  Error failure(const std::string& what, const std::string& why) const;

 private:
  struct Pty {
    UniqueFd master, slave;
  };
  PtyRun(const std::vector<std::string>& argv, Pty pty);
  static Pty open_pty(WinSize size);
  bool read_some(int timeout_ms);
  UniqueFd master_, slave_;
  sys::ChildGuard child_;
  std::optional<int> status_;
  std::string out_;
  size_t consumed_ = 0;
};

// In a forked child: the signal mask of a fresh process, then execv(argv). Never returns.
[[noreturn]] void exec_child(const std::vector<std::string>& argv);

// Milliseconds until the deadline, at most `cap` (so loops check for ^C often), at least 0.
int poll_ms(Deadline deadline, int cap = 100);

}  // namespace engine::compare
