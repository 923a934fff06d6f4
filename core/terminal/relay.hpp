#pragma once
// The foreground relay between the caller's terminal and a container's pty master.
#include <signal.h>
#include <sys/types.h>

namespace engine::terminal {

class LineMode;

struct RelayEnds {
  int input = 0;    // caller's input (-1: none)
  int output = 1;   // caller's output
  int master = -1;  // the container's pty master
  int winsize_source = -1;  // caller's terminal to follow on SIGWINCH (-1: none)
  LineMode* linemode = nullptr;  // the caller's terminal echoes (the master is in packet mode)
};

// Copies input to the master and the master to output with epoll until `child` (our child)
// exits, forwarding each signal in `signals` (which the caller has blocked) to it and
// propagating SIGWINCH as a resize. A caller's terminal that hangs up hangs up the container's.
// In linemode, signals the caller's terminal generated (^C, the quit key, ^Z) go to the
// container's foreground group instead, as its own terminal would send them; ^D (a read of
// nothing from the caller's canonical terminal) becomes the container's end-of-file character;
// typed lines are queued and go in one at a time to a canonical reader. After the exit, drains
// the master until EIO so no output is lost. Returns the child's wait status.
int relay_until_exit(const RelayEnds& ends, pid_t child, const sigset_t& signals);

// Waits for `child` without a terminal, forwarding the signals in `signals` (blocked by the
// caller). Returns the wait status.
int forward_signals_until_exit(pid_t child, const sigset_t& signals);

// Blocks, for its lifetime, the signals a foreground session forwards to its child (and
// SIGCHLD, to learn of its exit). Children must unblock them for themselves.
class ForwardedSignals {
 public:
  ForwardedSignals();
  ~ForwardedSignals();
  ForwardedSignals(const ForwardedSignals&) = delete;
  const sigset_t& set() const { return set_; }
  // One more, from now on (SIGTSTP in linemode: ^Z must not stop the engine).
  void add(int sig);

 private:
  sigset_t set_, old_;
};

// The foreground wait of `run` and `exec`: the relay when there is a master (-1: none),
// plain signal forwarding otherwise. Returns the child's wait status.
int wait_in_foreground(pid_t child, int master, int caller_terminal, const ForwardedSignals& signals,
                       LineMode* linemode = nullptr);

}  // namespace engine::terminal
