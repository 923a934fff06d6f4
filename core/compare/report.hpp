#pragma once
// compare-tty's results and their two forms: an aligned table (one row per metric or
// property, one column per subject) and JSON. Properties are what the probe measured; the
// plugin's claim is shown beside each and a difference is flagged.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace engine::compare {

struct Metrics {
  double setup_ms = 0;      // median time from `engine run` to the program's first output
  double setup_cpu_s = 0;   // median CPU seconds of one such run
  double mib_per_s = 0;     // through the terminal, first byte to last
  double flood_cpu_s = 0;   // CPU seconds to move them: the flood run's less one set-up run's
  double echo_median_us = 0;
  double echo_p99_us = 0;
};

struct Property {
  std::optional<bool> measured;  // nullopt: does not apply, or no answer (see detail)
  std::optional<bool> claimed;   // nullopt: no claim (the floor, or the plugin says nothing)
  std::string detail;            // what was seen: "/dev/pts/0", "EPERM", ...
  bool mismatch() const { return measured && claimed && *measured != *claimed; }
};

struct Column {
  std::string name;      // "floor", "pty-devpts", "pty-host+passthrough", "pty-devpts+raw"
  std::string provider;  // empty for the floor
  bool passthrough = false;
  bool raw_relay = false;
  Metrics metrics;
  std::map<std::string, Property> properties;  // by claim key ("ttyname", "job_control", ...)
};

struct Workloads {
  int mib = 0;
  int keys = 0;
  int setup_runs = 0;
};

struct Report {
  Workloads workloads;
  std::vector<Column> columns;
};

// The properties in table order: the plugin's claim key, the row's label, the label of the
// detail row under it.
struct PropertyRow {
  const char* key;
  const char* label;
  const char* detail_label;
};
const std::vector<PropertyRow>& property_rows();

std::string format_table(const Report& report);
nlohmann::json to_json(const Report& report);

// "yes (claims yes)", "no ≠ claims yes !", "yes" (no claim), "-" (does not apply).
std::string property_cell(const Property& p);

}  // namespace engine::compare
