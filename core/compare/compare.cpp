#include "compare/compare.hpp"

#include "common/companion.hpp"
#include "common/error.hpp"
#include "compare/probes.hpp"
#include "compare/workspace.hpp"
#include "compare/workloads.hpp"
#include "plugins/registry.hpp"

namespace engine::compare {
namespace {

constexpr int kStepsPerSubject = 4;

class Progress {
 public:
  Progress(const Options& o, size_t subjects) : report_(o.progress), total_(subjects * kStepsPerSubject) {}
  void step(const Subject& s, const std::string& what) {
    if (report_) report_("[" + std::to_string(++done_) + "/" + std::to_string(total_) + "] " + s.name + ": " + what);
  }

 private:
  const std::function<void(const std::string&)>& report_;
  size_t total_;
  size_t done_ = 0;
};

Column measure(const Subject& s, Workspace& ws, const Options& o, Progress& progress, const std::string& host) {
  Launch launch = [&](const std::vector<std::string>& args) { return ws.command(s, args); };
  Column c{s.name, s.provider, s.passthrough, s.raw_relay, {}, {}};
  progress.step(s, "set-up cost");
  SetupCost setup = measure_setup(launch, s.name, o.setup_runs);
  progress.step(s, "throughput (" + std::to_string(o.mib) + " MiB)");
  Throughput flood = measure_throughput(launch, s.name, o.mib);
  progress.step(s, "keystroke round trip (" + std::to_string(o.keys) + " keys)");
  RoundTrip echo = measure_round_trip(launch, s.name, o.keys);
  progress.step(s, "properties");
  c.properties = judge(run_report(launch, s.name, s.is_floor()), host, s);
  c.metrics = {setup.ms, setup.cpu_s, flood.mib_per_s, std::max(0.0, flood.cpu_s - setup.cpu_s),
               echo.median_us, echo.p99_us};
  return c;
}

}  // namespace

std::string find_probe() { return find_companion_program("engine-probe"); }

Report compare(const Options& o) {
  plugins::Registry registry(o.plugin_dirs);
  std::vector<Subject> subjects = resolve_subjects(registry, o.providers);
  Workspace ws(o.bundle, {self_exe(), find_probe(), o.plugin_dirs});
  Report report{{o.mib, o.keys, o.setup_runs}, {}};
  Progress progress(o, subjects.size());
  std::string host = host_devpts();
  for (const auto& s : subjects) report.columns.push_back(measure(s, ws, o, progress, host));
  return report;
}

}  // namespace engine::compare
