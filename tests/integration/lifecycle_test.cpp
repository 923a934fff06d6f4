// create / start / run / state / kill / delete through the real binary.
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "linux/proc.hpp"
#include "support/harness.hpp"

namespace engine::test {
namespace {

class Lifecycle : public EngineTest {};

nlohmann::json state_of(const std::string& id) {
  Result r = engine({"state", id});
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

TEST_F(Lifecycle, RunForegroundPassesOutputAndExitCode) {
  Bundle b;
  b.args({"sh", "-c", "echo hello from $(hostname); exit 3"});
  Result r = engine({"run", "--bundle", b.dir(), unique_id()});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(r.out, "hello from engine\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(Lifecycle, RunForegroundReportsDeathBySignal) {
  Bundle b;
  b.args({"sleep", "100"});
  std::string id = unique_id();
  // The init is pid 1 of its namespace: only a signal from outside can kill it.
  std::thread killer([&] {
    eventually([&] { return engine({"state", id}).out.find("running") != std::string::npos; });
    engine({"kill", id, "KILL"});
  });
  Result r = engine({"run", "--bundle", b.dir(), id});
  killer.join();
  EXPECT_EQ(r.code, 128 + SIGKILL) << r.err;
}

TEST_F(Lifecycle, RunPassesStdinThrough) {
  Bundle b;
  b.args({"cat"});
  RunOptions o;
  o.input = "line one\nline two\n";
  Result r = engine({"run", "--bundle", b.dir(), unique_id()}, o);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "line one\nline two\n");
}

TEST_F(Lifecycle, CreateWaitsUntilStartThenRuns) {
  Bundle b;
  std::string marker = b.rootfs() + "/tmp/started";
  b.args({"sh", "-c", "touch /tmp/started; sleep 30"});
  std::string id = unique_id();
  std::string pid_file = b.dir() + "/pid";
  Result r = engine({"create", "--bundle", b.dir(), "--pid-file", pid_file, id});
  ASSERT_EQ(r.code, 0) << r.err;
  auto st = state_of(id);
  EXPECT_EQ(st["status"], "created");
  EXPECT_EQ(st["id"], id);
  EXPECT_EQ(st["bundle"], b.dir());
  EXPECT_EQ(st["rootfs"], b.rootfs());
  EXPECT_EQ(st["ociVersion"], "1.0.2-dev");
  EXPECT_TRUE(st.contains("created") && st.contains("annotations") && st.contains("owner"));
  int pid = st["pid"];
  EXPECT_GT(pid, 0);
  std::ifstream pf(pid_file);
  int from_file = 0;
  pf >> from_file;
  EXPECT_EQ(from_file, pid);
  EXPECT_FALSE(std::filesystem::exists(marker)) << "program ran before start";

  r = engine({"start", id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return std::filesystem::exists(marker); }));
  EXPECT_EQ(state_of(id)["status"], "running");

  r = engine({"start", id});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("running"), std::string::npos) << r.err;

  r = engine({"delete", id});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("not stopped"), std::string::npos) << r.err;

  r = engine({"kill", id, "KILL"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return state_of(id)["status"] == "stopped"; }));
  EXPECT_EQ(state_of(id)["pid"], 0);
  r = engine({"delete", id});
  EXPECT_EQ(r.code, 0) << r.err;
  r = engine({"state", id});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}

TEST_F(Lifecycle, DeleteOfCreatedContainerKillsItsInit) {
  Bundle b;
  b.args({"true"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"create", "--bundle", b.dir(), id}).code, 0);
  int pid = state_of(id)["pid"];
  Result r = engine({"delete", id});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return !sys::read_proc_stat(pid) || sys::read_proc_stat(pid)->state == 'Z'; }));
}

TEST_F(Lifecycle, ForceDeleteOfRunningContainer) {
  Bundle b;
  b.args({"sleep", "100"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"run", "-d", "--bundle", b.dir(), id}).code, 0);
  EXPECT_EQ(state_of(id)["status"], "running");
  Result r = engine({"delete", "--force", id});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(engine({"state", id}).err.find("does not exist"), std::string::npos);
}

