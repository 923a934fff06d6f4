#pragma once
// Where plugins are found, and what a plugin's C info record says: shared by the registry
// (through Boost.DLL) and the log-driver loader (plain dlopen, in the lean monitor).
#include <cstdint>
#include <string>
#include <vector>

#include "engine/sdk/plugin.hpp"

namespace engine::plugins {

struct PluginEntry {
  std::string file;
  std::string kind, name, version, description;
  uint32_t api_version = 0;
  std::string error;  // why it cannot be used; empty when it can
};

constexpr const char* kInfoSymbol = "engine_plugin_info_v1";

// Directories searched in order: extra_dirs (--plugin-dir), $ENGINE_PLUGIN_PATH
// (colon-separated), the build tree next to the running binary, the install directory (of the
// install the running binary is in, wherever it was moved: common/companion.hpp).
std::vector<std::string> plugin_search_path(std::vector<std::string> extra_dirs);

// NAME.so in the first directory that has it, as a canonical path. Throws Error naming the
// directories searched.
std::string find_plugin(const std::vector<std::string>& dirs, const std::string& name);

// The info record checked against this engine (API version, record size).
PluginEntry describe(const engine_plugin_info& info, const std::string& file);

}  // namespace engine::plugins
