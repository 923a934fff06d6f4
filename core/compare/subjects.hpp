#pragma once
// What compare-tty compares: the columns of its table. The floor is a plain host pty with no
// container; every other column is a terminal provider, as `run -t --tty-provider NAME` gives
// it (its relay in linemode), NAME+passthrough for `--tty-passthrough`, or NAME+raw for
// `--tty-raw` (the relay of runc and crun, the container's pty echoing).
#include <optional>
#include <string>
#include <vector>

#include "engine/sdk/plugin.hpp"
#include "plugins/registry.hpp"

namespace engine::compare {

constexpr const char* kFloor = "floor";
constexpr const char* kPassthroughSuffix = "+passthrough";
constexpr const char* kRawRelaySuffix = "+raw";

struct Subject {
  std::string name;      // column header: "floor", "pty-devpts", "pty-host+passthrough", "pty-devpts+raw"
  std::string provider;  // the plugin; empty for the floor
  bool passthrough = false;
  bool raw_relay = false;
  std::optional<sdk::Properties> claims;  // the plugin's properties(); none for the floor
  bool is_floor() const { return provider.empty(); }
};

// The floor, then the named subjects in order or, with none named, every installed terminal
// provider, NAME+passthrough for each that can hand over the caller's terminal, and the default
// provider's raw relay (pty-devpts+raw), beside its linemode. Loads each
// plugin for its claims; throws Error naming a provider that cannot be loaded.
std::vector<Subject> resolve_subjects(const plugins::Registry& registry, const std::vector<std::string>& names);

}  // namespace engine::compare
