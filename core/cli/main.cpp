// engine: an OCI container runtime. This file only parses the global flags and dispatches.
#include <cstring>
#include <iostream>

#include "cli/app.hpp"
#include "common/log.hpp"
#include "runtime/exit_record.hpp"

using namespace engine::cli;

namespace {

void print_help() {
  std::cout << "Usage: engine [global options] COMMAND [options] [ID]\n\n"
               "An OCI container runtime whose terminal handling is a pluggable strategy.\n\n"
               "Commands:\n";
  for (const auto& c : commands()) std::printf("  %-12s %s\n", c.name, c.summary);
  std::cout << "\nGlobal options:\n"
               "  --root DIR          state directory (default /run/engine)\n"
               "  --log FILE          write the engine's diagnostics to FILE\n"
               "  --log-format FMT    text or json (one object per line: level, msg, time)\n"
               "  --plugin-dir DIR    also look for plugins in DIR (repeatable)\n"
               "  --debug             debug output on stderr\n"
               "  --systemd-cgroup    accepted for compatibility; cgroupfs is used\n"
               "  -v, --version       print the version\n"
               "  -h, --help          print this help\n\n"
               "Run 'engine COMMAND --help' for a command's options.\n";
}

// Splits argv into global flags (before the command) and the command's own arguments.
// Returns the index of the command name, or argc.
int parse_globals(int argc, char** argv, Globals& g, bool& help, bool& version) {
  auto value = [&](int& i, const char* flag) -> std::string {
    const char* arg = argv[i];
    size_t len = std::strlen(flag);
    if (arg[len] == '=') return arg + len + 1;
    if (i + 1 >= argc) throw UsageError(std::string(flag) + " needs a value");
    return argv[++i];
  };
  auto is = [](const char* arg, const char* flag) {
    size_t len = std::strlen(flag);
    return std::strncmp(arg, flag, len) == 0 && (arg[len] == '\0' || arg[len] == '=');
  };
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (a[0] != '-') return i;
    if (is(a, "--root")) g.root = value(i, "--root");
    else if (is(a, "--log")) g.log_file = value(i, "--log");
    else if (is(a, "--log-format")) g.log_format = value(i, "--log-format");
    else if (is(a, "--plugin-dir")) g.plugin_dirs.push_back(value(i, "--plugin-dir"));
    else if (!std::strcmp(a, "--debug")) g.debug = true;
    else if (!std::strcmp(a, "--systemd-cgroup") || is(a, "--criu") || is(a, "--rootless")) {
      if (is(a, "--criu") || is(a, "--rootless")) value(i, is(a, "--criu") ? "--criu" : "--rootless");
    } else if (!std::strcmp(a, "--help") || !std::strcmp(a, "-h")) help = true;
    else if (!std::strcmp(a, "--version") || !std::strcmp(a, "-v")) version = true;
    else throw UsageError(std::string("unknown global option ") + a);
  }
  return argc;
}

}  // namespace

int main(int argc, char** argv) {
  // The monitor's one call back into the engine; not a command users call.
  if (argc > 1 && std::strcmp(argv[1], "__record-exit") == 0) return engine::runtime::record_exit_command(argc, argv);
  Globals globals;
  bool help = false, version = false, logging = false;
  try {
    int at = parse_globals(argc, argv, globals, help, version);
    if (globals.log_format != "text" && globals.log_format != "json")
      throw UsageError("--log-format must be text or json");
    if (version) {
      std::cout << "engine version " << ENGINE_VERSION << "\nspec: 1.0.2-dev\n";
      return 0;
    }
    if (help || at == argc) {
      print_help();
      return help ? 0 : 1;
    }
    engine::log::init(globals.log_file, globals.log_format, globals.debug);
    logging = true;
    Invocation inv{globals, argv[at], std::vector<std::string>(argv + at + 1, argv + argc)};
    const Command& cmd = find_command(inv.command);
    return cmd.run(inv);
  } catch (const std::exception& e) {
    if (logging) spdlog::error("{}", e.what());
    std::cerr << "engine: " << e.what() << "\n";
    return 1;
  }
}
