#include "linux/cgroups.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "common/error.hpp"
#include "common/file.hpp"
#include "linux/cgroup_devices.hpp"

namespace engine::sys {
namespace {

// Like reading with std::getline(sep) (no item after a trailing separator), without a stream.
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  for (size_t start = 0; start < s.size();) {
    size_t at = s.find(sep, start);
    if (at == std::string::npos) at = s.size();
    out.emplace_back(s, start, at - start);
    start = at + 1;
  }
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Writes a control file; the error names the file.
void write_control(const std::string& dir, const std::string& file, const std::string& value) {
  write_file(dir + "/" + file, value);
}

std::string read_control(const std::string& dir, const std::string& file) {
  return trim(read_file(dir + "/" + file));
}

bool has_controller(const CgroupLayout::Hierarchy& h, const std::string& name) {
  return std::find(h.controllers.begin(), h.controllers.end(), name) != h.controllers.end();
}

// Makes dir; true if this call made it. The common case, a parent that exists, is one mkdir.
bool make_leaf(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0) return true;
  if (errno == EEXIST) return false;
  if (errno != ENOENT) throw_errno("mkdir " + dir);
  make_dirs(dir);
  return true;
}

std::string parent_of(const std::string& dir) { return dir.substr(0, dir.rfind('/')); }

// cpuset refuses tasks until cpus and mems are set: copy them down from the nearest parent.
// A leaf this create just made under an existing parent is known empty: only the parent is read.
void inherit_cpuset(const std::string& root, const std::string& relative, bool fresh_leaf) {
  if (fresh_leaf) {
    std::string leaf = root + relative, parent = parent_of(leaf);
    std::string cpus = read_control(parent, "cpuset.cpus");
    if (!cpus.empty()) {
      write_control(leaf, "cpuset.cpus", cpus);
      write_control(leaf, "cpuset.mems", read_control(parent, "cpuset.mems"));
      return;
    }
  }
  std::string dir = root;
  for (const auto& part : split(relative, '/')) {
    if (part.empty()) continue;
    std::string parent = dir;
    dir += "/" + part;
    for (const char* file : {"cpuset.cpus", "cpuset.mems"})
      if (read_control(dir, file).empty()) write_control(dir, file, read_control(parent, file));
  }
}

// Writes each value to one open control file: devices.allow takes one rule per write().
void write_each(const std::string& dir, const char* file, const std::vector<std::string>& values) {
  if (values.empty()) return;
  std::string path = dir + "/" + file;
  UniqueFd fd = open_fd(path, O_WRONLY);
  for (const auto& v : values) write_all(fd.get(), v.data(), v.size(), ("write " + path).c_str());
}

std::string device_rule(const oci::DeviceRule& r) {
  auto num = [](const std::optional<int64_t>& n) { return n && *n >= 0 ? std::to_string(*n) : "*"; };
  return r.type + " " + num(r.major) + ":" + num(r.minor) + " " + r.access;
}

void apply_v1(const CgroupLayout::Hierarchy& h, const std::string& dir, const oci::Resources& r) {
  if (has_controller(h, "memory")) {
    if (r.memory_limit) write_control(dir, "memory.limit_in_bytes", std::to_string(*r.memory_limit));
    if (r.memory_reservation)
      write_control(dir, "memory.soft_limit_in_bytes", std::to_string(*r.memory_reservation));
    if (r.memory_swap && path_exists(dir + "/memory.memsw.limit_in_bytes"))
      write_control(dir, "memory.memsw.limit_in_bytes", std::to_string(*r.memory_swap));
  }
  if (has_controller(h, "cpu")) {
    if (r.cpu_shares) write_control(dir, "cpu.shares", std::to_string(*r.cpu_shares));
    if (r.cpu_period) write_control(dir, "cpu.cfs_period_us", std::to_string(*r.cpu_period));
    if (r.cpu_quota) write_control(dir, "cpu.cfs_quota_us", std::to_string(*r.cpu_quota));
  }
  if (has_controller(h, "cpuset")) {
    if (!r.cpuset_cpus.empty()) write_control(dir, "cpuset.cpus", r.cpuset_cpus);
    if (!r.cpuset_mems.empty()) write_control(dir, "cpuset.mems", r.cpuset_mems);
  }
  if (has_controller(h, "pids") && r.pids_limit)
    write_control(dir, "pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max");
}

// The spec's device rules and then every container's defaults (create only: they are fixed
// for the container's life, as with runc update).
void apply_v1_devices(const CgroupLayout::Hierarchy& h, const std::string& dir,
                      const std::vector<oci::DeviceRule>& rules) {
  if (has_controller(h, "devices")) {
    // In order, each run of allows (or denies) through one open file.
    std::vector<std::string> run;
    bool allowing = true;
    auto flush = [&] {
      write_each(dir, allowing ? "devices.allow" : "devices.deny", run);
      run.clear();
    };
    auto add = [&](bool allow, std::string rule) {
      if (allow != allowing) flush();
      allowing = allow;
      run.push_back(std::move(rule));
    };
    for (const auto& rule : rules) add(rule.allow, device_rule(rule));
    for (const auto& rule : default_device_rules()) add(true, rule);
    flush();
  }
}

void enable_v2_controllers(const std::string& root, const std::string& relative) {
  std::string wanted;
  for (const auto& c : split(read_control(root, "cgroup.controllers"), ' '))
    if (c == "cpu" || c == "cpuset" || c == "io" || c == "memory" || c == "pids")
      wanted += (wanted.empty() ? "+" : " +") + c;
  if (wanted.empty()) return;
  std::string dir = root;
  auto parts = split(relative, '/');
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i].empty()) continue;
    // Best effort: a parent with processes of its own cannot delegate (no internal processes).
    try {
      write_control(dir, "cgroup.subtree_control", wanted);
    } catch (const SystemError&) {
    }
    dir += "/" + parts[i];
  }
  try {
    write_control(dir, "cgroup.subtree_control", wanted);
  } catch (const SystemError&) {
  }
}

