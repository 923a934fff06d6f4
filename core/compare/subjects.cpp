#include "compare/subjects.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace engine::compare {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Installed terminal providers by name, each once (the first found wins, as in Registry::find).
std::vector<std::string> installed_providers(const plugins::Registry& registry) {
  std::vector<std::string> names;
  for (const auto& e : registry.scan())
    if (e.error.empty() && e.kind == "terminal" && std::find(names.begin(), names.end(), e.name) == names.end())
      names.push_back(e.name);
  return names;
}

// Every installed provider, then NAME+passthrough for each that can hand over the caller's
// terminal, then the default provider's raw relay.
std::vector<std::string> default_names(const plugins::Registry& registry) {
  std::vector<std::string> names = installed_providers(registry);
  size_t installed = names.size();
  for (size_t i = 0; i < installed; ++i) {
    bool passthrough = false;
    try {
      passthrough = registry.terminal_provider(names[i]).supports_passthrough();
    } catch (const std::exception&) {
      // A provider that cannot be loaded fails later, with its own message.
    }
    if (passthrough) names.push_back(names[i] + kPassthroughSuffix);
  }
  if (std::find(names.begin(), names.end(), plugins::kDefaultTerminalProvider) != names.end())
    names.push_back(std::string(plugins::kDefaultTerminalProvider) + kRawRelaySuffix);
  return names;
}

Subject provider_subject(const plugins::Registry& registry, const std::string& name) {
  Subject s;
  s.name = name;
  s.passthrough = ends_with(name, kPassthroughSuffix);
  s.raw_relay = ends_with(name, kRawRelaySuffix);
  s.provider = name;
  for (const char* suffix : {kPassthroughSuffix, kRawRelaySuffix})
    if (ends_with(name, suffix)) s.provider = name.substr(0, name.size() - std::string(suffix).size());
  auto provider = registry.terminal_provider(s.provider);
  if (s.passthrough && !provider.supports_passthrough())
    throw Error("terminal provider " + s.provider + ": does not support --tty-passthrough");
  s.claims = provider.properties(s.passthrough);
  return s;
}

}  // namespace

std::vector<Subject> resolve_subjects(const plugins::Registry& registry, const std::vector<std::string>& names) {
  std::vector<Subject> subjects;
  Subject floor;
  floor.name = kFloor;
  subjects.push_back(floor);
  for (const auto& name : names.empty() ? default_names(registry) : names) {
    if (name == kFloor) continue;
    auto same = [&](const Subject& s) { return s.name == name; };
    if (std::find_if(subjects.begin(), subjects.end(), same) == subjects.end())
      subjects.push_back(provider_subject(registry, name));
  }
  return subjects;
}

}  // namespace engine::compare
