// The CLI surface: --version, --help, COMMAND --help, spec.
#include <fstream>

#include "oci/spec.hpp"
#include "support/harness.hpp"

namespace engine::test {
namespace {

class Cli : public EngineTest {};

TEST_F(Cli, VersionAndHelp) {
  Result v = engine({"--version"});
  EXPECT_EQ(v.code, 0);
  EXPECT_NE(v.out.find("engine version"), std::string::npos);
  Result h = engine({"--help"});
  EXPECT_EQ(h.code, 0);
  for (const char* cmd : {"create", "start", "run", "state", "kill", "delete", "ps", "spec", "plugins"})
    EXPECT_NE(h.out.find(cmd), std::string::npos) << cmd;
}

TEST_F(Cli, EveryCommandHasHelp) {
  for (const char* cmd : {"spec", "create", "start", "run", "state", "kill", "delete", "ps", "list",
                          "pause", "resume", "plugins"}) {
    Result r = engine({cmd, "--help"});
    EXPECT_EQ(r.code, 0) << cmd << ": " << r.err;
    EXPECT_NE(r.out.find("Usage: engine"), std::string::npos) << cmd;
  }
  Result create = engine({"create", "--help"});
  for (const char* flag : {"--bundle", "--pid-file", "--console-socket", "--no-pivot", "--no-new-keyring",
                           "--preserve-fds", "--tty-provider"})
    EXPECT_NE(create.out.find(flag), std::string::npos) << flag;
}

TEST_F(Cli, UnknownCommandAndFlag) {
  Result r = engine({"frobnicate"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("unknown command"), std::string::npos);
  r = engine({"create", "--no-such-flag", "x"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("no-such-flag"), std::string::npos) << r.err;
}

TEST_F(Cli, SpecWritesARuncLikeDefault) {
  std::string dir = test_root() + "/../spec-test";
  std::filesystem::create_directories(dir);
  Result r = engine({"spec", "--bundle", dir});
  ASSERT_EQ(r.code, 0) << r.err;
  auto doc = nlohmann::json::parse(std::ifstream(dir + "/config.json"));
  EXPECT_EQ(doc["process"]["terminal"], true);
  EXPECT_EQ(doc["process"]["args"], nlohmann::json({"sh"}));
  std::vector<std::string> types;
  for (const auto& ns : doc["linux"]["namespaces"]) types.push_back(ns["type"]);
  for (const char* t : {"pid", "network", "ipc", "uts", "mount"})
    EXPECT_NE(std::find(types.begin(), types.end(), t), types.end()) << t;
  EXPECT_FALSE(doc["linux"]["maskedPaths"].empty());
  EXPECT_FALSE(doc["linux"]["readonlyPaths"].empty());
  EXPECT_NO_THROW(oci::parse_spec(doc));
  // A second spec does not overwrite.
  EXPECT_NE(engine({"spec", "--bundle", dir}).code, 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace engine::test
