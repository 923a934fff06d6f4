#pragma once
// The terminal-provider interface: how a container's process gets its terminal.
//
// One TerminalSession serves one container (or one exec). The engine calls its hooks in the
// process where each stage happens; the session object is copied into the container init by
// clone, so state set in an earlier hook is visible in later ones of the same process only.
//
//   host, before clone          prepare_host()
//   init, mount namespace,      setup_mounts(rootfs)   (before pivot_root)
//   init, after pivot_root      setup_init()           -> master fd to send to the host, or -1
//   host, init ready            host_ready(master)     -> master fd the host uses
//   exec child, in namespaces   setup_exec()           -> master fd to send to the host, or -1
//
// setup_init and setup_exec leave the slave on fds 0, 1 and 2 as the controlling terminal.
// Hooks throw sdk::PluginError; any exception fails that container with its message.
#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "engine/sdk/plugin.hpp"

namespace engine::sdk {

struct WindowSize {
  unsigned short rows = 0;
  unsigned short cols = 0;
};

struct TerminalRequest {
  std::string container_id;
  uid_t uid = 0;  // owner of the slave in the container
  gid_t gid = 0;
  std::optional<WindowSize> size;  // applied before the program runs
  bool exec = false;               // a process joining a running container
  int caller_terminal = -1;        // the caller's own terminal, when passthrough is asked for
  bool passthrough = false;
  bool bind_console = true;        // init only: make the slave /dev/console
};

class TerminalSession {
 public:
  virtual ~TerminalSession() = default;
  virtual void prepare_host() {}
  virtual void setup_mounts(const std::string& rootfs) { (void)rootfs; }
  virtual int setup_init() = 0;
  virtual int host_ready(int master_from_container) { return master_from_container; }
  virtual int setup_exec() = 0;
};

class TerminalProvider {
 public:
  virtual ~TerminalProvider() = default;
  virtual std::string name() const = 0;
  virtual Properties properties() const = 0;
  // Whether it can hand the caller's own terminal to the container (--tty-passthrough), and
  // what it claims then: no new pty means other trade-offs (no job control, for one).
  virtual bool supports_passthrough() const { return false; }
  virtual Properties passthrough_properties() const { return properties(); }
  virtual std::unique_ptr<TerminalSession> open_session(const TerminalRequest& request) = 0;
};

// The factory a terminal plugin exports: BOOST_DLL_ALIAS(make_provider, engine_terminal_provider)
using TerminalProviderFactory = std::unique_ptr<TerminalProvider>();

}  // namespace engine::sdk
