#pragma once
// `engine exec`: a new process inside a running container.
#include <string>
#include <vector>

#include "runtime/lifecycle.hpp"

namespace engine::runtime {

struct ExecOptions {
  std::string id;
  std::vector<std::string> args;      // CMD ARGS... (ignored with --process)
  std::string process_file;           // an OCI process JSON, as containerd and podman pass
  std::string cwd;
  std::vector<std::string> env;       // K=V, added to (or replacing) the container's
  std::string user;                   // UID[:GID]
  bool tty = false;
  bool detach = false;
  std::string pid_file;
  std::string console_socket;
  int preserve_fds = 0;
  std::string tty_provider;           // default: the container's own provider
  bool tty_raw = false;               // relay keys raw (the container's pty echoes), no linemode
};

// Runs the process; in the foreground returns its exit code (127 when the program does not
// exist, 128+N on signal N), detached returns 0 once it runs.
int exec(Context& ctx, const ExecOptions& opts);

}  // namespace engine::runtime
