// The config.json `engine spec` writes: the document `runc spec` (runc 1.1) writes, with our
// hostname. Arrays are built with json::array() explicitly because a two-element braced list
// of strings would otherwise become an object member.
#include <nlohmann/json.hpp>

#include "oci/spec.hpp"

namespace engine::oci {
namespace {

using nlohmann::json;

json capability_set() {
  return json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
}

json process() {
  return {
      {"terminal", true},
      {"user", {{"uid", 0}, {"gid", 0}}},
      {"args", json::array({"sh"})},
      {"env", json::array({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                           "TERM=xterm"})},
      {"cwd", "/"},
      {"capabilities",
       {{"bounding", capability_set()},
        {"effective", capability_set()},
        {"permitted", capability_set()}}},
      {"rlimits", json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}})},
      {"noNewPrivileges", true},
  };
}

json mount(const char* destination, const char* type, const char* source, json options) {
  json m = {{"destination", destination}, {"type", type}, {"source", source}};
  if (!options.empty()) m["options"] = std::move(options);  // runc omits empty options
  return m;
}

json mounts() {
  return json::array({
      mount("/proc", "proc", "proc", json::array()),
      mount("/dev", "tmpfs", "tmpfs",
            json::array({"nosuid", "strictatime", "mode=755", "size=65536k"})),
      mount(
          "/dev/pts", "devpts", "devpts",
          json::array({"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"})),
      mount("/dev/shm", "tmpfs", "shm",
            json::array({"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"})),
      mount("/dev/mqueue", "mqueue", "mqueue", json::array({"nosuid", "noexec", "nodev"})),
      mount("/sys", "sysfs", "sysfs", json::array({"nosuid", "noexec", "nodev", "ro"})),
      mount("/sys/fs/cgroup", "cgroup", "cgroup",
            json::array({"nosuid", "noexec", "nodev", "relatime", "ro"})),
  });
}

json linux_section() {
  json namespaces = json::array();
  // runc 1.1 adds "cgroup" on cgroup v2 hosts; we always do, so the document is host-independent.
  for (const char* type : {"pid", "network", "ipc", "uts", "mount", "cgroup"})
    namespaces.push_back(json{{"type", type}});
  return {
      {"resources", {{"devices", json::array({{{"allow", false}, {"access", "rwm"}}})}}},
      {"namespaces", std::move(namespaces)},
      {"maskedPaths", json::array({"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                   "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                   "/proc/sched_debug", "/sys/firmware", "/proc/scsi"})},
      {"readonlyPaths",
       json::array({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"})},
  };
}

}  // namespace

json default_spec() {
  return {
      {"ociVersion", "1.0.2-dev"},
      {"process", process()},
      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "engine"},
      {"mounts", mounts()},
      {"linux", linux_section()},
  };
}

}  // namespace engine::oci
