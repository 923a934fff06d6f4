#pragma once
// Container lifecycle operations behind the CLI: create, start, run, kill, delete, state.
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "state/store.hpp"

namespace engine::runtime {

// What every operation needs: the state directory and its store.
struct Context {
  std::string root;  // --root
  state::Store store;
  std::vector<std::string> plugin_dirs;
  std::string engine_log, engine_log_format;  // --log, passed on to monitors

  explicit Context(const std::string& root_dir);
  std::string container_dir(const std::string& id) const { return root + "/" + id; }
};

struct CreateOptions {
  std::string id;
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;
  std::string tty_provider;  // terminal plugin, "" = default
  bool tty_passthrough = false;  // pty-host: hand the caller's own terminal to the container
  bool tty_raw = false;  // relay keys raw (the container's pty echoes) instead of linemode
  std::string log_driver;             // "" = default ("logging"), "none" = keep nothing
  std::vector<std::string> log_opts;  // KEY=VALUE
};

// create: the container waits in `created` for start. Throws Error.
void create(Context& ctx, const CreateOptions& opts);
// start: the init execs the program. Throws Error.
void start(Context& ctx, const std::string& id);
// run: create + start. Detached returns 0 at once; in the foreground waits, forwards signals,
// removes the container afterwards and returns its exit code (128+N for signal N).
int run(Context& ctx, const CreateOptions& opts, bool detach);
void kill(Context& ctx, const std::string& id, int signal, bool all);
void remove(Context& ctx, const std::string& id, bool force);
void pause(Context& ctx, const std::string& id);
void resume(Context& ctx, const std::string& id);
// New cgroup limits for a created, running or paused container (`engine update`).
void update(Context& ctx, const std::string& id, const oci::Resources& resources);

// The record with its status brought in line with the processes that really exist
// (an init that died while no engine ran becomes `stopped`, and is written back).
state::ContainerRecord refresh(Context& ctx, state::ContainerRecord rec);
state::ContainerRecord lookup(Context& ctx, const std::string& id);  // throws "does not exist"

// The OCI state document of `engine state`.
nlohmann::json state_json(const state::ContainerRecord& rec);
// The engine's own part of a row (cgroup, monitor, attach socket, log driver, hooks).
nlohmann::json runtime_info(const state::ContainerRecord& rec);

// A detached container's monitor, by pid and start time (pid 0: it has none).
struct MonitorRef {
  pid_t pid = 0;
  uint64_t start = 0;
  bool alive() const;
};
MonitorRef monitor_of(const state::ContainerRecord& rec);
// Host pids of the container's processes (from its cgroup).
std::vector<pid_t> container_pids(const state::ContainerRecord& rec);

// Validates a container id as runc does: [A-Za-z0-9_+.-]+, not "." or "..".
void validate_id(const std::string& id);

}  // namespace engine::runtime
