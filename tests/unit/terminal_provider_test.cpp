// Terminal providers loaded for real, through their C tables as the engine uses them: claims,
// a session's hooks, and a plugin's exceptions arriving as the engine's Error with its message.
#include <sys/ioctl.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "plugins/registry.hpp"

namespace engine::plugins {
namespace {

namespace fs = std::filesystem;

// The built plugins and the test plugins, relative to this test in the build tree.
Registry built_plugins() {
  fs::path here = fs::read_symlink("/proc/self/exe").parent_path();
  return Registry({(here / "../plugins").lexically_normal().string(), (here / "plugins/dir").string()});
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TerminalProvider, ClaimsArePerMode) {
  Registry registry = built_plugins();
  auto devpts = registry.terminal_provider("pty-devpts");
  EXPECT_FALSE(devpts.supports_passthrough());
  sdk::Properties claims = devpts.properties(false);
  EXPECT_TRUE(claims.at("isolated"));
  EXPECT_TRUE(claims.at("job_control"));
  EXPECT_FALSE(claims.at("host_ptys_visible"));

  auto host = registry.terminal_provider("pty-host");
  EXPECT_TRUE(host.supports_passthrough());
  EXPECT_FALSE(host.properties(false).at("isolated"));
  EXPECT_TRUE(host.properties(false).at("job_control"));
  EXPECT_FALSE(host.properties(true).at("job_control"));
}

TEST(TerminalProvider, HostSessionHandsOverAMaster) {
  auto host = built_plugins().terminal_provider("pty-host");
  sdk::TerminalRequest req;
  req.container_id = "c1";
  req.size = sdk::WindowSize{30, 100};
  auto session = host.open_session(req);
  EXPECT_EQ(session->provider_name(), "pty-host");
  session->prepare_host();
  int master = session->host_ready(-1);
  ASSERT_GE(master, 0);
  EXPECT_TRUE(::isatty(master));
  struct winsize ws{};
  ASSERT_EQ(::ioctl(master, TIOCGWINSZ, &ws), 0);
  EXPECT_EQ(ws.ws_row, 30);
  EXPECT_EQ(ws.ws_col, 100);
  ::close(master);
}

TEST(TerminalProvider, PluginExceptionsArriveAsMessages) {
  Registry registry = built_plugins();
  sdk::TerminalRequest req;
  req.passthrough = true;  // and no caller terminal
  auto host_session = registry.terminal_provider("pty-host").open_session(req);
  EXPECT_EQ(error_of([&] { host_session->prepare_host(); }),
            "terminal provider pty-host: passthrough needs a terminal on the caller's side");

  auto throwing = registry.terminal_provider("test-throwing").open_session(sdk::TerminalRequest{});
  EXPECT_EQ(error_of([&] { throwing->setup_init(); }),
            "terminal provider test-throwing: deliberate failure from test-throwing");
}

TEST(TerminalProvider, RefusesWhatIsNotAProviderOfThisApi) {
  Registry registry = built_plugins();
  EXPECT_NE(error_of([&] { registry.terminal_provider("test-future-api"); })
                .find("built for plugin API version 99, this engine uses version 3"),
            std::string::npos);
  EXPECT_NE(error_of([&] { registry.terminal_provider("logging"); }).find("is a log plugin, not terminal"),
            std::string::npos);
  EXPECT_NE(error_of([&] { registry.terminal_provider("no-such"); }).find("plugin no-such: not found"),
            std::string::npos);
}

}  // namespace
}  // namespace engine::plugins
