// create, start, run: bringing a bundle to life.
#include <iostream>
#include <optional>

#include "cli/app.hpp"
#include "runtime/lifecycle.hpp"

namespace engine::cli {
namespace {

// Flags shared by create and run, as runc spells them.
po::options_description create_options(runtime::CreateOptions& o) {
  po::options_description desc("Options");
  desc.add_options()
      ("bundle,b", po::value(&o.bundle)->default_value("."), "path to the bundle (config.json + rootfs)")
      ("pid-file", po::value(&o.pid_file), "write the init's host pid to this file")
      ("console-socket", po::value(&o.console_socket),
       "unix socket that receives the terminal master (process.terminal: true)")
      ("tty-provider", po::value(&o.tty_provider), "terminal plugin (default pty-devpts)")
      ("tty-passthrough", po::bool_switch(&o.tty_passthrough),
       "pty-host: give the container the caller's own terminal, with no relay")
      ("tty-raw", po::bool_switch(&o.tty_raw), kTtyRawHelp)
      ("no-pivot", po::bool_switch(&o.no_pivot), "use MS_MOVE + chroot instead of pivot_root")
      ("no-new-keyring", po::bool_switch(&o.no_new_keyring), "do not create a session keyring")
      ("log-driver", po::value(&o.log_driver), "where output goes: logging (default) or none")
      ("log-opt", po::value(&o.log_opts)->composing(), "KEY=VALUE for the log driver (repeatable)")
      ("preserve-fds", po::value(&o.preserve_fds)->default_value(0),
       "pass N extra fds (3..3+N-1) to the container");
  return desc;
}

void add_id(po::options_description& desc, std::string& id) {
  desc.add_options()("id", po::value(&id));
}

}  // namespace

// Parses create/run flags (desc may carry extra ones) and opens the state. False: --help.
bool parse_create(const Invocation& inv, po::options_description desc, runtime::CreateOptions& o,
                  std::optional<runtime::Context>& ctx) {
  add_id(desc, o.id);
  po::variables_map vm;
  if (!parse_command_line(inv, desc, id_positional(), vm)) return false;
  require_id(vm, inv);
  ctx.emplace(inv.globals.root);
  ctx->plugin_dirs = inv.globals.plugin_dirs;
  ctx->engine_log = inv.globals.log_file;
  ctx->engine_log_format = inv.globals.log_format;
  return true;
}

int cmd_create(const Invocation& inv) {
  runtime::CreateOptions o;
  std::optional<runtime::Context> ctx;
  if (!parse_create(inv, create_options(o), o, ctx)) return 0;
  runtime::create(*ctx, o);
  return 0;
}

int cmd_run(const Invocation& inv) {
  runtime::CreateOptions o;
  bool detach = false;
  auto desc = create_options(o);
  desc.add_options()("detach,d", po::bool_switch(&detach), "return once the container runs");
  std::optional<runtime::Context> ctx;
  if (!parse_create(inv, desc, o, ctx)) return 0;
  return runtime::run(*ctx, o, detach);
}

int cmd_start(const Invocation& inv) {
  std::string id;
  po::options_description desc("Options");
  add_id(desc, id);
  po::variables_map vm;
  if (!parse_command_line(inv, desc, id_positional(), vm)) return 0;
  require_id(vm, inv);
  runtime::Context ctx(inv.globals.root);
  runtime::start(ctx, id);
  return 0;
}

}  // namespace engine::cli
