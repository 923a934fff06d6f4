#pragma once
// The engine's side of a container terminal: loads the chosen provider (only when
// process.terminal is true) and opens its session for one container or exec. Every call into
// the plugin goes through its C table, so a failing plugin fails the container, never the
// engine, with "terminal provider NAME: ...".
#include <memory>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "plugins/terminal_provider_host.hpp"

namespace engine::runtime {

struct TerminalChoice {
  std::string provider = "pty-devpts";
  bool passthrough = false;   // pty-host: hand over the caller's own terminal
  int caller_terminal = -1;   // the caller's tty fd, -1 if none
};

using ContainerTerminal = plugins::TerminalSessionHandle;

// Loads `choice.provider` from the plugin directories and opens a session for `process`.
std::unique_ptr<ContainerTerminal> open_terminal(const std::vector<std::string>& plugin_dirs,
                                                 const TerminalChoice& choice,
                                                 const oci::Process& process,
                                                 const std::string& container_id, bool exec);

}  // namespace engine::runtime
