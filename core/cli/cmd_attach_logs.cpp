// attach and logs: coming back to a detached container through its monitor and log driver.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/app.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "linux/unix_socket.hpp"
#include "plugins/registry.hpp"
#include "runtime/lifecycle.hpp"
#include "terminal/attach.hpp"

namespace engine::cli {
int cmd_attach(const Invocation& inv) {
  std::string id, keys = "ctrl-p,ctrl-q";
  po::options_description desc("Options");
  desc.add_options()("detach-keys", po::value(&keys)->default_value("ctrl-p,ctrl-q"),
                     "keys that detach and leave the container running (\"\" disables)")(
      "id", po::value(&id));
  po::variables_map vm;
  if (!parse_command_line(inv, desc, id_positional(), vm)) return 0;
  require_id(vm, inv);
  std::string sequence = terminal::parse_detach_keys(keys);
  runtime::Context ctx(inv.globals.root);
  auto rec = runtime::lookup(ctx, id);
  auto info = runtime::runtime_info(rec);
  std::string path = info.value("attach", std::string());
  if (path.empty())
    throw Error("cannot attach to container " + id +
                ": it has no monitor holding its I/O (created with --console-socket or pass-through stdio)");
  if (rec.status == state::Status::stopped) throw Error("cannot attach to container " + id + ": it is stopped");
  if (!runtime::monitor_of(rec).alive())
    throw Error("cannot attach to container " + id + ": its monitor is gone (killed?); the container runs "
                "on, but its output is no longer collected");
  UniqueFd sock = sys::connect_unix(path);
  int code = terminal::attach_session(sock.get(), info.value("terminal", false), sequence);
  if (code == -1) {
    std::fprintf(stderr, "\r\ndetached from %s\r\n", id.c_str());
    return 0;
  }
  if (code == -2) throw Error("container " + id + ": the monitor closed the attach socket");
  return code;
}

int cmd_logs(const Invocation& inv) {
  std::string id, since;
  bool follow = false, timestamps = false;
  int64_t tail = -1;
  po::options_description desc("Options");
  desc.add_options()("follow,f", po::bool_switch(&follow), "keep printing until the container exits")(
      "tail", po::value(&tail)->default_value(-1), "only the last N lines")(
      "since", po::value(&since), "only lines at or after this RFC 3339 time")(
      "timestamps,t", po::bool_switch(&timestamps), "prefix each line with its time")("id", po::value(&id));
  po::variables_map vm;
  if (!parse_command_line(inv, desc, id_positional(), vm)) return 0;
  require_id(vm, inv);
  sdk::ReadOptions read;
  read.tail = tail;
  if (!since.empty() && !parse_rfc3339(since, &read.since_ns))
    throw UsageError("--since " + since + ": not an RFC 3339 time");
  runtime::Context ctx(inv.globals.root);
  ctx.plugin_dirs = inv.globals.plugin_dirs;
  auto rec = runtime::lookup(ctx, id);
  auto info = runtime::runtime_info(rec);
  std::string driver_name = info.value("logDriver", std::string());
  if (driver_name.empty()) throw Error("container " + id + " keeps no logs (log driver none, or its output is not captured)");
  plugins::Registry registry(inv.globals.plugin_dirs);
  auto driver = registry.log_driver(driver_name);
  sdk::LogConfig config{id, ctx.container_dir(id), info.value("logOpts", std::map<std::string, std::string>())};
  int64_t last_time = 0;
  size_t printed_at_last = 0;  // records already printed that carry last_time
  auto print = [&](const std::vector<sdk::LogRecord>& records) {
    size_t same = 0;
    for (const auto& r : records) {
      if (r.time_ns < last_time) continue;
      if (r.time_ns == last_time && same++ < printed_at_last) continue;
      std::FILE* out = r.stream == sdk::Stream::stderr_stream ? stderr : stdout;
      if (timestamps) std::fprintf(out, "%s ", format_rfc3339_nano(r.time_ns).c_str());
      std::fwrite(r.text.data(), 1, r.text.size(), out);
      if (!r.partial) std::fputc('\n', out);
      if (r.time_ns != last_time) {
        last_time = r.time_ns;
        printed_at_last = 0;
        same = 1;
      }
      ++printed_at_last;
    }
    std::fflush(stdout);
    std::fflush(stderr);
  };
  print(driver->read(config, read));
  bool warned = false;
  auto warn_if_unlogged = [&] {
    if (warned || rec.status == state::Status::stopped || runtime::monitor_of(rec).alive()) return;
    std::fprintf(stderr, "engine: container %s: its monitor is gone; no new output will be logged\n", id.c_str());
    warned = true;
  };
  warn_if_unlogged();
  if (!follow) return 0;
  for (;;) {
    rec = runtime::lookup(ctx, id);
    bool done = rec.status == state::Status::stopped;
    warn_if_unlogged();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    sdk::ReadOptions next;
    next.since_ns = last_time;
    print(driver->read(config, next));
    if (done) return 0;
  }
}

}  // namespace engine::cli
