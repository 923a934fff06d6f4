#include "compare/report.hpp"

#include <cstdio>
#include <functional>

namespace engine::compare {
namespace {

using nlohmann::json;

const char* yes_no(bool b) { return b ? "yes" : "no"; }

std::string printf_string(const char* fmt, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, value);
  return buf;
}

// Columns on a terminal: UTF-8 continuation bytes take none.
size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

using Row = std::vector<std::string>;  // label, then one cell per column

Row metric_row(const Report& r, std::string label, const char* fmt, std::function<double(const Metrics&)> get) {
  Row row{std::move(label)};
  for (const auto& c : r.columns) row.push_back(printf_string(fmt, get(c.metrics)));
  return row;
}

std::vector<Row> metric_rows(const Report& r) {
  std::string mib = std::to_string(r.workloads.mib);
  return {
      metric_row(r, "set-up (run to first byte)", "%.1f ms", [](auto& m) { return m.setup_ms; }),
      metric_row(r, "throughput (" + mib + " MiB)", "%.0f MiB/s", [](auto& m) { return m.mib_per_s; }),
      metric_row(r, "  CPU seconds for " + mib + " MiB", "%.2f s", [](auto& m) { return m.flood_cpu_s; }),
      metric_row(r, "keystroke round trip median", "%.1f µs", [](auto& m) { return m.echo_median_us; }),
      metric_row(r, "keystroke round trip p99", "%.1f µs", [](auto& m) { return m.echo_p99_us; }),
  };
}

std::vector<Row> property_table_rows(const Report& r) {
  std::vector<Row> rows;
  for (const auto& p : property_rows()) {
    Row main{p.label}, detail{std::string("  ") + p.detail_label};
    for (const auto& c : r.columns) {
      auto it = c.properties.find(p.key);
      Property prop = it == c.properties.end() ? Property{} : it->second;
      main.push_back(property_cell(prop));
      detail.push_back(prop.detail.empty() ? "-" : prop.detail);
    }
    rows.push_back(std::move(main));
    rows.push_back(std::move(detail));
  }
  return rows;
}

std::string render(const std::vector<Row>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], display_width(row[i]));
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - display_width(row[i]) + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

json optional_bool(const std::optional<bool>& b) { return b ? json(*b) : json(nullptr); }

json metrics_json(const Metrics& m) {
  return {{"setupMs", m.setup_ms},         {"setupCpuSeconds", m.setup_cpu_s},
          {"throughputMiBps", m.mib_per_s}, {"throughputCpuSeconds", m.flood_cpu_s},
          {"echoMedianUs", m.echo_median_us}, {"echoP99Us", m.echo_p99_us}};
}

}  // namespace

const std::vector<PropertyRow>& property_rows() {
  static const std::vector<PropertyRow> rows = {
      {"ttyname", "ttyname works", "ttyname(0)"},
      {"console", "/dev/console works", "write to /dev/console"},
      {"job_control", "job control works", "^C to a foreground job"},
      {"host_ptys_visible", "host ptys visible", "/dev/pts inside"},
      {"tiocsti_into_caller", "TIOCSTI into the caller", "ioctl(0, TIOCSTI)"},
      {"resize", "resize seen inside", "size after the resize"},
      {"isolated", "isolated (not a host pty)", "the tty's devpts"},
  };
  return rows;
}

std::string property_cell(const Property& p) {
  std::string measured = p.measured ? yes_no(*p.measured) : p.claimed ? "?" : "-";
  if (!p.claimed) return measured;
  if (p.mismatch()) return measured + " ≠ claims " + yes_no(*p.claimed) + " !";
  return measured + " (claims " + yes_no(*p.claimed) + ")";
}

std::string format_table(const Report& r) {
  Row header{""};
  for (const auto& c : r.columns) header.push_back(c.name);
  std::vector<Row> rows{header};
  for (auto& row : metric_rows(r)) rows.push_back(std::move(row));
  for (auto& row : property_table_rows(r)) rows.push_back(std::move(row));
  int runs = r.workloads.setup_runs;
  return render(rows) + "\nset-up: median of " + std::to_string(runs) + (runs == 1 ? " run" : " runs") +
         "; round trip: " + std::to_string(r.workloads.keys) +
         " keys, echoed by your terminal in linemode (a provider's\n"
         "own column) or by the container's through the relay (+raw). Properties are measured by engine-probe\n"
         "on the terminal the program gets; (claims ...) is the plugin's own properties(), \"≠ ... !\" where\n"
         "they differ.\n";
}

json to_json(const Report& r) {
  json columns = json::array();
  for (const auto& c : r.columns) {
    json props = json::object();
    for (const auto& [key, p] : c.properties)
      props[key] = {{"measured", optional_bool(p.measured)}, {"claimed", optional_bool(p.claimed)},
                    {"mismatch", p.mismatch()}, {"detail", p.detail}};
    columns.push_back({{"name", c.name}, {"provider", c.provider.empty() ? json(nullptr) : json(c.provider)},
                       {"passthrough", c.passthrough}, {"rawRelay", c.raw_relay}, {"metrics", metrics_json(c.metrics)},
                       {"properties", props}});
  }
  return {{"workloads", {{"mib", r.workloads.mib}, {"keys", r.workloads.keys}, {"setupRuns", r.workloads.setup_runs}}},
          {"providers", columns}};
}

}  // namespace engine::compare
