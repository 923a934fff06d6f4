// engine update: new cgroup limits for a running container, from flags or a resources file.
#include <filesystem>
#include <fstream>

#include "linux/cgroups.hpp"
#include "support/harness.hpp"

namespace engine::test {
namespace {

class Update : public EngineTest {
 protected:
  // The value of a control file in the hierarchy that has it (this host: cgroup v1).
  std::string control(const std::string& id, const std::string& file) {
    for (const auto& dir : sys::Cgroup::attach("/engine/" + id).directories()) {
      std::ifstream in(dir + "/" + file);
      std::string value;
      if (in && std::getline(in, value)) return value;
    }
    return "(missing)";
  }
};

TEST_F(Update, FlagsChangeTheLimits) {
  if (sys::host_cgroup_layout().unified) GTEST_SKIP() << "checks v1 control files";
  Bundle b;
  std::string id = start_sleeper(b);
  Result r = engine({"update", "--pids-limit", "7", "--memory", "64M", "--cpu-quota", "50000",
                     "--cpu-period", "100000", id});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(control(id, "pids.max"), "7");
  EXPECT_EQ(control(id, "memory.limit_in_bytes"), std::to_string(64 << 20));
  EXPECT_EQ(control(id, "cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Update, ResourcesFileThenFlagsOverIt) {
  if (sys::host_cgroup_layout().unified) GTEST_SKIP() << "checks v1 control files";
  Bundle b;
  std::string id = start_sleeper(b);
  std::string file = b.dir() + "/resources.json";
  std::ofstream(file) << R"({"pids": {"limit": 9}, "memory": {"limit": 33554432}})";
  EXPECT_EQ(engine({"update", "-r", file, "--memory", "48m", id}).code, 0);
  EXPECT_EQ(control(id, "pids.max"), "9");
  EXPECT_EQ(control(id, "memory.limit_in_bytes"), std::to_string(48 << 20));
  RunOptions stdin_json;
  stdin_json.input = R"({"pids": {"limit": 11}})";
  EXPECT_EQ(engine({"update", "-r", "-", id}, stdin_json).code, 0);
  EXPECT_EQ(control(id, "pids.max"), "11");
  EXPECT_EQ(engine({"delete", "-f", id}).code, 0);
}

TEST_F(Update, ErrorsNameTheCause) {
  Bundle b;
  std::string id = start_sleeper(b);
  Result size = engine({"update", "--memory", "lots", id});
  EXPECT_NE(size.code, 0);
  EXPECT_NE(size.err.find("--memory lots: not a size"), std::string::npos) << size.err;
  std::string file = b.dir() + "/bad.json";
  std::ofstream(file) << R"({"pids": {"limit": "nine"}})";
  Result bad = engine({"update", "-r", file, id});
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find(file + ": pids.limit:"), std::string::npos) << bad.err;
  EXPECT_EQ(engine({"kill", id, "KILL"}).code, 0);
  ASSERT_TRUE(eventually([&] { return nlohmann::json::parse(engine({"state", id}).out)["status"] == "stopped"; }));
  Result stopped = engine({"update", "--pids-limit", "5", id});
  EXPECT_NE(stopped.code, 0);
  EXPECT_NE(stopped.err.find("cannot update container " + id + ": it is stopped"), std::string::npos) << stopped.err;
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

}  // namespace
}  // namespace engine::test
