// state, kill, delete, pause, resume: acting on an existing container.
#include <iostream>

#include "cli/app.hpp"
#include "linux/signals.hpp"
#include "runtime/lifecycle.hpp"

namespace engine::cli {
namespace {

// The commands that take only an ID.
template <typename Action>
int simple_command(const Invocation& inv, Action action) {
  std::string id;
  po::options_description desc("Options");
  desc.add_options()("id", po::value(&id));
  po::variables_map vm;
  if (!parse_command_line(inv, desc, id_positional(), vm)) return 0;
  require_id(vm, inv);
  runtime::Context ctx(inv.globals.root);
  action(ctx, id);
  return 0;
}

}  // namespace

int cmd_state(const Invocation& inv) {
  return simple_command(inv, [](runtime::Context& ctx, const std::string& id) {
    std::cout << runtime::state_json(runtime::lookup(ctx, id)).dump(2) << "\n";
  });
}

int cmd_pause(const Invocation& inv) { return simple_command(inv, runtime::pause); }
int cmd_resume(const Invocation& inv) { return simple_command(inv, runtime::resume); }

int cmd_kill(const Invocation& inv) {
  std::string id, signal = "TERM";
  bool all = false;
  po::options_description desc("Options");
  desc.add_options()("all,a", po::bool_switch(&all), "signal every process of the container")(
      "id", po::value(&id))("signal", po::value(&signal));
  po::positional_options_description pos;
  pos.add("id", 1).add("signal", 1);
  po::variables_map vm;
  if (!parse_command_line(inv, desc, pos, vm)) return 0;
  require_id(vm, inv);
  auto sig = sys::parse_signal(signal);
  if (!sig) throw UsageError("kill: unknown signal \"" + signal + "\"");
  runtime::Context ctx(inv.globals.root);
  runtime::kill(ctx, id, *sig, all);
  return 0;
}

int cmd_delete(const Invocation& inv) {
  std::string id;
  bool force = false;
  po::options_description desc("Options");
  desc.add_options()("force,f", po::bool_switch(&force), "kill a running container first")(
      "id", po::value(&id));
  po::variables_map vm;
  if (!parse_command_line(inv, desc, id_positional(), vm)) return 0;
  require_id(vm, inv);
  runtime::Context ctx(inv.globals.root);
  runtime::remove(ctx, id, force);
  return 0;
}

}  // namespace engine::cli
