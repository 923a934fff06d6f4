// How the engine tells that a container's init is still the process it started: by its pidfs
// inode where create recorded one, by its start time for older rows. A dead init, or a pid now
// held by another process, must show as stopped. And what a created init, a fork of the engine
// waiting for start, must not keep of it: the state db's shared wal-index mapping.
#include <signal.h>

#include <fstream>
#include <iterator>

#include "linux/pidfs.hpp"
#include "linux/proc.hpp"
#include "state/store.hpp"
#include "support/harness.hpp"

namespace engine::test {
namespace {

class InitIdentity : public EngineTest {};

// The status as `ps` finds it (it checks every init), and as `state` then reports it.
std::string status_of(const std::string& id) {
  std::string listed = "not listed";
  for (const auto& c : nlohmann::json::parse(engine({"ps", "--format", "json"}).out))
    if (c["id"] == id) listed = c["status"];
  Result state = engine({"state", id});
  EXPECT_EQ(state.code, 0) << state.err;
  EXPECT_EQ(nlohmann::json::parse(state.out)["status"], listed);
  return listed;
}

state::ContainerRecord row_of(const std::string& id) { return state::Store::open(test_root()).get(id); }

std::string comm_of(pid_t pid) {
  std::string comm;
  std::ifstream("/proc/" + std::to_string(pid) + "/comm") >> comm;
  return comm;
}

bool gone(pid_t pid) {
  auto st = sys::read_proc_stat(pid);
  return !st || st->state == 'Z';
}

// Edits the container's row as another engine would see it.
void set_identity(const std::string& id, const state::Update& update) {
  state::Store::open(test_root()).update(id, update);
}

TEST_F(InitIdentity, CreatedContainerWhoseInitDiedIsStopped) {
  Bundle b;
  b.args({"sleep", "100"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"create", "--bundle", b.dir(), id}).code, 0);
  pid_t init = row_of(id).pid;
  EXPECT_EQ(row_of(id).pid_inode, sys::pidfs_inode(init));  // 0 before 6.9
  // The monitor would record the exit itself: without it, only the engine's check can tell.
  pid_t monitor = sys::read_proc_stat(init)->ppid;
  ASSERT_EQ(comm_of(monitor), "engine-monitor");
  ::kill(monitor, SIGKILL);
  ASSERT_TRUE(eventually([&] { return gone(monitor); }));
  ::kill(init, SIGKILL);
  ASSERT_TRUE(eventually([&] { return gone(init); }));

  EXPECT_EQ(status_of(id), "stopped");
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(InitIdentity, RowWhoseInitIdentityIsAnotherProcessIsStopped) {
  Bundle b;
  std::string id = start_sleeper(b);
  state::ContainerRecord row = row_of(id);
  pid_t init = row.pid;

  // A row from before the pidfs inode was recorded: the start time still decides.
  set_identity(id, {.pid_inode = 0});
  EXPECT_EQ(status_of(id), "running");

  // The same pid now identifies another process: what a reused pid looks like.
  uint64_t other = row.pid_inode != 0 ? row.pid_inode + 1 : 0;
  set_identity(id, {.pid_start_time = row.pid_start_time + (other ? 0 : 1), .pid_inode = other});
  EXPECT_EQ(status_of(id), "stopped");

  ::kill(init, SIGKILL);  // the real init, which the engine no longer counts as the container's
  ASSERT_TRUE(eventually([&] { return gone(init); }));
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

TEST_F(InitIdentity, CreatedInitDoesNotMapTheStateDb) {
  Bundle b;
  b.args({"true"});
  std::string id = unique_id();
  ASSERT_EQ(engine({"create", "--bundle", b.dir(), id}).code, 0);
  std::ifstream maps("/proc/" + std::to_string(row_of(id).pid) + "/maps");
  std::string text((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(text.empty());
  // Each engine command truncates state.db-shm, and the kernel unmaps it from every holder.
  EXPECT_EQ(text.find("state.db-shm"), std::string::npos) << text;
  EXPECT_EQ(engine({"delete", id}).code, 0);
}

}  // namespace
}  // namespace engine::test
