#pragma once
// Runs a program with a pty of the test's own as its controlling terminal (openpty), so
// terminal behaviour is tested without a real terminal.
#include <sys/types.h>
#include <termios.h>

#include <chrono>
#include <string>
#include <vector>

namespace engine::test {

class PtySession {
 public:
  // Starts argv with the slave as stdin/stdout/stderr and controlling terminal.
  PtySession(const std::vector<std::string>& argv, unsigned short rows = 24, unsigned short cols = 80);
  ~PtySession();
  PtySession(const PtySession&) = delete;

  void send(const std::string& keys);
  // Reads until `needle` appears in the output after the last consumed point; true if found.
  bool expect(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Resizes the terminal (the kernel sends SIGWINCH to its foreground group).
  void resize(unsigned short rows, unsigned short cols);
  // Waits for the program; returns its exit code (128+N on signal N, -1 on timeout).
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Reads everything until the program closed its side (EIO).
  std::string read_to_end(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  void signal(int sig);
  // Closes the test's side of the terminal, as a closed window does: the program's terminal
  // hangs up. Nothing more is read.
  void hang_up();

  const std::string& transcript() const { return out_; }
  pid_t pid() const { return pid_; }
  int master() const { return master_; }
  // The caller-side terminal's modes, as the program would leave them.
  struct termios modes() const;
  // Its modes before the program started.
  const struct termios& initial_modes() const { return initial_; }

 private:
  bool read_some(int timeout_ms);
  int master_ = -1;
  int slave_ = -1;  // kept open so modes can be read after the program exits
  struct termios initial_{};
  pid_t pid_ = -1;
  int status_ = -1;
  std::string out_;
  size_t consumed_ = 0;
};

}  // namespace engine::test