TEST_F(Lifecycle, StatusFollowsAnInitThatDiedWithoutTheEngine) {
  Bundle b;
  b.args({"sh", "-c", "exit 0"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"run", "-d", "--bundle", b.dir(), id}).code, 0);
  EXPECT_TRUE(eventually([&] { return state_of(id)["status"] == "stopped"; }));
  EXPECT_EQ(state_of(id)["pid"], 0);
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Lifecycle, KillTakesNamesAndNumbers) {
  Bundle b;
  // A pid-1 shell ignores signals it has no handler for: trap them to see them arrive.
  b.args({"sh", "-c", "trap 'echo got USR1 > /tmp/sig' USR1; trap 'exit 7' TERM; touch /tmp/traps; "
                      "while true; do sleep 0.05; done"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"run", "-d", "--bundle", b.dir(), id}).code, 0);
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(b.rootfs() + "/tmp/traps"); }));
  EXPECT_EQ(engine({"kill", id, "SIGUSR1"}).code, 0);
  EXPECT_TRUE(eventually([&] { return std::filesystem::exists(b.rootfs() + "/tmp/sig"); }));
  EXPECT_EQ(engine({"kill", id, "15"}).code, 0);
  EXPECT_TRUE(eventually([&] { return state_of(id)["status"] == "stopped"; }));
  Result bad = engine({"kill", id, "NOTASIGNAL"});
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("NOTASIGNAL"), std::string::npos);
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Lifecycle, KillAllReachesEveryProcess) {
  Bundle b;
  b.args({"sh", "-c", "sleep 100 & sleep 100 & wait"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"run", "-d", "--bundle", b.dir(), id}).code, 0);
  ASSERT_TRUE(eventually([&] {
    auto r = engine({"ps", "--format", "json", id});
    return nlohmann::json::parse(r.out).size() == 3;
  }));
  EXPECT_EQ(engine({"kill", "--all", id, "KILL"}).code, 0);
  EXPECT_TRUE(eventually([&] { return state_of(id)["status"] == "stopped"; }));
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Lifecycle, SecondCreateOfSameIdFails) {
  Bundle b;
  b.args({"true"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"create", "--bundle", b.dir(), id}).code, 0);
  Result r = engine({"create", "--bundle", b.dir(), id});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  EXPECT_EQ(state_of(id)["status"], "created");
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Lifecycle, ConcurrentCreatesOfSameIdExactlyOneWins) {
  Bundle b;
  b.args({"true"});
  std::string id = unique_id();
  std::vector<Result> results(2);
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = engine({"create", "--bundle", b.dir(), id}); });
  for (auto& t : threads) t.join();
  int wins = 0;
  for (const auto& r : results) {
    if (r.code == 0) ++wins;
    else EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  }
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Lifecycle, TwentyParallelCreatesAllSucceedAndAreListed) {
  Bundle b;
  b.args({"true"});
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(unique_id());
  std::vector<Result> results(ids.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < ids.size(); ++i)
    threads.emplace_back([&, i] { results[i] = engine({"create", "--bundle", b.dir(), ids[i]}); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r.code, 0) << r.err;
  Result ps = engine({"ps", "--format", "json"});
  auto list = nlohmann::json::parse(ps.out);
  for (const auto& id : ids) {
    bool found = false;
    for (const auto& c : list) found = found || (c["id"] == id && c["status"] == "created");
    EXPECT_TRUE(found) << id;
  }
  for (const auto& id : ids) EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(Lifecycle, PsTableJsonAndQuiet) {
  Bundle b;
  b.args({"sleep", "100"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"run", "-d", "--bundle", b.dir(), id}).code, 0);
  Result table = engine({"ps"});
  EXPECT_NE(table.out.find("ID"), std::string::npos);
  EXPECT_NE(table.out.find("STATUS"), std::string::npos);
  EXPECT_NE(table.out.find("BUNDLE"), std::string::npos);
  EXPECT_NE(table.out.find(id), std::string::npos);
  EXPECT_NE(table.out.find("running"), std::string::npos);
  EXPECT_EQ(engine({"list", "-q"}).out, id + "\n");
  auto json = nlohmann::json::parse(engine({"ps", "--format", "json"}).out);
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["id"], id);
  EXPECT_EQ(json[0]["status"], "running");
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

}  // namespace
}  // namespace engine::test
