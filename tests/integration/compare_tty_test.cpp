// engine compare-tty: the quick mode runs every provider, and what it measures from inside is
// what each provider truly does (docs/terminal-strategies.md), with the plugin's claims beside.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compare/report.hpp"
#include "linux/cgroups.hpp"
#include "plugins/registry.hpp"
#include "support/harness.hpp"
#include "support/pty_session.hpp"

namespace fs = std::filesystem;

namespace engine::test {
namespace {

using nlohmann::json;

// What compare-tty runs that have ended left of their own: state roots and temporary bundles
// (engine-compare-PID-*) and container cgroups (compare-PID-N). Runs still going (others may
// be testing at the same time) are not counted.
std::set<std::string> compare_leftovers() {
  auto of_an_ended_run = [](const std::string& name, const std::string& stem) {
    if (name.rfind(stem, 0) != 0) return false;
    pid_t pid = std::atoi(name.c_str() + stem.size());
    return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
  };
  std::set<std::string> found;
  std::error_code ec;
  for (const auto& dir : {fs::path("/run"), fs::temp_directory_path()})
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (of_an_ended_run(e.path().filename().string(), "engine-compare-")) found.insert(e.path().string());
  for (const auto& dir : sys::Cgroup::attach("/engine").directories())
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (of_an_ended_run(e.path().filename().string(), "compare-")) found.insert(e.path().string());
  return found;
}

class CompareTty : public EngineTest {
 protected:
  void SetUp() override { before_ = compare_leftovers(); }
  void TearDown() override {
    std::set<std::string> after = compare_leftovers(), left;
    for (const auto& p : after)
      if (!before_.count(p)) left.insert(p);
    std::string names;
    for (const auto& p : left) names += p + " ";
    EXPECT_TRUE(left.empty()) << "compare-tty left behind: " << names;
    EngineTest::TearDown();
  }
  Result compare_tty(const std::vector<std::string>& args, const std::vector<std::string>& globals = {}) {
    std::vector<std::string> argv{engine_binary()};
    argv.insert(argv.end(), globals.begin(), globals.end());
    argv.push_back("compare-tty");
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, {.timeout = std::chrono::seconds(60)});
  }
  std::set<std::string> before_;
};

const json& column(const json& report, const std::string& name) {
  for (const auto& c : report["providers"])
    if (c["name"] == name) return c;
  throw std::runtime_error("no column " + name + " in " + report.dump());
}

// One property as the test expects it: measured, and the detail when one is given.
struct Want {
  const char* key;
  json measured;
  const char* detail = nullptr;
};

void expect_properties(const json& col, const std::vector<Want>& wants) {
  for (const auto& w : wants) {
    const json& p = col["properties"][w.key];
    EXPECT_EQ(p["measured"], w.measured) << col["name"] << " " << w.key << ": " << p.dump();
    if (w.detail) {
      EXPECT_EQ(p["detail"], w.detail) << col["name"] << " " << w.key;
    }
  }
}

void expect_no_mismatch(const json& col) {
  for (const auto& [key, p] : col["properties"].items()) EXPECT_FALSE(p["mismatch"].get<bool>()) << key;
}

bool legacy_tiocsti_allowed() {
  std::ifstream f("/proc/sys/dev/tty/legacy_tiocsti");
  int v = 1;  // kernels without the knob allow it
  f >> v;
  return v == 1;
}

// One quick run serves every CompareTtyQuick test; what it left behind is checked by the first.
class CompareTtyQuick : public CompareTty {
 protected:
  static void SetUpTestSuite() {
    std::set<std::string> before = compare_leftovers();
    run_ = new Result(run_program({engine_binary(), "compare-tty", "--quick", "--format", "json"},
                                  {.timeout = std::chrono::seconds(60)}));
    left_ = new std::set<std::string>;
    for (const auto& p : compare_leftovers())
      if (!before.count(p)) left_->insert(p);
  }
  static void TearDownTestSuite() {
    delete run_;
    delete left_;
  }
  // The parsed report, parsed once; a failed run fails the test here.
  const json& report() {
    EXPECT_EQ(run_->code, 0) << run_->err;
    static const json parsed = json::parse(run_->out);
    return parsed;
  }
  static Result* run_;
  static std::set<std::string>* left_;
};
Result* CompareTtyQuick::run_ = nullptr;
std::set<std::string>* CompareTtyQuick::left_ = nullptr;

TEST_F(CompareTtyQuick, LeavesNothingBehind) {
  ASSERT_EQ(run_->code, 0) << run_->err;
  EXPECT_TRUE(left_->empty()) << "compare-tty left behind: " << *left_->begin();
}

TEST_F(CompareTtyQuick, EveryProviderAndTheFloorHaveEveryMetric) {
  const json& r = report();
  EXPECT_EQ(r["workloads"]["mib"], 4);
  EXPECT_EQ(r["workloads"]["keys"], 100);
  std::vector<std::string> names;
  for (const auto& c : r["providers"]) names.push_back(c["name"]);
  ASSERT_GE(names.size(), 4u);
  EXPECT_EQ(names[0], "floor");
  for (const char* n : {"pty-devpts", "pty-host", "pty-host+passthrough", "pty-devpts+raw"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  for (const auto& c : r["providers"]) {
    for (const char* m : {"setupMs", "throughputMiBps", "echoMedianUs", "echoP99Us"})
      EXPECT_GT(c["metrics"][m].get<double>(), 0) << c["name"] << " " << m;
    EXPECT_GE(c["metrics"]["echoP99Us"].get<double>(), c["metrics"]["echoMedianUs"].get<double>());
    EXPECT_EQ(c["properties"].size(), compare::property_rows().size()) << c["name"];
  }
}

TEST_F(CompareTtyQuick, ClaimsAreThePluginsOwn) {
  const json& r = report();
  plugins::Registry registry({});
  for (const char* name : {"pty-devpts", "pty-host"}) {
    sdk::Properties claims = registry.terminal_provider(name).properties(false);
    for (const auto& [key, p] : column(r, name)["properties"].items()) {
      if (claims.count(key)) EXPECT_EQ(p["claimed"], claims[key]) << name << " " << key;
      else EXPECT_TRUE(p["claimed"].is_null()) << name << " " << key;
    }
  }
  for (const auto& [key, p] : column(r, "floor")["properties"].items()) EXPECT_TRUE(p["claimed"].is_null()) << key;
}

// A plain host pty: everything works, nothing is isolated, and a program on it can type into
// its caller's input where the kernel still allows TIOCSTI.
TEST_F(CompareTtyQuick, TheFloorIsAPlainHostPty) {
  expect_properties(column(report(), "floor"),
                    {{"ttyname", true},
                     {"console", nullptr, "no container"},  // the host's console is not written
                     {"job_control", true},
                     {"host_ptys_visible", true},
                     {"resize", true, "31x91, SIGWINCH"},
                     {"isolated", false},
                     {"tiocsti_into_caller", legacy_tiocsti_allowed()}});
}

// Its own devpts: /dev/pts/0 inside, none of the host's ptys, TIOCSTI types only into itself.
TEST_F(CompareTtyQuick, PtyDevptsIsIsolated) {
  const json& c = column(report(), "pty-devpts");
  expect_properties(c, {{"ttyname", true, "/dev/pts/0"},
                        {"console", true, "reached the caller"},
                        {"job_control", true},
                        {"host_ptys_visible", false, "own devpts, 1 pty"},
                        {"tiocsti_into_caller", false, "ok, stayed inside"},
                        {"resize", true},
                        {"isolated", true}});
  expect_no_mismatch(c);
}

// The relay's mode (linemode, or raw with the container's pty echoing) changes what echoes,
// not what the container gets: every property measures the same.
TEST_F(CompareTtyQuick, TheRawRelayGivesTheContainerTheSameTerminal) {
  const json& line = column(report(), "pty-devpts");
  const json& raw = column(report(), "pty-devpts+raw");
  EXPECT_FALSE(line["rawRelay"].get<bool>());
  EXPECT_TRUE(raw["rawRelay"].get<bool>());
  for (const auto& [key, p] : line["properties"].items()) {
    EXPECT_EQ(raw["properties"][key]["measured"], p["measured"]) << key;
    EXPECT_EQ(raw["properties"][key]["detail"], p["detail"]) << key;
  }
}

// A host pty bound on /dev/console: ttyname finds it there, the container's /dev/pts is an
// empty instance of its own, and TIOCSTI reaches only that pty (relayed, not the caller's).
TEST_F(CompareTtyQuick, PtyHostHoldsAHostPtyBehindARelay) {
  const json& c = column(report(), "pty-host");
  expect_properties(c, {{"ttyname", true, "/dev/console"},
                        {"console", true, "reached the caller"},
                        {"job_control", true},
                        {"host_ptys_visible", false, "own devpts, 0 ptys"},
                        {"tiocsti_into_caller", false, "ok, stayed inside"},
                        {"resize", true},
                        {"isolated", false, "host's"}});
  expect_no_mismatch(c);
}

// The caller's own terminal: no job control (as pty-host claims for passthrough), resizes
// seen with the SIGWINCH the engine forwards, and TIOCSTI into the caller refused (EPERM)
// rather than typed into its shell.
TEST_F(CompareTtyQuick, PassthroughLosesJobControlAndRefusesTiocsti) {
  const json& c = column(report(), "pty-host+passthrough");
  expect_properties(c, {{"ttyname", true, "/dev/console"},
                        {"console", true, "reached the caller"},
                        {"job_control", false, "not its session's controlling tty"},
                        {"host_ptys_visible", false},
                        {"tiocsti_into_caller", false, "EPERM"},
                        {"isolated", false, "host's"}});
  EXPECT_EQ(c["properties"]["resize"]["detail"], "31x91, SIGWINCH");
  EXPECT_TRUE(c["properties"]["resize"]["measured"].get<bool>());
  expect_no_mismatch(c);
}

TEST_F(CompareTty, TableForAUserBundleLeavesTheBundleAlone) {
  Bundle b;
  std::string config_before = [&] {
    std::ifstream f(b.dir() + "/config.json");
    return std::string(std::istreambuf_iterator<char>(f), {});
  }();
  Result r = compare_tty({"--quick", "--bundle", b.dir(), "--providers", "pty-devpts,pty-host+passthrough"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string header, line;
  std::getline(lines, header);
  EXPECT_NE(header.find("floor"), std::string::npos) << r.out;
  size_t col = header.find("pty-devpts");
  ASSERT_NE(col, std::string::npos) << r.out;
  EXPECT_EQ(header.find("pty-host "), std::string::npos) << "only the providers asked for: " << header;
  bool ttyname_row = false, job_control_row = false;
  while (std::getline(lines, line)) {
    // Cells line up under their header (this row is ASCII, so bytes are columns).
    if (line.rfind("  ttyname(0)", 0) == 0) ttyname_row = line.compare(col, 10, "/dev/pts/0") == 0;
    if (line.rfind("job control works", 0) == 0) job_control_row = line.find("no (claims no)") != std::string::npos;
  }
  EXPECT_TRUE(ttyname_row) << r.out;
  EXPECT_TRUE(job_control_row) << "passthrough's own claim, measured alike: " << r.out;
  std::ifstream after(b.dir() + "/config.json");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(after), {}), config_before);
  EXPECT_FALSE(fs::exists(b.rootfs() + "/dev/.engine-probe")) << "the probe's mount point is in a tmpfs";
}

// A third-party provider claiming what it does not do is caught by the measurement.
TEST_F(CompareTty, AFalseClaimIsFlagged) {
  Result r = compare_tty({"--quick", "--format", "json", "--providers", "test-provider"},
                         {"--plugin-dir", ENGINE_TEST_PLUGIN_DIR});
  ASSERT_EQ(r.code, 0) << r.err;
  json report = json::parse(r.out);
  const json& console = column(report, "test-provider")["properties"]["console"];
  EXPECT_TRUE(console["claimed"].get<bool>()) << console;
  EXPECT_FALSE(console["measured"].get<bool>()) << console;
  EXPECT_TRUE(console["mismatch"].get<bool>()) << console;
}

TEST_F(CompareTty, InterruptRemovesEverythingItMade) {
  PtySession s({engine_binary(), "compare-tty"});
  // The progress line, once a container workload is under way.
  ASSERT_TRUE(s.expect("pty-devpts: throughput", std::chrono::seconds(30))) << s.transcript();
  s.signal(SIGINT);
  EXPECT_EQ(s.wait(), 128 + SIGINT) << s.transcript();
  EXPECT_TRUE(s.expect("interrupted by SIGINT")) << s.transcript();
}

TEST_F(CompareTty, ErrorsAreOneLineNamingTheObject) {
  Result r = compare_tty({"--quick", "--providers", "no-such-provider"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("no-such-provider"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not found"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  r = compare_tty({"--quick", "--bundle", "/nonexistent-bundle"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("/nonexistent-bundle/config.json"), std::string::npos) << r.err;

  r = compare_tty({"--format", "yaml"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
}

// The table's text: claims beside measurements, differences flagged, columns aligned even
// with a multi-byte "≠" in a cell.
TEST(CompareTtyReport, CellsAndAlignment) {
  using compare::Property;
  EXPECT_EQ(compare::property_cell({true, true, ""}), "yes (claims yes)");
  EXPECT_EQ(compare::property_cell({false, true, ""}), "no ≠ claims yes !");
  EXPECT_EQ(compare::property_cell({true, std::nullopt, ""}), "yes");
  EXPECT_EQ(compare::property_cell({std::nullopt, true, ""}), "? (claims yes)");
  EXPECT_EQ(compare::property_cell({std::nullopt, std::nullopt, ""}), "-");

  compare::Report r{{4, 100, 1}, {}};
  compare::Column a{"a", "a", false, {}, {}}, b{"b", "b", false, {}, {}};
  a.properties["ttyname"] = {false, true, "x"};
  b.properties["ttyname"] = {true, true, "y"};
  r.columns = {a, b};
  std::istringstream table(compare::format_table(r));
  std::string header, line, ttyname, detail;
  std::getline(table, header);
  while (std::getline(table, line)) {
    if (line.rfind("ttyname works", 0) == 0) ttyname = line;
    if (line.rfind("  ttyname(0)", 0) == 0) detail = line;
  }
  // "≠" is three bytes but one column: b's cell starts at the same column in both rows.
  size_t col = header.find(" b") + 1;
  EXPECT_EQ(detail.substr(col, 1), "y") << detail;
  EXPECT_EQ(ttyname.substr(col + 2, 16), "yes (claims yes)") << ttyname;  // +2: two more bytes of "≠"
}

}  // namespace
}  // namespace engine::test
