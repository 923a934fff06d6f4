#include "plugins/plugin_files.hpp"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <memory>

#include "common/companion.hpp"
#include "common/error.hpp"

namespace engine::plugins {
namespace {

std::string self_dir() {
  try {
    std::string exe = self_exe();
    return exe.substr(0, exe.rfind('/'));
  } catch (const Error&) {
    return {};
  }
}

}  // namespace

std::vector<std::string> plugin_search_path(std::vector<std::string> dirs) {
  if (const char* env = std::getenv("ENGINE_PLUGIN_PATH")) {
    std::string path = env;
    size_t start = 0;
    for (;;) {
      size_t colon = path.find(':', start);
      std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!dir.empty()) dirs.push_back(dir);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  std::string binary_dir = self_dir();
  if (!binary_dir.empty()) dirs.push_back(binary_dir + "/../plugins");  // the build tree
  dirs.push_back(installed_path(binary_dir, ENGINE_PLUGIN_REL, ENGINE_PLUGIN_INSTALL_DIR));
  return dirs;
}

std::string find_plugin(const std::vector<std::string>& dirs, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos)
    throw Error("plugin name \"" + name + "\" is not valid");
  for (const auto& dir : dirs) {
    std::string file = dir + "/" + name + ".so";
    if (::access(file.c_str(), R_OK) != 0) continue;
    std::unique_ptr<char, decltype(&std::free)> real(::realpath(file.c_str(), nullptr), &std::free);
    return real ? real.get() : file;
  }
  std::string where;
  for (const auto& d : dirs) where += (where.empty() ? "" : ":") + d;
  throw Error("plugin " + name + ": not found (searched " + where + ")");
}

PluginEntry describe(const engine_plugin_info& info, const std::string& file) {
  PluginEntry e;
  e.file = file;
  e.api_version = info.api_version;
  if (info.api_version != ENGINE_PLUGIN_API_VERSION) {
    e.error = "built for plugin API version " + std::to_string(info.api_version) +
              ", this engine uses version " + std::to_string(ENGINE_PLUGIN_API_VERSION);
    return e;
  }
  if (info.struct_size < sizeof(engine_plugin_info)) {
    e.error = "info record too small";
    return e;
  }
  e.kind = info.kind ? info.kind : "";
  e.name = info.name ? info.name : "";
  e.version = info.version ? info.version : "";
  e.description = info.description ? info.description : "";
  return e;
}

}  // namespace engine::plugins
