#pragma once
// The properties, measured: engine-probe's `report` run on the subject's terminal, driven from
// our side of it (^C, a resize, a look at our own input), then judged against the host.
#include <map>
#include <string>

#include "compare/report.hpp"
#include "compare/subjects.hpp"
#include "compare/workloads.hpp"

namespace engine::compare {

// What one report run showed.
struct ProbeOutcome {
  std::map<std::string, std::string> facts;  // NAME -> VALUE as the probe printed them
  bool finished = false;      // the probe printed everything and exited 0
  bool console_seen = false;  // its write to /dev/console reached our terminal
  bool sti_arrived = false;   // what it pushed with TIOCSTI landed in our own input
  std::string resized_to;     // the size we gave the terminal, "ROWSxCOLS"
};

ProbeOutcome run_report(const Launch& launch, const std::string& who, bool floor);

// The device of the host's devpts instance, "MAJOR:MINOR", as the probe prints its own.
std::string host_devpts();

// One Property per claim key (property_rows()), the subject's claims beside them.
std::map<std::string, Property> judge(const ProbeOutcome& outcome, const std::string& host_devpts,
                                      const Subject& subject);

}  // namespace engine::compare