void apply_v2(const std::string& dir, const oci::Resources& r) {
  auto opt_write = [&](const char* file, const std::string& value) {
    if (path_exists(dir + "/" + file)) write_control(dir, file, value);
    else throw Error(std::string("cgroup: ") + file + ": controller not available");
  };
  if (r.memory_limit) opt_write("memory.max", *r.memory_limit > 0 ? std::to_string(*r.memory_limit) : "max");
  if (r.memory_reservation) opt_write("memory.low", std::to_string(*r.memory_reservation));
  if (r.memory_swap && r.memory_limit && *r.memory_swap > 0)
    opt_write("memory.swap.max", std::to_string(*r.memory_swap - *r.memory_limit));
  if (r.cpu_shares) opt_write("cpu.weight", std::to_string(cpu_shares_to_weight(*r.cpu_shares)));
  if (r.cpu_quota || r.cpu_period) {
    std::string quota = r.cpu_quota && *r.cpu_quota > 0 ? std::to_string(*r.cpu_quota) : "max";
    opt_write("cpu.max", quota + " " + std::to_string(r.cpu_period.value_or(100000)));
  }
  if (!r.cpuset_cpus.empty()) opt_write("cpuset.cpus", r.cpuset_cpus);
  if (!r.cpuset_mems.empty()) opt_write("cpuset.mems", r.cpuset_mems);
  if (r.pids_limit) opt_write("pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max");
}

std::vector<pid_t> read_pids(const std::string& dir) {
  std::vector<pid_t> pids;
  std::string text;
  try {
    text = read_file(dir + "/cgroup.procs");
  } catch (const SystemError&) {
    return pids;
  }
  for (const auto& line : split(text, '\n'))
    if (!line.empty()) pids.push_back(static_cast<pid_t>(std::stol(line)));
  return pids;
}

}  // namespace

CgroupLayout parse_cgroup_layout(const std::string& mountinfo) {
  CgroupLayout layout;
  for (const auto& line : split(mountinfo, '\n')) {
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    auto fields = split(line.substr(0, dash), ' ');
    auto tail = split(line.substr(dash + 3), ' ');
    if (fields.size() < 5 || tail.size() < 3) continue;
    const std::string& mount_point = fields[4];
    if (tail[0] == "cgroup2") {
      if (layout.unified_root.empty()) layout.unified_root = mount_point;
    } else if (tail[0] == "cgroup") {
      CgroupLayout::Hierarchy h{mount_point, {}};
      // Super options mix controllers with mount options; keep the controllers and name=.
      static const char* const kNotControllers[] = {"rw", "ro", "xattr", "clone_children",
                                                    "noprefix", "cpuset_v2_mode", "favordynmods"};
      for (const auto& opt : split(tail[2], ',')) {
        bool generic = opt.find('=') != std::string::npos && opt.rfind("name=", 0) != 0;
        for (const char* n : kNotControllers) generic = generic || opt == n;
        if (!generic) h.controllers.push_back(opt);
      }
      layout.v1.push_back(h);
    }
  }
  layout.unified = layout.v1.empty() && !layout.unified_root.empty();
  return layout;
}

const CgroupLayout& host_cgroup_layout() {
  static const CgroupLayout layout = parse_cgroup_layout(read_file("/proc/self/mountinfo"));
  return layout;
}

std::string cgroup_relative_path(const std::string& cgroups_path, const std::string& id) {
  if (cgroups_path.empty()) return "/engine/" + id;
  auto parts = split(cgroups_path, ':');
  if (cgroups_path[0] != '/' && parts.size() == 3)  // systemd form "slice:prefix:name"
    return "/" + (parts[0].empty() ? std::string("system.slice") : parts[0]) + "/" + parts[1] +
           "-" + parts[2] + ".scope";
  return cgroups_path[0] == '/' ? cgroups_path : "/" + cgroups_path;
}

uint64_t cpu_shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  shares = std::clamp<uint64_t>(shares, 2, 262144);
  return 1 + ((shares - 2) * 9999) / 262142;
}

Cgroup::Cgroup(std::string relative_path, bool owned)
    : relative_path_(std::move(relative_path)), owned_(owned) {}

