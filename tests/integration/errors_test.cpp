// Every failure during create: one line naming the cause and the field or path, a non-zero
// exit, and nothing left behind (the fixture checks rows, cgroups, mounts and processes).
#include <fstream>

#include "support/harness.hpp"

namespace engine::test {
namespace {

class CreateErrors : public EngineTest {
 protected:
  // Runs create and checks the one-line error contains every needle.
  void expect_create_fails(const Bundle& b, const std::vector<std::string>& needles) {
    std::string id = unique_id();
    Result r = engine({"create", "--bundle", b.dir(), id});
    EXPECT_NE(r.code, 0);
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "not one line: " << r.err;
    for (const auto& n : needles) EXPECT_NE(r.err.find(n), std::string::npos) << r.err;
    EXPECT_NE(engine({"state", id}).err.find("does not exist"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(test_root() + "/" + id));
  }
};

TEST_F(CreateErrors, MalformedJson) {
  Bundle b;
  std::ofstream(b.dir() + "/config.json") << "{\"ociVersion\": \"1.0.2\", ";
  expect_create_fails(b, {"config.json", "malformed JSON"});
}

TEST_F(CreateErrors, MissingConfig) {
  Bundle b;
  std::filesystem::remove(b.dir() + "/config.json");
  expect_create_fails(b, {"config.json", "No such file or directory"});
}

TEST_F(CreateErrors, EmptyArgs) {
  Bundle b;
  b.config()["process"]["args"] = nlohmann::json::array();
  b.write();
  expect_create_fails(b, {"config.json: process.args: must be a non-empty array"});
}

TEST_F(CreateErrors, WrongTypedField) {
  Bundle b;
  b.config()["process"]["cwd"] = 42;
  b.write();
  expect_create_fails(b, {"process.cwd", "must be a string"});
}

TEST_F(CreateErrors, MissingRootfs) {
  Bundle b;
  std::filesystem::remove_all(b.rootfs());
  expect_create_fails(b, {"root.path", b.rootfs(), "No such file or directory"});
}

TEST_F(CreateErrors, MountThatFails) {
  Bundle b;
  b.config()["mounts"].push_back({{"destination", "/mnt/broken"}, {"type", "nosuchfs"}, {"source", "none"}});
  b.write();
  expect_create_fails(b, {"mount nosuchfs on /mnt/broken"});
}

TEST_F(CreateErrors, BindMountOfMissingSource) {
  Bundle b;
  b.config()["mounts"].push_back({{"destination", "/data"}, {"type", "bind"}, {"source", "/nonexistent/dir"}, {"options", {"rbind"}}});
  b.write();
  expect_create_fails(b, {"/nonexistent/dir", "/data", "No such file or directory"});
}

TEST_F(CreateErrors, ProgramThatDoesNotExist) {
  Bundle b;
  b.args({"/bin/no-such-program"});
  expect_create_fails(b, {"/bin/no-such-program", "No such file or directory"});
}

TEST_F(CreateErrors, ProgramNotInPath) {
  Bundle b;
  b.args({"no-such-program"});
  expect_create_fails(b, {"no-such-program", "not found in $PATH"});
}

TEST_F(CreateErrors, CwdThatIsAFile) {
  Bundle b;
  b.config()["process"]["cwd"] = "/bin/busybox";
  b.write();
  expect_create_fails(b, {"/bin/busybox"});
}

TEST_F(CreateErrors, InvalidId) {
  Bundle b;
  Result r = engine({"create", "--bundle", b.dir(), "../escape"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("invalid container id"), std::string::npos) << r.err;
}

TEST_F(CreateErrors, UnknownSeccompActionIsRefusedBeforeAnythingStarts) {
  Bundle b;
  b.config()["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_BOGUS"}};
  b.write();
  expect_create_fails(b, {"linux.seccomp.defaultAction"});
}

TEST_F(CreateErrors, JsonLogCarriesTheError) {
  Bundle b;
  b.config()["process"]["args"] = nlohmann::json::array();
  b.write();
  std::string log = b.dir() + "/engine.log";
  Result r = engine({"--log", log, "--log-format", "json", "create", "--bundle", b.dir(), unique_id()});
  EXPECT_NE(r.code, 0);
  std::ifstream in(log);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "error");
  EXPECT_NE(j["msg"].get<std::string>().find("process.args"), std::string::npos);
  EXPECT_TRUE(j["time"].is_string());
}

}  // namespace
}  // namespace engine::test
