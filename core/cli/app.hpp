#pragma once
// The CLI's shared pieces: global flags, the command table, option parsing helpers.
#include <boost/program_options.hpp>
#include <functional>
#include <string>
#include <vector>

namespace engine::cli {

namespace po = boost::program_options;

// Flags that run and exec share.
inline constexpr const char* kTtyRawHelp =
    "relay keys raw, the container's pty echoing them (default: linemode, the caller's terminal echoes)";

struct Globals {
  std::string root = "/run/engine";
  std::string log_file;
  std::string log_format = "text";
  bool debug = false;
  std::vector<std::string> plugin_dirs;  // --plugin-dir (repeatable)
};

// One invocation of a command: its arguments after the command name.
struct Invocation {
  const Globals& globals;
  std::string command;
  std::vector<std::string> args;
};

struct Command {
  const char* name;
  const char* usage;    // "create [options] ID"
  const char* summary;  // one line
  int (*run)(const Invocation&);
};

const std::vector<Command>& commands();

// Parses inv.args with desc (+ --help) and positionals; prints help and returns false when
// --help was given. Throws po::error for bad flags.
bool parse_command_line(const Invocation& inv, const po::options_description& desc,
                        const po::positional_options_description& positional, po::variables_map& vm);

// The positional ID, or a usage error.
std::string require_id(const po::variables_map& vm, const Invocation& inv);
// The one positional argument most commands take: the container ID.
po::positional_options_description id_positional();

// Printed by `COMMAND --help`.
void print_command_help(const Command& cmd, const po::options_description& desc);
const Command& find_command(const std::string& name);

// Thrown for wrong usage; printed with the command's usage line.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace engine::cli
