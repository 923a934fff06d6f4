#pragma once
// The timed workloads, the same for every subject: each starts the probe through `launch`
// (directly for the floor, through `engine run -t` otherwise) on a fresh pty of our own.
#include <functional>
#include <string>
#include <vector>

#include "compare/report.hpp"

namespace engine::compare {

// The command that runs the probe with these arguments for one subject.
using Launch = std::function<std::vector<std::string>(const std::vector<std::string>& probe_args)>;

struct SetupCost {
  double ms = 0;     // median, from starting the command to the program's first output
  double cpu_s = 0;  // median CPU seconds of the whole run
};
struct Throughput {
  double mib_per_s = 0;
  double cpu_s = 0;  // of the whole run
};
struct RoundTrip {
  double median_us = 0;
  double p99_us = 0;
};

// Each throws Error("WHO: WORKLOAD: ...") when the program fails or does not answer.
SetupCost measure_setup(const Launch& launch, const std::string& who, int runs);
Throughput measure_throughput(const Launch& launch, const std::string& who, int mib);
RoundTrip measure_round_trip(const Launch& launch, const std::string& who, int keys);

// CPU seconds (user + system) of this process and of its reaped children, so far.
double cpu_seconds();

}  // namespace engine::compare
