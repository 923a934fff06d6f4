#include "compare/workloads.hpp"

#include <sys/resource.h>

#include <algorithm>

#include "common/error.hpp"
#include "compare/probe/protocol.h"
#include "compare/pty_run.hpp"

namespace engine::compare {
namespace {

using namespace std::chrono_literals;

constexpr auto kStartTimeout = 30s;  // a container's set-up, on a loaded machine

double seconds_of(const struct timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t at = std::min(v.size() - 1, static_cast<size_t>(static_cast<double>(v.size()) * q));
  return v[at];
}

Error failure(const std::string& who, const std::string& what, const PtyRun& run, const std::string& why) {
  return run.failure(who + ": " + what, why);
}

// Waits for the program and insists on exit code 0.
void finish(PtyRun& run, const std::string& who, const std::string& what) {
  std::optional<int> code = run.wait(Clock::now() + kStartTimeout);
  if (!code) throw failure(who, what, run, "did not end");
  if (*code != 0) throw failure(who, what, run, "exited with " + std::to_string(*code));
}

double elapsed(Clock::time_point since, double unit_per_second) {
  return std::chrono::duration<double>(Clock::now() - since).count() * unit_per_second;
}

}  // namespace

double cpu_seconds() {
  struct rusage self, children;
  ::getrusage(RUSAGE_SELF, &self);
  ::getrusage(RUSAGE_CHILDREN, &children);
  return seconds_of(self.ru_utime) + seconds_of(self.ru_stime) + seconds_of(children.ru_utime) +
         seconds_of(children.ru_stime);
}

SetupCost measure_setup(const Launch& launch, const std::string& who, int runs) {
  std::vector<double> ms, cpu;
  for (int i = 0; i < runs; ++i) {
    double cpu0 = cpu_seconds();
    auto t0 = Clock::now();
    PtyRun run(launch({"hello"}));
    if (!run.expect(PROBE_PREFIX PROBE_HELLO, t0 + kStartTimeout))
      throw failure(who, "set-up", run, "no output from the program");
    ms.push_back(elapsed(t0, 1e3));
    finish(run, who, "set-up");
    cpu.push_back(cpu_seconds() - cpu0);
  }
  return {percentile(ms, 0.5), percentile(cpu, 0.5)};
}

Throughput measure_throughput(const Launch& launch, const std::string& who, int mib) {
  const size_t want = static_cast<size_t>(mib) << 20;
  double cpu0 = cpu_seconds();
  PtyRun run(launch({"flood", std::to_string(want)}));
  auto deadline = Clock::now() + kStartTimeout;
  size_t first = 0;
  // Only the first byte: reading on until the pty is empty could take the whole flood before
  // the clock starts (a fast floor did), leaving nothing timed.
  while (first == 0 && Clock::now() < deadline) {
    first = run.discard(1, poll_ms(deadline));
    if (first == 0 && run.ended()) first = run.discard(1, 0);
    if (first == 0 && run.ended()) break;
  }
  if (first == 0) throw failure(who, "throughput", run, "no output from the program");
  // Timed from the first byte: set-up has its own row.
  auto t0 = Clock::now();
  size_t got = first;
  deadline = t0 + 120s;
  while (got < want && Clock::now() < deadline) {
    size_t n = run.discard(want - got, poll_ms(deadline));
    if (n == 0 && run.ended() && run.discard(want - got, 0) == 0) break;
    got += n;
  }
  double secs = elapsed(t0, 1);
  if (got < want)
    throw failure(who, "throughput", run, "got " + std::to_string(got) + " of " + std::to_string(want) + " bytes");
  finish(run, who, "throughput");
  return {static_cast<double>(got - first) / 1048576.0 / std::max(secs, 1e-9), cpu_seconds() - cpu0};
}

RoundTrip measure_round_trip(const Launch& launch, const std::string& who, int keys) {
  PtyRun run(launch({"keys"}));
  if (!run.expect(PROBE_PREFIX PROBE_READY, Clock::now() + kStartTimeout))
    throw failure(who, "round trip", run, "the program never got ready");
  run.drain(50);  // the rest of the ready line
  std::vector<double> us;
  us.reserve(static_cast<size_t>(keys));
  for (int i = 0; i < keys; ++i) {
    auto t0 = Clock::now();
    run.send("k");
    if (run.discard(1, 5000) != 1) throw failure(who, "round trip", run, "no echo within 5 s");
    us.push_back(elapsed(t0, 1e6));
  }
  run.send(std::string(1, PROBE_KEYS_END));
  finish(run, who, "round trip");
  return {percentile(us, 0.5), percentile(us, 0.99)};
}

}  // namespace engine::compare
