// plugins: every plugin file found, with what it is or why it cannot be used.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "plugins/registry.hpp"

namespace engine::cli {

int cmd_plugins(const Invocation& inv) {
  std::string format = "table";
  po::options_description desc("Options");
  desc.add_options()("format,f", po::value(&format)->default_value("table"), "table or json");
  po::variables_map vm;
  if (!parse_command_line(inv, desc, {}, vm)) return 0;
  if (format != "table" && format != "json") throw UsageError("--format must be table or json");
  plugins::Registry registry(inv.globals.plugin_dirs);
  auto entries = registry.scan();
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : entries) {
      nlohmann::json j = {{"kind", e.kind}, {"name", e.name}, {"version", e.version},
                          {"apiVersion", e.api_version}, {"file", e.file},
                          {"description", e.description}};
      if (!e.error.empty()) j["error"] = e.error;
      out.push_back(j);
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("%-9s %-12s %-8s %-4s %s\n", "KIND", "NAME", "VERSION", "API", "FILE / DESCRIPTION");
  for (const auto& e : entries) {
    std::printf("%-9s %-12s %-8s %-4u %s\n", e.kind.empty() ? "-" : e.kind.c_str(),
                e.name.empty() ? "-" : e.name.c_str(), e.version.empty() ? "-" : e.version.c_str(),
                e.api_version, e.file.c_str());
    std::printf("%-36s %s\n", "", e.error.empty() ? e.description.c_str() : ("error: " + e.error).c_str());
  }
  return 0;
}

}  // namespace engine::cli
