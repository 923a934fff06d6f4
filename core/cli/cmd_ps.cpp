// ps / list: the containers, or the processes of one container.
#include <cstdio>
#include <iostream>
#include <utility>

#include "cli/app.hpp"
#include "common/time.hpp"
#include "linux/proc.hpp"
#include "runtime/lifecycle.hpp"

namespace engine::cli {
namespace {

void print_containers(runtime::Context& ctx, const std::string& format, bool quiet) {
  auto records = ctx.store.list();
  for (auto& rec : records) rec = runtime::refresh(ctx, std::move(rec));  // no copy per row
  if (quiet) {
    for (const auto& rec : records) std::cout << rec.id << "\n";
    return;
  }
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& rec : records) {
      auto entry = runtime::state_json(rec);
      // Beyond the OCI state: what `ps` adds for people comparing containers.
      entry["terminalProvider"] = rec.terminal_provider;
      if (rec.exit_code) entry["exitCode"] = *rec.exit_code;
      out.push_back(std::move(entry));
    }
    std::cout << out.dump() << "\n";
    return;
  }
  std::printf("%-20s %-8s %-9s %-5s %-11s %-31s %s\n", "ID", "PID", "STATUS", "EXIT", "TTY", "CREATED",
              "BUNDLE");
  for (const auto& rec : records) {
    bool stopped = rec.status == state::Status::stopped;
    std::string exit = rec.exit_code ? std::to_string(*rec.exit_code) : "-";
    std::string tty = rec.terminal_provider.empty() ? "-" : rec.terminal_provider;
    std::printf("%-20s %-8d %-9s %-5s %-11s %-31s %s\n", rec.id.c_str(), stopped ? 0 : rec.pid,
                state::to_string(rec.status), exit.c_str(), tty.c_str(),
                format_rfc3339_nano(rec.created_at).c_str(), rec.bundle.c_str());
  }
}

void print_processes(runtime::Context& ctx, const std::string& id, const std::string& format) {
  auto rec = runtime::lookup(ctx, id);
  auto pids = runtime::container_pids(rec);
  if (format == "json") {  // containerd reads a plain array of host pids
    std::cout << nlohmann::json(pids).dump() << "\n";
    return;
  }
  std::printf("%-8s %-8s %-6s %s\n", "PID", "CPID", "UID", "CMD");
  for (pid_t pid : pids) {
    auto info = sys::read_proc_info(pid);
    if (!info) continue;
    pid_t inner = info->ns_pids.empty() ? pid : info->ns_pids.back();
    std::printf("%-8d %-8d %-6u %s\n", pid, inner, info->uid, info->cmdline.c_str());
  }
}

}  // namespace

int cmd_ps(const Invocation& inv) {
  std::string id, format = "table";
  bool quiet = false;
  po::options_description desc("Options");
  desc.add_options()("format,f", po::value(&format)->default_value("table"), "table or json")(
      "quiet,q", po::bool_switch(&quiet), "container ids only")("id", po::value(&id));
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (!parse_command_line(inv, desc, pos, vm)) return 0;
  if (format != "table" && format != "json") throw UsageError("--format must be table or json");
  runtime::Context ctx(inv.globals.root);
  if (id.empty() || inv.command == "list") print_containers(ctx, format, quiet);
  else print_processes(ctx, id, format);
  return 0;
}

}  // namespace engine::cli
