#include "runtime/terminal_session.hpp"

#include "plugins/registry.hpp"
#include "terminal/tty.hpp"

namespace engine::runtime {

ContainerTerminal::ContainerTerminal(std::shared_ptr<sdk::TerminalProvider> provider,
                                     std::string name, const sdk::TerminalRequest& request)
    : provider_(std::move(provider)), name_(std::move(name)) {
  session_ = guard_plugin(name_, [&] { return provider_->open_session(request); });
  if (!session_) throw Error("terminal provider " + name_ + ": no session");
}

void ContainerTerminal::prepare_host() {
  guard_plugin(name_, [&] { session_->prepare_host(); });
}

int ContainerTerminal::host_ready(int master_from_container) {
  return guard_plugin(name_, [&] { return session_->host_ready(master_from_container); });
}

std::unique_ptr<ContainerTerminal> open_terminal(const std::vector<std::string>& plugin_dirs,
                                                 const TerminalChoice& choice,
                                                 const oci::Process& process,
                                                 const std::string& container_id, bool exec) {
  plugins::Registry registry(plugin_dirs);
  auto provider = registry.terminal_provider(choice.provider);
  if (choice.passthrough && !guard_plugin(choice.provider, [&] { return provider->supports_passthrough(); }))
    throw Error("terminal provider " + choice.provider + ": does not support --tty-passthrough");
  sdk::TerminalRequest req;
  req.container_id = container_id;
  req.uid = process.user.uid;
  req.gid = process.user.gid;
  req.exec = exec;
  req.bind_console = !exec;
  req.passthrough = choice.passthrough;
  req.caller_terminal = choice.caller_terminal;
  if (process.console_size) {
    req.size = sdk::WindowSize{process.console_size->height, process.console_size->width};
  } else if (choice.caller_terminal >= 0) {
    if (auto ws = terminal::window_size(choice.caller_terminal))
      req.size = sdk::WindowSize{ws->ws_row, ws->ws_col};
  }
  return std::make_unique<ContainerTerminal>(std::move(provider), choice.provider, req);
}

}  // namespace engine::runtime
