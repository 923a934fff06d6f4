// A terminal provider written the way a third party would: against the SDK headers alone.
// Built three ways: working (test-provider), throwing in the init (test-throwing), and
// declaring a future plugin API version (test-future-api), which the engine must refuse.
#include <fcntl.h>
#include <stdlib.h>


#include "engine/sdk/pty.hpp"
#include "engine/sdk/terminal.hpp"

#if defined(TEST_PROVIDER_API_VERSION)
extern "C" ENGINE_PLUGIN_EXPORT const engine_plugin_info engine_plugin_info_v1 = {
    sizeof(engine_plugin_info), TEST_PROVIDER_API_VERSION, "terminal", "test-future-api", "0.1",
    "built against a plugin API this engine does not know", ENGINE_PLUGIN_ABI_TAG};
#elif defined(TEST_PROVIDER_THROWS)
ENGINE_DECLARE_PLUGIN("terminal", "test-throwing", "0.1", "throws in the container init");
#else
ENGINE_DECLARE_PLUGIN("terminal", "test-provider", "0.1", "a third-party provider for tests");
#endif

namespace {

using namespace engine::sdk;

class Session : public TerminalSession {
 public:
  explicit Session(TerminalRequest r) : req_(std::move(r)) {}
  int setup_init() override { return allocate(); }
  int setup_exec() override { return allocate(); }

 private:
  int allocate() {
#if defined(TEST_PROVIDER_THROWS)
    throw PluginError("deliberate failure from test-throwing");
#endif
    // /dev/ptmx points at the container's own devpts instance.
    int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || ::unlockpt(master) != 0) pty::fail("open /dev/ptmx");
    char name[64];
    if (::ptsname_r(master, name, sizeof name) != 0) pty::fail("ptsname");
    int slave = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) pty::fail(std::string("open ") + name);
    pty::apply_size(master, req_.size);
    pty::become_session_leader_on(slave);
    if (slave > 2) ::close(slave);
    return master;
  }
  TerminalRequest req_;
};

class Provider : public TerminalProvider {
 public:
  // "console" is a deliberate false claim (nothing is bound on /dev/console): compare-tty
  // must measure it and flag the mismatch.
  Properties properties() const override { return {{"isolated", true}, {"console", true}}; }
  std::unique_ptr<TerminalSession> open_session(const TerminalRequest& r) override {
    return std::make_unique<Session>(r);
  }
};

}  // namespace

ENGINE_DECLARE_TERMINAL_PROVIDER(Provider);
