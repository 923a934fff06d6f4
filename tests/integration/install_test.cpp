// An install moved to another prefix (`cmake --install BUILD --prefix DIR`, as packagers and
// users without root do) finds its own plugins and monitor (and probe, looked up as the monitor
// is), not the configured prefix's.
#include <filesystem>
#include <set>

#include "support/harness.hpp"

namespace engine::test {
namespace {

namespace fs = std::filesystem;

class Install : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    prefix_ = fs::temp_directory_path() / ("engine-install-" + unique_id());
    Result r = run_program({ENGINE_CMAKE, "--install", ENGINE_BUILD_DIR, "--prefix", prefix_.string()},
                           {.timeout = std::chrono::seconds(120)});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(prefix_, ec);
    EngineTest::TearDown();
  }
  Result installed_engine(const std::vector<std::string>& args) {
    return engine_at((prefix_ / ENGINE_BINDIR_REL / "engine").string(), args);
  }
  fs::path prefix_;
};

bool process_runs(const fs::path& exe) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::error_code ec;
    if (fs::read_symlink(entry.path() / "exe", ec) == exe) return true;
  }
  return false;
}

TEST_F(Install, MovedPrefixFindsItsOwnPlugins) {
  Result r = installed_engine({"plugins", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto list = nlohmann::json::parse(r.out);
  ASSERT_FALSE(list.empty()) << r.out;
  std::set<std::string> names;
  for (const auto& p : list) {
    std::string file = p["file"].get<std::string>();
    EXPECT_EQ(file.rfind(prefix_.string() + "/", 0), 0u) << file << " is not from the moved install";
    names.insert(fs::path(file).stem());
  }
  EXPECT_TRUE(names.count("pty-devpts") && names.count("pty-host") && names.count("logging")) << r.out;
}

TEST_F(Install, MovedPrefixRunsADetachedContainerWithItsOwnMonitor) {
  Bundle b;
  b.args({"sleep", "1000"});
  std::string id = unique_id();
  Result run = installed_engine({"run", "-d", "--bundle", b.dir(), id});
  ASSERT_EQ(run.code, 0) << run.err;
  Result exec = installed_engine({"exec", id, "echo", "inside"});
  EXPECT_EQ(exec.code, 0) << exec.err;
  EXPECT_EQ(exec.out, "inside\n");
  Result state = installed_engine({"state", id});
  EXPECT_EQ(state.code, 0) << state.err;
  // The monitor that keeps the container is the moved install's.
  EXPECT_TRUE(process_runs(prefix_ / ENGINE_LIBEXEC_REL / "engine-monitor"));
  Result del = installed_engine({"delete", "--force", id});
  EXPECT_EQ(del.code, 0) << del.err;
}

}  // namespace
}  // namespace engine::test
