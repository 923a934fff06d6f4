#pragma once
// The engine's side of a container terminal: loads the chosen provider (only when
// process.terminal is true), opens its session, and guards every call into the plugin so a
// throwing plugin fails the container, never the engine.
#include <memory>
#include <string>

#include "common/error.hpp"
#include "engine/sdk/terminal.hpp"
#include "oci/spec.hpp"

namespace engine::runtime {

struct TerminalChoice {
  std::string provider = "pty-devpts";
  bool passthrough = false;   // pty-host: hand over the caller's own terminal
  int caller_terminal = -1;   // the caller's tty fd, -1 if none
};

class ContainerTerminal {
 public:
  ContainerTerminal(std::shared_ptr<sdk::TerminalProvider> provider, std::string name,
                    const sdk::TerminalRequest& request);
  const std::string& provider_name() const { return name_; }
  sdk::TerminalSession& session() { return *session_; }

  // Host-side hooks, each wrapped so that a plugin's exception names the plugin.
  void prepare_host();
  int host_ready(int master_from_container);

 private:
  std::shared_ptr<sdk::TerminalProvider> provider_;  // keeps the object its session came from
  std::string name_;
  std::unique_ptr<sdk::TerminalSession> session_;
};

// Loads `choice.provider` from the plugin directories and opens a session for `process`.
std::unique_ptr<ContainerTerminal> open_terminal(const std::vector<std::string>& plugin_dirs,
                                                 const TerminalChoice& choice,
                                                 const oci::Process& process,
                                                 const std::string& container_id, bool exec);

// Runs a plugin hook, turning anything it throws into Error("terminal provider NAME: ...").
template <typename F>
auto guard_plugin(const std::string& name, F&& hook) -> decltype(hook()) {
  try {
    return hook();
  } catch (const std::exception& e) {
    throw Error("terminal provider " + name + ": " + e.what());
  } catch (...) {
    throw Error("terminal provider " + name + ": unknown error");
  }
}

}  // namespace engine::runtime
