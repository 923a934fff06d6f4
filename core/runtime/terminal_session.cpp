#include "runtime/terminal_session.hpp"

#include "common/error.hpp"
#include "plugins/registry.hpp"
#include "terminal/tty.hpp"

namespace engine::runtime {

std::unique_ptr<ContainerTerminal> open_terminal(const std::vector<std::string>& plugin_dirs,
                                                 const TerminalChoice& choice,
                                                 const oci::Process& process,
                                                 const std::string& container_id, bool exec) {
  plugins::Registry registry(plugin_dirs);
  auto provider = registry.terminal_provider(choice.provider);
  if (choice.passthrough && !provider.supports_passthrough())
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
  return provider.open_session(req);
}

}  // namespace engine::runtime
