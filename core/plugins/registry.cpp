#include "plugins/registry.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>

#include "common/error.hpp"

namespace engine::plugins {
namespace {

namespace fs = std::filesystem;
namespace dll = boost::dll;

constexpr const char* kInfoSymbol = "engine_plugin_info_v1";
constexpr const char* kSuffix = ".so";

// Libraries loaded by this process; never unloaded (see the header).
std::vector<dll::shared_library>& loaded() {
  static std::vector<dll::shared_library> libs;
  return libs;
}

dll::shared_library load_library(const std::string& file) {
  boost::dll::fs::error_code ec;
  dll::shared_library lib(file, dll::load_mode::rtld_now | dll::load_mode::rtld_local, ec);
  if (ec) {
    const char* why = ::dlerror();
    throw Error("plugin " + file + ": cannot load: " + (why ? why : ec.message()));
  }
  return lib;
}

// Reads and checks the C info record before any C++ object of the plugin is touched.
PluginEntry read_info(const dll::shared_library& lib, const std::string& file) {
  PluginEntry e;
  e.file = file;
  if (!lib.has(kInfoSymbol)) {
    e.error = "not an engine plugin (no " + std::string(kInfoSymbol) + ")";
    return e;
  }
  const auto& info = lib.get<const engine_plugin_info>(kInfoSymbol);
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
  if (!info.abi_tag || std::strcmp(info.abi_tag, ENGINE_PLUGIN_ABI_TAG) != 0)
    e.error = std::string("built with C++ ABI ") + (info.abi_tag ? info.abi_tag : "?") +
              ", this engine uses " + ENGINE_PLUGIN_ABI_TAG;
  return e;
}

std::string self_dir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  buf[n] = '\0';
  return fs::path(buf).parent_path().string();
}

template <typename Interface>
std::shared_ptr<Interface> instantiate(const std::string& file, const std::string& name,
                                       const char* kind, const char* alias) {
  dll::shared_library lib = load_library(file);
  PluginEntry info = read_info(lib, file);
  if (!info.error.empty()) throw Error("plugin " + name + " (" + file + "): " + info.error);
  if (info.kind != kind)
    throw Error("plugin " + name + " (" + file + "): is a " + info.kind + " plugin, not " + kind);
  if (!lib.has(alias)) throw Error("plugin " + name + " (" + file + "): exports no " + alias);
  auto& factory = lib.get_alias<std::unique_ptr<Interface>()>(alias);
  std::unique_ptr<Interface> object;
  try {
    object = factory();
  } catch (const std::exception& e) {
    throw Error("plugin " + name + ": " + e.what());
  } catch (...) {
    throw Error("plugin " + name + ": factory failed");
  }
  if (!object) throw Error("plugin " + name + ": factory returned nothing");
  loaded().push_back(std::move(lib));
  return std::shared_ptr<Interface>(std::move(object));
}

}  // namespace

Registry::Registry(std::vector<std::string> extra_dirs) : dirs_(std::move(extra_dirs)) {
  if (const char* env = std::getenv("ENGINE_PLUGIN_PATH")) {
    std::string path = env;
    size_t start = 0;
    for (;;) {
      size_t colon = path.find(':', start);
      std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!dir.empty()) dirs_.push_back(dir);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  std::string exe = self_dir();
  if (!exe.empty()) dirs_.push_back(exe + "/../plugins");  // the build tree
  dirs_.push_back(ENGINE_PLUGIN_INSTALL_DIR);
}

std::string Registry::find(const std::string& name) const {
  if (name.empty() || name.find('/') != std::string::npos)
    throw Error("plugin name \"" + name + "\" is not valid");
  for (const auto& dir : dirs_) {
    std::string file = dir + "/" + name + kSuffix;
    if (::access(file.c_str(), R_OK) == 0) return fs::path(file).lexically_normal().string();
  }
  std::string where;
  for (const auto& d : dirs_) where += (where.empty() ? "" : ":") + d;
  throw Error("plugin " + name + ": not found (searched " + where + ")");
}

std::vector<PluginEntry> Registry::scan() const {
  std::vector<PluginEntry> entries;
  std::vector<std::string> seen;
  for (const auto& dir : dirs_) {
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(dir, ec)) {
      if (f.path().extension() != kSuffix) continue;
      std::string file = fs::weakly_canonical(f.path()).string();
      if (std::find(seen.begin(), seen.end(), file) != seen.end()) continue;
      seen.push_back(file);
      try {
        dll::shared_library lib = load_library(file);
        entries.push_back(read_info(lib, file));
        loaded().push_back(std::move(lib));
      } catch (const std::exception& e) {
        PluginEntry bad;
        bad.file = file;
        bad.error = e.what();
        entries.push_back(bad);
      }
    }
  }
  return entries;
}

std::shared_ptr<sdk::TerminalProvider> Registry::terminal_provider(const std::string& name) const {
  return instantiate<sdk::TerminalProvider>(find(name), name, "terminal", "engine_terminal_provider");
}

std::shared_ptr<sdk::LogDriver> Registry::log_driver(const std::string& name) const {
  return instantiate<sdk::LogDriver>(find(name), name, "log", "engine_log_driver");
}

}  // namespace engine::plugins
