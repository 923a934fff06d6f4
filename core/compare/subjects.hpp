#pragma once
// What compare-tty compares: the columns of its table. The floor is a plain host pty with no
// container; every other column is a terminal provider, as `run -t --tty-provider NAME` gives
// it, or NAME+passthrough for `--tty-passthrough`.
#include <optional>
#include <string>
#include <vector>

#include "engine/sdk/plugin.hpp"
#include "plugins/registry.hpp"

namespace engine::compare {

constexpr const char* kFloor = "floor";
constexpr const char* kPassthroughSuffix = "+passthrough";

struct Subject {
  std::string name;      // column header: "floor", "pty-devpts", "pty-host+passthrough"
  std::string provider;  // the plugin; empty for the floor
  bool passthrough = false;
  std::optional<sdk::Properties> claims;  // the plugin's properties(); none for the floor
  bool is_floor() const { return provider.empty(); }
};

// The floor, then the named subjects in order or, with none named, every installed terminal
// provider and pty-host+passthrough (the one passthrough mode the engine ships). Loads each
// plugin for its claims; throws Error naming a provider that cannot be loaded.
std::vector<Subject> resolve_subjects(const plugins::Registry& registry, const std::vector<std::string>& names);

}  // namespace engine::compare
