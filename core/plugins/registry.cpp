#include "plugins/registry.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <deque>
#include <filesystem>

#include "common/error.hpp"

namespace engine::plugins {
namespace {

namespace fs = std::filesystem;
namespace dll = boost::dll;

constexpr const char* kSuffix = ".so";

// Libraries loaded by this process; never unloaded (see the header).
std::deque<dll::shared_library>& loaded() {
  static std::deque<dll::shared_library> libs;  // a deque: references stay valid
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
  if (!lib.has(kInfoSymbol)) {
    PluginEntry e;
    e.file = file;
    e.error = "not an engine plugin (no " + std::string(kInfoSymbol) + ")";
    return e;
  }
  return describe(lib.get<const engine_plugin_info>(kInfoSymbol), file);
}

// Loads a plugin of the given kind and keeps it loaded; throws naming what is wrong.
dll::shared_library& load_checked(const std::string& file, const std::string& name, const char* kind,
                                  const char* symbol) {
  dll::shared_library lib = load_library(file);
  PluginEntry info = read_info(lib, file);
  if (!info.error.empty()) throw Error("plugin " + name + " (" + file + "): " + info.error);
  if (info.kind != kind)
    throw Error("plugin " + name + " (" + file + "): is a " + info.kind + " plugin, not " + kind);
  if (!lib.has(symbol)) throw Error("plugin " + name + " (" + file + "): exports no " + symbol);
  loaded().push_back(std::move(lib));
  return loaded().back();
}

}  // namespace

Registry::Registry(std::vector<std::string> extra_dirs) : dirs_(plugin_search_path(std::move(extra_dirs))) {}

std::string Registry::find(const std::string& name) const { return find_plugin(dirs_, name); }

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

TerminalProviderHandle Registry::terminal_provider(const std::string& name) const {
  constexpr const char* kTable = "engine_terminal_provider_ops_v1";
  std::string file = find(name);
  const auto& ops = load_checked(file, name, "terminal", kTable).get<const engine_terminal_provider_ops>(kTable);
  if (ops.struct_size < sizeof(engine_terminal_provider_ops))
    throw Error("plugin " + name + " (" + file + "): terminal provider table too small");
  return TerminalProviderHandle(&ops, name);
}

std::shared_ptr<LogDriverHandle> Registry::log_driver(const std::string& name) const {
  return load_log_driver(dirs_, name);
}

}  // namespace engine::plugins
