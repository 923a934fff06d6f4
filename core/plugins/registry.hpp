#pragma once
// Finds, checks and loads plugins. Nothing else in the engine knows that Boost.DLL is used.
// Loaded libraries stay loaded until the process exits: objects made by a plugin's factory do
// not keep their library alive, so unloading could leave them pointing at unmapped code.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/sdk/log_driver.hpp"
#include "engine/sdk/terminal.hpp"

namespace engine::plugins {

struct PluginEntry {
  std::string file;
  std::string kind, name, version, description;
  uint32_t api_version = 0;
  std::string error;  // why it cannot be used; empty when it can
};

class Registry {
 public:
  // Directories searched in order: extra_dirs (--plugin-dir), $ENGINE_PLUGIN_PATH
  // (colon-separated), the build tree next to the binary, the install directory.
  explicit Registry(std::vector<std::string> extra_dirs);

  const std::vector<std::string>& search_path() const { return dirs_; }
  // Every plugin file found, loaded only to read its info record (for `engine plugins`).
  std::vector<PluginEntry> scan() const;
  // Loads NAME.so of the given kind from the first directory that has it. Throws Error with
  // the reason (not found, wrong API version, wrong kind, factory missing or throwing).
  std::shared_ptr<sdk::TerminalProvider> terminal_provider(const std::string& name) const;
  std::shared_ptr<sdk::LogDriver> log_driver(const std::string& name) const;

 private:
  std::string find(const std::string& name) const;
  std::vector<std::string> dirs_;
};

constexpr const char* kDefaultTerminalProvider = "pty-devpts";
constexpr const char* kDefaultLogDriver = "logging";

}  // namespace engine::plugins
