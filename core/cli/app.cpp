#include "cli/app.hpp"

#include <iostream>

namespace engine::cli {

int cmd_spec(const Invocation&);
int cmd_create(const Invocation&);
int cmd_start(const Invocation&);
int cmd_run(const Invocation&);
int cmd_state(const Invocation&);
int cmd_kill(const Invocation&);
int cmd_delete(const Invocation&);
int cmd_ps(const Invocation&);
int cmd_pause(const Invocation&);
int cmd_resume(const Invocation&);
int cmd_plugins(const Invocation&);
int cmd_exec(const Invocation&);
int cmd_attach(const Invocation&);
int cmd_logs(const Invocation&);
int cmd_update(const Invocation&);
int cmd_compare_tty(const Invocation&);

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"spec", "spec [--bundle DIR]", "write a default config.json", cmd_spec},
      {"create", "create [options] ID", "create a container from a bundle; it waits for start",
       cmd_create},
      {"start", "start ID", "run the program of a created container", cmd_start},
      {"run", "run [options] ID", "create and start a container", cmd_run},
      {"exec", "exec [options] ID [COMMAND [ARGS...]]", "run a new process in a running container",
       cmd_exec},
      {"attach", "attach [--detach-keys KEYS] ID", "join your terminal to a detached container's",
       cmd_attach},
      {"logs", "logs [-f] [--tail N] [--since TIME] [--timestamps] ID", "print a container's output",
       cmd_logs},
      {"state", "state ID", "print the OCI state of a container", cmd_state},
      {"kill", "kill [--all] ID [SIGNAL]", "send a signal to a container (default TERM)", cmd_kill},
      {"delete", "delete [--force] ID", "remove a container and everything it made", cmd_delete},
      {"ps", "ps [--format table|json] [-q] [ID]",
       "list containers, or the processes of container ID", cmd_ps},
      {"list", "list [--format table|json] [-q]", "list containers (alias of ps)", cmd_ps},
      {"pause", "pause ID", "freeze every process of a container", cmd_pause},
      {"resume", "resume ID", "thaw a paused container", cmd_resume},
      {"update", "update [options] ID", "change a running container's cgroup limits", cmd_update},
      {"plugins", "plugins [--format table|json]", "list the plugins found and their API versions",
       cmd_plugins},
      {"compare-tty", "compare-tty [--bundle DIR] [--providers a,b] [--format table|json] [--quick]",
       "measure every terminal provider side by side, with the properties each claims", cmd_compare_tty},
  };
  return table;
}

const Command& find_command(const std::string& name) {
  for (const auto& c : commands())
    if (name == c.name) return c;
  throw UsageError("unknown command \"" + name + "\"; see engine --help");
}

void print_command_help(const Command& cmd, const po::options_description& desc) {
  std::cout << "Usage: engine [global options] " << cmd.usage << "\n\n" << cmd.summary << "\n\n"
            << desc << "\n";
}

bool parse_command_line(const Invocation& inv, const po::options_description& desc,
                        const po::positional_options_description& positional, po::variables_map& vm) {
  po::options_description all = desc;
  all.add_options()("help,h", "show this help");
  po::store(po::command_line_parser(inv.args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    print_command_help(find_command(inv.command), all);
    return false;
  }
  po::notify(vm);
  return true;
}

po::positional_options_description id_positional() {
  po::positional_options_description p;
  p.add("id", 1);
  return p;
}

std::string require_id(const po::variables_map& vm, const Invocation& inv) {
  if (!vm.count("id")) throw UsageError(inv.command + ": a container ID is required");
  return vm["id"].as<std::string>();
}

}  // namespace engine::cli
