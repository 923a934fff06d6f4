// OCI lifecycle hooks: each phase runs where and when the runtime spec says, with the state
// on stdin; a failing creation hook fails the container and leaves nothing behind.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/harness.hpp"

namespace engine::test {
namespace {

class Hooks : public EngineTest {
 protected:
  // A hook appending "PHASE <state json>" to file.
  static nlohmann::json recorder(const std::string& phase, const std::string& file) {
    return {{"path", "/bin/sh"},
            {"args", {"sh", "-c", "printf '%s ' " + phase + " >> " + file + "; cat >> " + file + "; echo >> " + file}}};
  }
  static nlohmann::json failing(const std::string& script, std::optional<int> timeout = {}) {
    nlohmann::json h = {{"path", "/bin/sh"}, {"args", {"sh", "-c", script}}};
    if (timeout) h["timeout"] = *timeout;
    return h;
  }
  // Lines of "PHASE {state}" as (phase, state).
  static std::vector<std::pair<std::string, nlohmann::json>> records(const std::string& file) {
    std::vector<std::pair<std::string, nlohmann::json>> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      size_t sp = line.find(' ');
      out.emplace_back(line.substr(0, sp), nlohmann::json::parse(line.substr(sp + 1)));
    }
    return out;
  }
  static std::vector<std::string> phases(const std::vector<std::pair<std::string, nlohmann::json>>& r) {
    std::vector<std::string> names;
    for (const auto& [phase, state] : r) names.push_back(phase);
    return names;
  }
};

TEST_F(Hooks, EveryPhaseRunsInOrderWithTheState) {
  Bundle b;
  std::string host_log = b.dir() + "/hooks.log";
  b.args({"sleep", "100"});
  b.config()["annotations"]["org.example.key"] = "value";
  auto& hooks = b.config()["hooks"];
  hooks["prestart"] = {recorder("prestart", host_log)};
  hooks["createRuntime"] = {recorder("createRuntime", host_log)};
  // Before pivot_root: the host's paths are still there.
  hooks["createContainer"] = {recorder("createContainer", host_log)};
  // After pivot_root: the container's /bin/sh, writing into the container (whole, then
  // renamed: the test polls for the file while the container starts).
  hooks["startContainer"] = {
      {{"path", "/bin/sh"},
       {"args", {"sh", "-c", "{ printf 'startContainer '; cat; echo; } > /start.tmp && mv /start.tmp /start.log"}}}};
  hooks["poststart"] = {recorder("poststart", host_log)};
  hooks["poststop"] = {recorder("poststop", host_log)};
  b.write();
  std::string id = unique_id();
  Result c = engine({"create", "--bundle", b.dir(), id});
  ASSERT_EQ(c.code, 0) << c.err;
  auto created = records(host_log);
  EXPECT_EQ(phases(created), (std::vector<std::string>{"prestart", "createRuntime", "createContainer"}));
  int pid = nlohmann::json::parse(engine({"state", id}).out)["pid"];
  for (const auto& [phase, state] : created) {
    EXPECT_EQ(state["id"], id) << phase;
    EXPECT_EQ(state["status"], "creating") << phase;
    EXPECT_EQ(state["pid"], pid) << phase;
    EXPECT_EQ(state["bundle"], b.dir()) << phase;
    EXPECT_EQ(state["annotations"]["org.example.key"], "value") << phase;
  }
  ASSERT_EQ(engine({"start", id}).code, 0);
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(b.rootfs() + "/start.log"); }));
  auto started = records(b.rootfs() + "/start.log");
  ASSERT_EQ(phases(started), std::vector<std::string>{"startContainer"});
  auto after_start = records(host_log);
  ASSERT_EQ(after_start.size(), 4u);
  EXPECT_EQ(after_start[3].first, "poststart");
  EXPECT_EQ(after_start[3].second["status"], "running");
  EXPECT_EQ(after_start[3].second["pid"], pid);
  ASSERT_EQ(engine({"delete", "-f", id}).code, 0);
  auto all = records(host_log);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[4].first, "poststop");
  EXPECT_EQ(all[4].second["status"], "stopped");
}

TEST_F(Hooks, FailingCreateRuntimeHookFailsCreateAndLeavesNothing) {
  Bundle b;
  b.args({"true"});
  b.config()["hooks"]["createRuntime"] = {failing("echo nope >&2; exit 3")};
  b.write();
  std::string id = unique_id();
  Result r = engine({"create", "--bundle", b.dir(), id});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("createRuntime hook /bin/sh: exit status 3: nope"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(test_root() + "/" + id));
}

TEST_F(Hooks, HookPastItsTimeoutIsKilledAndFailsCreate) {
  Bundle b;
  b.args({"true"});
  b.config()["hooks"]["createContainer"] = {failing("sleep 30", 1)};
  b.write();
  std::string id = unique_id();
  Result r = engine({"create", "--bundle", b.dir(), id});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("createContainer hook /bin/sh: timed out after 1 s"), std::string::npos) << r.err;
}

TEST_F(Hooks, FailingPoststartOnlyWarns) {
  Bundle b;
  b.args({"sleep", "100"});
  b.config()["hooks"]["poststart"] = {failing("exit 1")};
  b.write();
  std::string id = unique_id();
  std::string log = test_root() + "/" + id + ".engine.log";
  ASSERT_EQ(engine({"create", "--bundle", b.dir(), id}).code, 0);
  Result r = engine({"--log", log, "start", id});
  EXPECT_EQ(r.code, 0) << r.err;
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("poststart hook /bin/sh: exit status 1"), std::string::npos) << text;
  EXPECT_EQ(nlohmann::json::parse(engine({"state", id}).out)["status"], "running");
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

}  // namespace
}  // namespace engine::test
