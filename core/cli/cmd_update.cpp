// update: new cgroup limits for a running container, with runc's flags (containerd's
// UpdateContainerResources, `docker update` and `podman update` call it).
#include <cctype>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/app.hpp"
#include "runtime/lifecycle.hpp"

namespace engine::cli {
namespace {

// "512", "64k", "100M", "1g", "2GiB" as bytes; "-1" is unlimited (runc's units.RAMInBytes).
int64_t parse_bytes(const std::string& flag, const std::string& text) {
  if (text == "-1") return -1;
  size_t end = 0;
  double number = 0;
  try {
    number = std::stod(text, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  std::string unit = text.substr(end);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit.size() > 1 && unit.back() == 'b') unit.pop_back();
  if (unit.size() > 1 && unit.back() == 'i') unit.pop_back();
  const std::string units = "kmgtp";
  double scale = 1;
  if (unit == "b" || unit.empty()) {
  } else if (unit.size() == 1 && units.find(unit[0]) != std::string::npos) {
    for (size_t i = 0; i <= units.find(unit[0]); ++i) scale *= 1024;
  } else {
    end = 0;
  }
  if (end == 0 || number < 0) throw UsageError("--" + flag + " " + text + ": not a size (like 512, 64k, 100M, 1g)");
  return static_cast<int64_t>(number * scale);
}

oci::Resources read_resources_file(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path);
    if (!in) throw Error("--resources " + path + ": cannot open");
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::string source = path == "-" ? "resources (stdin)" : path;
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error&) {
    throw Error(source + ": malformed JSON");
  }
  return oci::parse_resources(doc, source);
}

}  // namespace

int cmd_update(const Invocation& inv) {
  std::string id, file, memory, reservation, swap, cpus, mems;
  std::optional<int64_t> pids, quota;
  std::optional<uint64_t> period, shares;
  po::options_description desc("Options");
  desc.add_options()("resources,r", po::value(&file), "a JSON file of linux.resources (\"-\": stdin)")(
      "memory", po::value(&memory), "memory limit (bytes, or 64k 100M 1g)")(
      "memory-reservation", po::value(&reservation), "memory soft limit")(
      "memory-swap", po::value(&swap), "memory plus swap limit (-1: unlimited)")(
      "cpu-share", po::value<uint64_t>()->notifier([&](uint64_t v) { shares = v; }), "CPU shares (relative weight)")(
      "cpu-period", po::value<uint64_t>()->notifier([&](uint64_t v) { period = v; }), "CFS period (µs)")(
      "cpu-quota", po::value<int64_t>()->notifier([&](int64_t v) { quota = v; }), "CFS quota (µs) per period")(
      "cpuset-cpus", po::value(&cpus), "CPUs to run on (0-3,5)")(
      "cpuset-mems", po::value(&mems), "memory nodes (0-1)")(
      "pids-limit", po::value<int64_t>()->notifier([&](int64_t v) { pids = v; }), "most processes at once")(
      "id", po::value(&id));
  po::variables_map vm;
  if (!parse_command_line(inv, desc, id_positional(), vm)) return 0;
  require_id(vm, inv);
  // The file first; flags override it, as with runc.
  oci::Resources r = file.empty() ? oci::Resources{} : read_resources_file(file);
  if (!memory.empty()) r.memory_limit = parse_bytes("memory", memory);
  if (!reservation.empty()) r.memory_reservation = parse_bytes("memory-reservation", reservation);
  if (!swap.empty()) r.memory_swap = parse_bytes("memory-swap", swap);
  if (shares) r.cpu_shares = shares;
  if (period) r.cpu_period = *period;
  if (quota) r.cpu_quota = quota;
  if (!cpus.empty()) r.cpuset_cpus = cpus;
  if (!mems.empty()) r.cpuset_mems = mems;
  if (pids) r.pids_limit = pids;
  runtime::Context ctx(inv.globals.root);
  runtime::update(ctx, id, r);
  return 0;
}

}  // namespace engine::cli
