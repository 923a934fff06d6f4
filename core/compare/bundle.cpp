#include "compare/bundle.hpp"

#include <filesystem>

#include "common/error.hpp"
#include "common/file.hpp"
#include "oci/spec.hpp"

namespace engine::compare {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kApplets[] = {"sh", "ls", "cat", "echo", "tty", "stty", "head", "sleep", "ps"};

void link_or_copy(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (!ec) return;
  fs::copy_file(from, to, ec);
  if (ec) throw Error("copy " + from + " to " + to + ": " + ec.message());
}

bool mounts_dev(const json& config) {
  if (!config.contains("mounts") || !config["mounts"].is_array()) return false;
  for (const auto& m : config["mounts"])
    if (m.is_object() && m.value("destination", "") == "/dev") return true;
  return false;
}

// The spec's own /dev tmpfs, added first when a config has none, so the probe's mount point
// lands in a tmpfs rather than in the user's rootfs.
void ensure_dev_tmpfs(json& config) {
  if (mounts_dev(config)) return;
  json dev = {{"destination", "/dev"}, {"type", "tmpfs"}, {"source", "tmpfs"},
              {"options", json::array({"nosuid", "strictatime", "mode=755", "size=65536k"})}};
  if (!config["mounts"].is_array()) config["mounts"] = json::array();
  config["mounts"].insert(config["mounts"].begin(), dev);
}

}  // namespace

void make_busybox_rootfs(const std::string& rootfs, const std::string& busybox) {
  if (!fs::exists(busybox))
    throw Error(busybox + ": not found (install busybox-static, or give --bundle)");
  for (const char* d : {"bin", "proc", "sys", "dev", "tmp", "etc", "root"}) make_dirs(rootfs + "/" + d);
  link_or_copy(busybox, rootfs + "/bin/busybox");
  for (const char* a : kApplets) fs::create_symlink("busybox", rootfs + "/bin/" + a);
  write_file(rootfs + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  write_file(rootfs + "/etc/group", "root:x:0:\ntty:x:5:\n");
}

json config_from_bundle(const std::string& bundle_dir) {
  std::string bundle = fs::absolute(bundle_dir).lexically_normal().string();
  std::string file = bundle + "/config.json";
  json config;
  try {
    config = json::parse(read_file(file));
  } catch (const json::exception& e) {
    throw Error(file + ": " + e.what());
  }
  if (!config.is_object() || !config.contains("root") || !config["root"].contains("path") ||
      !config["root"]["path"].is_string())
    throw Error(file + ": root.path: missing");
  fs::path root = config["root"]["path"].get<std::string>();
  if (root.is_relative()) config["root"]["path"] = (fs::path(bundle) / root).lexically_normal().string();
  return config;
}

json default_config(const std::string& rootfs) {
  json config = oci::default_spec();
  config["root"]["path"] = rootfs;
  return config;
}

json workload_config(const json& base, const std::string& probe_on_host, const std::vector<std::string>& probe_args) {
  json config = base;
  json args = json::array({kProbeInContainer});
  for (const auto& a : probe_args) args.push_back(a);
  config["process"]["args"] = args;
  config["process"]["terminal"] = true;
  config["process"].erase("consoleSize");  // the size is the caller's: resize is measured
  ensure_dev_tmpfs(config);
  config["mounts"].push_back({{"destination", kProbeInContainer}, {"type", "bind"}, {"source", probe_on_host},
                              {"options", json::array({"bind", "ro", "nosuid"})}});
  return config;
}

}  // namespace engine::compare
