#pragma once
// ^C (and TERM, HUP) during compare-tty: the handler only records the signal; every wait
// checks it and throws Interrupted, so the guards unwind and remove what the run made.
#include "common/error.hpp"

namespace engine::compare {

class Interrupted : public Error {
 public:
  explicit Interrupted(int sig);
  int signal() const { return sig_; }

 private:
  int sig_;
};

// Catches SIGINT, SIGTERM and SIGHUP for its lifetime (no SA_RESTART: blocking calls return
// EINTR) and restores the previous handlers after.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

// Throws Interrupted when a signal has come since the scope began.
void throw_if_interrupted();

}  // namespace engine::compare
