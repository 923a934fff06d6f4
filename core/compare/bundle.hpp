#pragma once
// The bundles compare-tty runs: the user's, never modified (a copy of its config.json in a
// temporary directory, root.path made absolute), or one made from the host's static busybox.
// Each workload's config runs the probe, bound read-only into the container from the host.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace engine::compare {

// Where the probe appears inside the container: in /dev, which the spec mounts as a tmpfs, so
// its mount point is never created in the user's rootfs.
constexpr const char* kProbeInContainer = "/dev/.engine-probe";

// A rootfs as scripts/make-bundle.sh makes it: the host's busybox (hard-linked, or copied
// across filesystems), a few applets, /etc/passwd and /etc/group. Throws Error.
void make_busybox_rootfs(const std::string& rootfs, const std::string& busybox);

// The user's config.json with root.path absolute. Throws Error naming the file.
nlohmann::json config_from_bundle(const std::string& bundle_dir);
// `engine spec`'s default config for a rootfs at an absolute path.
nlohmann::json default_config(const std::string& rootfs);

// One workload's config: base with the probe (and its args) as the process, on a terminal,
// bound read-only from probe_on_host.
nlohmann::json workload_config(const nlohmann::json& base, const std::string& probe_on_host,
                               const std::vector<std::string>& probe_args);

}  // namespace engine::compare
