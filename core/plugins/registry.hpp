#pragma once
// Finds, checks and loads plugins. Terminal providers are loaded with Boost.DLL, and nothing
// else in the engine knows it is used; log drivers by load_log_driver() (plain dlopen, which
// the lean monitor uses alone). Both export C tables. Loaded libraries stay loaded until the
// process exits: sessions and writers a plugin made point into its code.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "plugins/log_driver_host.hpp"
#include "plugins/plugin_files.hpp"
#include "plugins/terminal_provider_host.hpp"

namespace engine::plugins {

class Registry {
 public:
  // Searches extra_dirs (--plugin-dir) first, then plugin_search_path()'s directories.
  explicit Registry(std::vector<std::string> extra_dirs);

  const std::vector<std::string>& search_path() const { return dirs_; }
  // Every plugin file found, loaded only to read its info record (for `engine plugins`).
  std::vector<PluginEntry> scan() const;
  // Loads NAME.so of the given kind from the first directory that has it. Throws Error with
  // the reason (not found, wrong API version, wrong kind, no table or too small a one).
  TerminalProviderHandle terminal_provider(const std::string& name) const;
  std::shared_ptr<LogDriverHandle> log_driver(const std::string& name) const;

 private:
  std::string find(const std::string& name) const;
  std::vector<std::string> dirs_;
};

constexpr const char* kDefaultTerminalProvider = "pty-devpts";
constexpr const char* kDefaultLogDriver = "logging";

}  // namespace engine::plugins