Cgroup::Cgroup(Cgroup&& other) noexcept
    : relative_path_(std::move(other.relative_path_)), owned_(std::exchange(other.owned_, false)) {}

Cgroup::~Cgroup() {
  if (!owned_) return;
  try {
    destroy();
  } catch (...) {
  }
}

Cgroup Cgroup::create(const std::string& relative_path, const oci::Resources* resources) {
  const auto& layout = host_cgroup_layout();
  Cgroup cg(relative_path, true);
  if (layout.unified) {
    enable_v2_controllers(layout.unified_root, relative_path);
    std::string dir = layout.unified_root + relative_path;
    make_dirs(dir);
    if (resources) apply_v2(dir, *resources);
    // v2 has no devices controller: the same policy as v1's, as an eBPF program (none needed
    // when it allows everything).
    DevicePolicy devices = device_policy(resources ? resources->devices : std::vector<oci::DeviceRule>{});
    if (!devices.allow_by_default || !devices.exceptions.empty()) attach_device_filter(dir, devices);
    return cg;
  }
  for (const auto& h : layout.v1) {
    std::string dir = h.mount_point + relative_path;
    bool fresh = make_leaf(dir);
    if (has_controller(h, "cpuset")) inherit_cpuset(h.mount_point, relative_path, fresh);
    if (resources) {
      apply_v1(h, dir, *resources);
      apply_v1_devices(h, dir, resources->devices);
    }
  }
  return cg;
}

Cgroup Cgroup::attach(const std::string& relative_path) { return Cgroup(relative_path, false); }

std::vector<std::string> Cgroup::directories() const {
  const auto& layout = host_cgroup_layout();
  if (layout.unified) return {layout.unified_root + relative_path_};
  std::vector<std::string> dirs;
  for (const auto& h : layout.v1) dirs.push_back(h.mount_point + relative_path_);
  return dirs;
}

CgroupView Cgroup::view() const {
  const auto& layout = host_cgroup_layout();
  CgroupView v;
  v.unified = layout.unified;
  if (layout.unified) {
    v.unified_dir = layout.unified_root + relative_path_;
    return v;
  }
  for (const auto& h : layout.v1) {
    std::string options;
    for (const auto& c : h.controllers) options += (options.empty() ? "" : ",") + c;
    v.v1.push_back({std::filesystem::path(h.mount_point).filename().string(),
                    h.mount_point + relative_path_, options});
  }
  return v;
}

void Cgroup::update(const oci::Resources& resources) const {
  const auto& layout = host_cgroup_layout();
  if (layout.unified) return apply_v2(layout.unified_root + relative_path_, resources);
  for (const auto& h : layout.v1) apply_v1(h, h.mount_point + relative_path_, resources);
}

void Cgroup::add_process(pid_t pid) const {
  for (const auto& dir : directories()) write_control(dir, "cgroup.procs", std::to_string(pid));
}

std::vector<pid_t> Cgroup::processes() const {
  // Every process of the container is in every hierarchy; the first that exists is enough.
  for (const auto& dir : directories())
    if (path_exists(dir)) return read_pids(dir);
  return {};
}

void Cgroup::freeze() const {
  const auto& layout = host_cgroup_layout();
  if (layout.unified) return write_control(directories()[0], "cgroup.freeze", "1");
  for (const auto& h : layout.v1)
    if (has_controller(h, "freezer")) write_control(h.mount_point + relative_path_, "freezer.state", "FROZEN");
}

void Cgroup::thaw() const {
  const auto& layout = host_cgroup_layout();
  if (layout.unified) return write_control(directories()[0], "cgroup.freeze", "0");
  for (const auto& h : layout.v1)
    if (has_controller(h, "freezer")) write_control(h.mount_point + relative_path_, "freezer.state", "THAWED");
}

bool Cgroup::frozen() const {
  const auto& layout = host_cgroup_layout();
  try {
    if (layout.unified) return read_control(directories()[0], "cgroup.freeze") == "1";
    for (const auto& h : layout.v1)
      if (has_controller(h, "freezer"))
        return read_control(h.mount_point + relative_path_, "freezer.state") == "FROZEN";
  } catch (const SystemError&) {
  }
  return false;
}

void Cgroup::destroy() {
  owned_ = false;
  auto dirs = directories();
  // Usually every process is gone (an init's exit takes its pid namespace along): then the
  // directories just go. Anything else (ENOENT aside) takes the thaw, kill and retry path.
  bool left = false;
  for (const auto& dir : dirs) left = (::rmdir(dir.c_str()) != 0 && errno != ENOENT) || left;
  if (!left) return;
  // A frozen cgroup's processes cannot die: thaw first.
  try {
    if (frozen()) thaw();
  } catch (const SystemError&) {
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (auto delay = std::chrono::microseconds(200);; delay = std::min(delay * 2, std::chrono::microseconds(50000))) {
    for (pid_t pid : processes()) ::kill(pid, SIGKILL);
    bool busy = false;
    for (const auto& dir : dirs)
      if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) {
        if (errno != EBUSY || std::chrono::steady_clock::now() > deadline)
          throw_errno("remove cgroup " + dir);
        busy = true;
      }
    if (!busy) return;
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace engine::sys
