// Plugin loading: a third-party provider works, one built for another API version is refused
// with both versions named, a throwing one fails its container without crashing the engine.
#include "engine/sdk/plugin.hpp"
#include "linux/unix_socket.hpp"
#include "support/harness.hpp"
#include "support/pty_session.hpp"

namespace engine::test {
namespace {

class Plugins : public EngineTest {
 protected:
  std::vector<std::string> with_test_plugins(std::vector<std::string> args) {
    args.insert(args.begin(), {"--plugin-dir", ENGINE_TEST_PLUGIN_DIR});
    return args;
  }
};

TEST_F(Plugins, ListsEveryPluginWithItsApiVersion) {
  Result r = engine(with_test_plugins({"plugins", "--format", "json"}));
  ASSERT_EQ(r.code, 0) << r.err;
  auto list = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> by_file;
  for (const auto& p : list) by_file[std::filesystem::path(p["file"].get<std::string>()).stem()] = p;
  ASSERT_TRUE(by_file.count("pty-devpts"));
  EXPECT_EQ(by_file["pty-devpts"]["kind"], "terminal");
  EXPECT_EQ(by_file["pty-devpts"]["apiVersion"], ENGINE_PLUGIN_API_VERSION);
  EXPECT_FALSE(by_file["pty-devpts"]["description"].get<std::string>().empty());
  ASSERT_TRUE(by_file.count("pty-host"));
  ASSERT_TRUE(by_file.count("test-provider"));
  EXPECT_FALSE(by_file["test-provider"].contains("error"));
  ASSERT_TRUE(by_file.count("test-future-api"));
  EXPECT_NE(by_file["test-future-api"]["error"].get<std::string>().find("99"), std::string::npos);
  Result table = engine(with_test_plugins({"plugins"}));
  EXPECT_NE(table.out.find("pty-devpts"), std::string::npos);
  EXPECT_NE(table.out.find("error: built for plugin API version 99"), std::string::npos) << table.out;
}

TEST_F(Plugins, ThirdPartyProviderRunsAContainer) {
  Bundle b;
  b.config()["process"]["terminal"] = true;
  b.args({"sh", "-c", "tty; stty size"});
  PtySession s(engine_argv(with_test_plugins({"run", "--tty-provider", "test-provider", "--bundle", b.dir(), unique_id()})),
               12, 34);
  EXPECT_TRUE(s.expect("/dev/pts/0")) << s.transcript();
  EXPECT_TRUE(s.expect("12 34")) << s.transcript();
  EXPECT_EQ(s.wait(), 0);
}

TEST_F(Plugins, FoundThroughEnginePluginPath) {
  std::vector<std::string> argv = {"/bin/busybox", "env",
                                   std::string("ENGINE_PLUGIN_PATH=/nonexistent:") + ENGINE_TEST_PLUGIN_DIR};
  std::vector<std::string> engine_args = engine_argv({"plugins", "--format", "json"});
  argv.insert(argv.end(), engine_args.begin(), engine_args.end());
  Result r = run_program(argv);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("test-provider"), std::string::npos) << r.out;
  Result without = engine({"plugins", "--format", "json"});
  EXPECT_EQ(without.out.find("test-provider"), std::string::npos) << "test plugins only when asked for";
}

TEST_F(Plugins, ProviderForAnotherApiVersionIsRefused) {
  Bundle b;
  b.config()["process"]["terminal"] = true;
  b.write();
  Result r = engine(with_test_plugins({"run", "--tty-provider", "test-future-api", "--bundle", b.dir(), unique_id()}));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("plugin API version 99"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("version " + std::to_string(ENGINE_PLUGIN_API_VERSION)), std::string::npos) << r.err;
}

TEST_F(Plugins, ThrowingProviderFailsItsContainerOnly) {
  Bundle b;
  b.config()["process"]["terminal"] = true;
  b.write();
  std::string id = unique_id();
  Result r = engine(with_test_plugins({"run", "--tty-provider", "test-throwing", "--bundle", b.dir(), id}));
  EXPECT_EQ(r.code, 1) << "an error exit, not a crash";
  EXPECT_NE(r.err.find("terminal provider test-throwing: deliberate failure"), std::string::npos) << r.err;
}

TEST_F(Plugins, ProviderIsRecordedAndShownByPs) {
  Bundle b;
  b.config()["process"]["terminal"] = true;
  b.args({"sleep", "100"});
  std::string id = unique_id();
  std::string sock = b.dir() + "/console.sock";
  UniqueFd listener = sys::listen_unix(sock);
  Result r = engine({"create", "--tty-provider", "pty-host", "--console-socket", sock, "--bundle", b.dir(), id});
  ASSERT_EQ(r.code, 0) << r.err;
  auto list = nlohmann::json::parse(engine({"ps", "--format", "json"}).out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["terminalProvider"], "pty-host");
  EXPECT_NE(engine({"ps"}).out.find("pty-host"), std::string::npos);
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

}  // namespace
}  // namespace engine::test
