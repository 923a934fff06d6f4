#include "compare/probes.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>

#include "compare/probe/protocol.h"
#include "compare/pty_run.hpp"

namespace engine::compare {
namespace {

using namespace std::chrono_literals;

constexpr WinSize kInitialSize{24, 80};
constexpr WinSize kResizedSize{31, 91};

std::string size_text(WinSize s) { return std::to_string(s.rows) + "x" + std::to_string(s.cols); }

// Whether text pushed into a terminal reached our own side of it: the caller's input, which
// its shell would read next. TIOCSTI is synchronous, so it is there by the time the probe
// says it pushed.
bool input_contains(int slave, const std::string& text) {
  std::string seen;
  struct pollfd p{slave, POLLIN, 0};
  while (::poll(&p, 1, 50) > 0) {
    char buf[4096];
    ssize_t n = ::read(slave, buf, sizeof buf);
    if (n <= 0) break;
    seen.append(buf, static_cast<size_t>(n));
  }
  return seen.find(text) != std::string::npos;
}

// Reacts to one "@probe NAME VALUE" line; false once the probe is done.
bool on_fact(PtyRun& run, ProbeOutcome& out, const std::string& name, const std::string& value) {
  if (name == PROBE_DONE) return false;
  if (name == PROBE_CONSOLE_SEEN) out.console_seen = true;
  else if (name == PROBE_JOBCTL_READY) run.send("\x03");
  else if (name == PROBE_RESIZE_READY) run.resize(kResizedSize);
  else out.facts[name] = value;
  if (name == "tiocsti") out.sti_arrived = input_contains(run.slave(), PROBE_STI_TEXT);
  return true;
}

Property answer_missing() { return {std::nullopt, std::nullopt, "no answer"}; }

bool is_failure(const std::string& value) { return !value.empty() && value[0] == '!'; }

// A fact that is a failure ("!EPERM") is "no" with its reason; otherwise `measured`, with
// `detail` saying what was seen.
Property from_fact(const std::string& value, bool measured, std::string detail) {
  if (is_failure(value)) return {false, std::nullopt, value.substr(1)};
  return {measured, std::nullopt, std::move(detail)};
}

Property judge_host_ptys(const ProbeOutcome& o, const std::string& host) {
  const std::string& dev = o.facts.at("pts_dev");
  const std::string& n = o.facts.at("pts_count");
  bool same = dev == host;
  return from_fact(dev, same, std::string(same ? "host's" : "own") + " devpts, " + n + (n == "1" ? " pty" : " ptys"));
}

Property judge_resize(const ProbeOutcome& o) {
  const std::string& v = o.facts.at("resize");
  std::string size = v.substr(0, v.find(' '));
  bool winch = v.find("nowinch") == std::string::npos;
  // Programs learn of a resize by SIGWINCH: a new size nobody is told of is not "seen".
  return from_fact(v, size == o.resized_to && winch, size + (winch ? ", SIGWINCH" : ", no SIGWINCH"));
}

Property judge_one(const std::string& key, const ProbeOutcome& o, const std::string& host, bool floor) {
  const auto& f = o.facts;
  try {
    if (key == "ttyname") return from_fact(f.at("ttyname"), true, f.at("ttyname"));
    if (key == "console" && floor) return {std::nullopt, std::nullopt, "no container"};
    if (key == "console")
      return from_fact(f.at("console"), o.console_seen, o.console_seen ? "reached the caller" : "written, never seen");
    if (key == "job_control") return from_fact(f.at("jobctl"), true, "SIGINT ended it");
    if (key == "host_ptys_visible") return judge_host_ptys(o, host);
    if (key == "tiocsti_into_caller")
      return from_fact(f.at("tiocsti"), o.sti_arrived, o.sti_arrived ? "ok, reached the caller" : "ok, stayed inside");
    if (key == "resize") return judge_resize(o);
    if (key == "isolated") {
      bool host_pty = f.at("tty_dev") == host;
      return from_fact(f.at("tty_dev"), !host_pty, host_pty ? "host's" : "its own");
    }
  } catch (const std::out_of_range&) {
    return answer_missing();  // the probe stopped before printing it
  }
  return answer_missing();
}

}  // namespace

ProbeOutcome run_report(const Launch& launch, const std::string& who, bool floor) {
  std::vector<std::string> args{"report"};
  if (floor) args.push_back("--no-console");  // the host's console is not ours to write to
  PtyRun run(launch(args), kInitialSize);
  ProbeOutcome out;
  out.resized_to = size_text(kResizedSize);
  auto deadline = Clock::now() + 30s + std::chrono::seconds(2 * PROBE_WAIT_SECONDS);
  const std::string prefix = PROBE_PREFIX;
  while (auto line = run.next_line(deadline)) {
    // Echoes may share the line: "^C" (ECHOCTL) comes just before the job control answer.
    size_t at = line->find(prefix);
    if (at == std::string::npos) continue;
    std::string rest = line->substr(at + prefix.size());
    size_t space = rest.find(' ');
    std::string name = rest.substr(0, space);
    std::string value = space == std::string::npos ? "" : rest.substr(space + 1);
    if (!on_fact(run, out, name, value)) {
      out.finished = run.wait(Clock::now() + 30s) == 0;
      break;
    }
  }
  if (out.facts.empty()) throw run.failure(who + ": properties", "no report from the probe");
  return out;
}

std::string host_devpts() {
  struct stat st;
  if (::stat("/dev/pts", &st) != 0) return "!";
  return std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
}

std::map<std::string, Property> judge(const ProbeOutcome& outcome, const std::string& host, const Subject& subject) {
  std::map<std::string, Property> props;
  for (const auto& row : property_rows()) {
    Property p = judge_one(row.key, outcome, host, subject.is_floor());
    if (subject.claims) {
      auto claim = subject.claims->find(row.key);
      if (claim != subject.claims->end()) p.claimed = claim->second;
    }
    props[row.key] = p;
  }
  return props;
}

}  // namespace engine::compare
