// exec: run a new process in a running container.
#include "cli/app.hpp"
#include "runtime/exec.hpp"

namespace engine::cli {

int cmd_exec(const Invocation& inv) {
  runtime::ExecOptions o;
  po::options_description desc("Options");
  desc.add_options()
      ("tty,t", po::bool_switch(&o.tty), "allocate a terminal from the container's provider")
      ("detach,d", po::bool_switch(&o.detach), "return once the process runs")
      ("process,p", po::value(&o.process_file), "an OCI process JSON (args, env, cwd, user, ...)")
      ("cwd", po::value(&o.cwd), "working directory in the container")
      ("env,e", po::value(&o.env)->composing(), "KEY=VALUE (repeatable)")
      ("user,u", po::value(&o.user), "UID[:GID]")
      ("pid-file", po::value(&o.pid_file), "write the process's host pid here")
      ("console-socket", po::value(&o.console_socket), "receives the terminal master (-t -d)")
      ("preserve-fds", po::value(&o.preserve_fds)->default_value(0), "pass N extra fds")
      ("tty-provider", po::value(&o.tty_provider), "terminal plugin (default: the container's)")
      ("tty-raw", po::bool_switch(&o.tty_raw), kTtyRawHelp);
  po::options_description all = desc;
  all.add_options()("id", po::value(&o.id))("command", po::value(&o.args)->composing());
  po::positional_options_description pos;
  pos.add("id", 1).add("command", -1);
  po::variables_map vm;
  // Everything after the ID belongs to the command, flags included (`exec ID ls -l`).
  std::vector<std::string> own, rest;
  bool in_command = false;
  int positionals = 0;
  for (size_t i = 0; i < inv.args.size(); ++i) {
    const std::string& a = inv.args[i];
    if (in_command) {
      rest.push_back(a);
    } else if (a == "--") {
      in_command = positionals >= 1;
      if (!in_command) own.push_back(a);
    } else if (!a.empty() && a[0] == '-') {
      own.push_back(a);
      // Flags that take a separate value.
      static const char* const kValued[] = {"-p", "--process", "--cwd", "-e", "--env", "-u", "--user",
                                            "--pid-file", "--console-socket", "--preserve-fds",
                                            "--tty-provider"};
      for (const char* f : kValued)
        if (a == f && i + 1 < inv.args.size()) own.push_back(inv.args[++i]);
    } else {
      own.push_back(a);
      if (++positionals == 1) in_command = true;
    }
  }
  Invocation head{inv.globals, inv.command, own};
  if (!parse_command_line(head, all, pos, vm)) return 0;
  o.args.insert(o.args.end(), rest.begin(), rest.end());
  require_id(vm, inv);
  runtime::Context ctx(inv.globals.root);
  ctx.plugin_dirs = inv.globals.plugin_dirs;
  return runtime::exec(ctx, o);
}

}  // namespace engine::cli
