// Unit tests for the sqlite state store (state/): schema, records, compare-and-set
// transitions, and races between engine processes (fork, as each CLI call is its own process).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <limits>
#include <sqlite3.h>
#include <string>
#include <vector>

#include "state/store.hpp"

namespace engine::state {
namespace {

// A throwaway state root, removed afterwards. The store root is a subdirectory that
// does not exist yet, so open() has to create it.
class TempRoot {
 public:
  TempRoot() {
    char tmpl[] = "/tmp/state_store_test.XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~TempRoot() { std::filesystem::remove_all(dir_); }
  std::string root() const { return dir_ + "/root/nested"; }
  std::string db_path() const { return root() + "/state.db"; }

 private:
  std::string dir_;
};

// Every field set to a distinct non-default value.
ContainerRecord full_record(const std::string& id) {
  ContainerRecord r;
  r.id = id;
  r.bundle = "/bundles/" + id;
  r.rootfs = "/bundles/" + id + "/rootfs";
  r.status = Status::created;
  r.pid = 4242;
  r.pid_start_time = std::numeric_limits<uint64_t>::max() - 7;  // beyond int64: bit-for-bit
  r.creator_pid = 77;
  r.creator_start_time = 123456789;
  r.created_at = 1700000000123456789;
  r.started_at = 1700000001000000000;
  r.finished_at = 1700000002000000000;
  r.exit_code = std::nullopt;
  r.config_digest = std::string(64, 'a');
  r.terminal_provider = "pty-devpts";
  r.log_driver = "json-file";
  r.annotations_json = R"({"org.example/key":"v"})";
  r.owner = "alice";
  r.runtime_json = R"({"cgroup":"/sys/fs/cgroup/engine/)" + id + R"("})";
  r.pid_inode = std::numeric_limits<uint64_t>::max() - 3;
  return r;
}

ContainerRecord created(const std::string& id, TimeNs created_at) {
  ContainerRecord r;
  r.id = id;
  r.bundle = "/b";
  r.rootfs = "/b/rootfs";
  r.status = Status::created;
  r.created_at = created_at;
  return r;
}

void expect_same(const ContainerRecord& a, const ContainerRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.bundle, b.bundle);
  EXPECT_EQ(a.rootfs, b.rootfs);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.pid, b.pid);
  EXPECT_EQ(a.pid_start_time, b.pid_start_time);
  EXPECT_EQ(a.creator_pid, b.creator_pid);
  EXPECT_EQ(a.creator_start_time, b.creator_start_time);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.finished_at, b.finished_at);
  EXPECT_EQ(a.exit_code, b.exit_code);
  EXPECT_EQ(a.config_digest, b.config_digest);
  EXPECT_EQ(a.terminal_provider, b.terminal_provider);
  EXPECT_EQ(a.log_driver, b.log_driver);
  EXPECT_EQ(a.annotations_json, b.annotations_json);
  EXPECT_EQ(a.owner, b.owner);
  EXPECT_EQ(a.runtime_json, b.runtime_json);
  EXPECT_EQ(a.pid_inode, b.pid_inode);
}

// Runs one integer-valued query on the store's connection.
int64_t query_int(Store& store, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(store.handle(), sql, -1, &stmt, nullptr), SQLITE_OK) << sql;
  int64_t v = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  return v;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const StateError& e) {
    return e.what();
  }
  return "";
}

// Forks n children that block on a pipe until all exist, then run body(i) at the same
// moment; returns their exit codes. A child must not touch a parent's sqlite connection.
std::vector<int> race(int n, const std::function<int(int)>& body) {
  int gate[2];
  if (::pipe(gate) != 0) throw std::runtime_error("pipe");
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(gate[1]);
      char c;
      while (::read(gate[0], &c, 1) < 0 && errno == EINTR) {
      }
      int rc = 99;
      try {
        rc = body(i);
      } catch (...) {
        rc = 98;
      }
      ::_exit(rc);  // skip gtest's atexit machinery in the child
    }
    pids.push_back(pid);
  }
  ::close(gate[0]);
  ::close(gate[1]);  // EOF releases every child at once
  std::vector<int> codes;
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status));
  }
  return codes;
}

constexpr int kOk = 0, kAlreadyExists = 3, kOtherError = 4, kFalse = 5;

// Runs fn in a child's own store and maps the outcome to an exit code.
int child_outcome(const std::string& root, const std::function<bool(Store&)>& fn) {
  try {
    Store store = Store::open(root);
    return fn(store) ? kOk : kFalse;
  } catch (const AlreadyExists&) {
    return kAlreadyExists;
  } catch (const StateError& e) {
    ::fprintf(stderr, "child: %s\n", e.what());
    return kOtherError;
  }
}

TEST(StateStore, OpenCreatesPrivateRootAndSchemaAtCurrentVersion) {
  TempRoot t;
  Store store = Store::open(t.root());
  struct stat st {};
  ASSERT_EQ(::stat(t.root().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(std::filesystem::exists(t.db_path()));
  EXPECT_EQ(query_int(store, "PRAGMA user_version"), Store::schema_version());
  EXPECT_GE(Store::schema_version(), 1);
  EXPECT_EQ(query_int(store, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                             "name IN ('containers', 'execs')"),
            2);
  EXPECT_EQ(query_int(store, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(query_int(store, "PRAGMA synchronous"), 1);  // NORMAL
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(store.handle(), "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
}

TEST(StateStore, StatusCheckConstraintRejectsUnknownStatus) {
  TempRoot t;
  Store store = Store::open(t.root());
  EXPECT_NE(sqlite3_exec(store.handle(),
                         "INSERT INTO containers (id, bundle, rootfs, status) "
                         "VALUES ('x', '/b', '/r', 'exploded')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
}

TEST(StateStore, ReopenIsIdempotentAndKeepsRows) {
  TempRoot t;
  Store::open(t.root()).insert(full_record("keep"));
  for (int i = 0; i < 3; ++i) {
    Store store = Store::open(t.root());
    EXPECT_EQ(query_int(store, "PRAGMA user_version"), Store::schema_version());
    expect_same(store.get("keep"), full_record("keep"));
    EXPECT_EQ(store.list().size(), 1u);
  }
}

TEST(StateStore, NewerSchemaVersionIsRefused) {
  TempRoot t;
  {
    Store store = Store::open(t.root());
    std::string sql = "PRAGMA user_version = " + std::to_string(Store::schema_version() + 5);
    ASSERT_EQ(sqlite3_exec(store.handle(), sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  }
  int newer = Store::schema_version() + 5;
  EXPECT_EQ(error_of([&] { Store::open(t.root()); }),
            "state.db: schema version " + std::to_string(newer) + " is newer than this engine (" +
                std::to_string(Store::schema_version()) + ")");
}

TEST(StateStore, SchemaOneGetsThePidInodeAndKeepsItsRows) {
  TempRoot t;
  {  // what an engine of schema 1 left: no pid_inode column, a row with a start time only
    Store store = Store::open(t.root());
    ASSERT_EQ(sqlite3_exec(store.handle(),
                           "ALTER TABLE containers DROP COLUMN pid_inode; PRAGMA user_version = 1; "
                           "INSERT INTO containers (id, bundle, rootfs, status, pid, pid_start_time) "
                           "VALUES ('old', '/b', '/b/rootfs', 'running', 4242, 987654)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  Store store = Store::open(t.root());
  EXPECT_EQ(query_int(store, "PRAGMA user_version"), Store::schema_version());
  ContainerRecord old = store.get("old");
  EXPECT_EQ(old.status, Status::running);
  EXPECT_EQ(old.pid, 4242);
  EXPECT_EQ(old.pid_start_time, 987654u);
  EXPECT_EQ(old.pid_inode, 0u);  // unknown: the start time still decides
  store.update("old", Update{.pid_inode = 77});
  EXPECT_EQ(store.get("old").pid_inode, 77u);
  store.insert(full_record("new"));
  expect_same(store.get("new"), full_record("new"));
}

TEST(StateStore, SqliteErrorsBecomeStateErrorsNamingTheOperation) {
  TempRoot t;
  std::filesystem::create_directories(t.db_path());  // state.db is a directory: cannot open
  std::string err = error_of([&] { Store::open(t.root()); });
  EXPECT_EQ(err.rfind("state.db: open " + t.db_path() + ": ", 0), 0u) << err;
}

TEST(StateStore, RootThatIsAFileIsRefused) {
  TempRoot t;
  std::filesystem::create_directories(std::filesystem::path(t.root()).parent_path());
  ::close(::creat(t.root().c_str(), 0600));
  EXPECT_NE(error_of([&] { Store::open(t.root()); }), "");
}

TEST(StateStore, InsertGetRoundTripsEveryFieldWithoutExitCode) {
  TempRoot t;
  Store store = Store::open(t.root());
  ContainerRecord rec = full_record("c1");
  store.insert(rec);
  ContainerRecord got = store.get("c1");
  expect_same(got, rec);
  EXPECT_FALSE(got.exit_code.has_value());
}

TEST(StateStore, InsertGetRoundTripsExitCodeIncludingZero) {
  TempRoot t;
  Store store = Store::open(t.root());
  for (int code : {0, 137, -1}) {
    ContainerRecord rec = full_record("c" + std::to_string(code));
    rec.status = Status::stopped;
    rec.exit_code = code;
    store.insert(rec);
    expect_same(store.get(rec.id), rec);
  }
}

TEST(StateStore, InsertKeepsDefaults) {
  TempRoot t;
  Store store = Store::open(t.root());
  ContainerRecord rec;
  rec.id = "plain";
  store.insert(rec);
  expect_same(store.get("plain"), rec);
  EXPECT_EQ(store.get("plain").status, Status::creating);
}

TEST(StateStore, DuplicateInsertThrowsAlreadyExistsAndKeepsOriginal) {
  TempRoot t;
  Store store = Store::open(t.root());
  store.insert(full_record("dup"));
  ContainerRecord other = created("dup", 5);
  try {
    store.insert(other);
    FAIL() << "second insert succeeded";
  } catch (const AlreadyExists& e) {
    EXPECT_STREQ(e.what(), "container with id dup already exists");
  }
  expect_same(store.get("dup"), full_record("dup"));
  // The failed insert's transaction was rolled back: the connection still writes.
  store.insert(created("after", 6));
  EXPECT_EQ(store.list().size(), 2u);
}

TEST(StateStore, UnknownIdIsNotFound) {
  TempRoot t;
  Store store = Store::open(t.root());
  try {
    store.get("nope");
    FAIL() << "get of unknown id succeeded";
  } catch (const NotFound& e) {
    EXPECT_STREQ(e.what(), "container nope does not exist");
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
  }
  EXPECT_FALSE(store.find("nope").has_value());
  EXPECT_THROW(store.update("nope", Update{.pid = 1}), NotFound);
  EXPECT_FALSE(store.remove("nope"));
  EXPECT_FALSE(store.transition("nope", {Status::created}, Status::running));
}

TEST(StateStore, ListIsOrderedByCreatedAtThenId) {
  TempRoot t;
  Store store = Store::open(t.root());
  store.insert(created("b", 20));
  store.insert(created("z", 10));
  store.insert(created("a", 20));
  store.insert(created("m", 30));
  std::vector<std::string> ids;
  for (const auto& r : store.list()) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"z", "a", "b", "m"}));
}

TEST(StateStore, StatusStrings) {
  EXPECT_STREQ(to_string(Status::creating), "creating");
  EXPECT_STREQ(to_string(Status::created), "created");
  EXPECT_STREQ(to_string(Status::running), "running");
  EXPECT_STREQ(to_string(Status::paused), "paused");
  EXPECT_STREQ(to_string(Status::stopped), "stopped");
  for (Status s : {Status::creating, Status::created, Status::running, Status::paused,
                   Status::stopped})
    EXPECT_EQ(status_from_string(to_string(s)), s);
  EXPECT_FALSE(status_from_string("Running").has_value());
}

TEST(StateStore, TransitionFromAllowedStatusAppliesSetFieldsOnly) {
  TempRoot t;
  Store store = Store::open(t.root());
  ContainerRecord rec = full_record("t");
  store.insert(rec);
  Update u;
  u.pid = 999;
  u.started_at = 42;
  u.runtime_json = R"({"monitor":1})";
  EXPECT_TRUE(store.transition("t", {Status::creating, Status::created}, Status::running, u));
  ContainerRecord want = rec;
  want.status = Status::running;
  want.pid = 999;
  want.started_at = 42;
  want.runtime_json = R"({"monitor":1})";
  expect_same(store.get("t"), want);
}

TEST(StateStore, TransitionFromOtherStatusReturnsFalseAndChangesNothing) {
  TempRoot t;
  Store store = Store::open(t.root());
  ContainerRecord rec = full_record("t");  // created
  store.insert(rec);
  Update u;
  u.pid = 1;
  u.exit_code = 3;
  u.finished_at = 9;
  EXPECT_FALSE(store.transition("t", {Status::running, Status::paused}, Status::stopped, u));
  expect_same(store.get("t"), rec);
}

TEST(StateStore, TransitionSetsExitCodeAndStartTime) {
  TempRoot t;
  Store store = Store::open(t.root());
  store.insert(created("t", 1));
  Update u;
  u.exit_code = 0;
  u.finished_at = 77;
  u.pid_start_time = 555;
  u.pid_inode = 4096;
  EXPECT_TRUE(store.transition("t", {Status::created}, Status::stopped, u));
  ContainerRecord got = store.get("t");
  EXPECT_EQ(got.status, Status::stopped);
  EXPECT_EQ(got.exit_code, 0);
  EXPECT_EQ(got.finished_at, 77);
  EXPECT_EQ(got.pid_start_time, 555u);
  EXPECT_EQ(got.pid_inode, 4096u);
  // A second identical CAS now fails: the row moved on.
  EXPECT_FALSE(store.transition("t", {Status::created}, Status::stopped, u));
}

TEST(StateStore, TransitionAcceptsDuplicateFromStatuses) {
  TempRoot t;
  Store store = Store::open(t.root());
  store.insert(created("t", 1));
  EXPECT_TRUE(store.transition(
      "t",
      {Status::created, Status::created, Status::creating, Status::running, Status::paused,
       Status::stopped},
      Status::paused));
  EXPECT_EQ(store.get("t").status, Status::paused);
}

TEST(StateStore, UpdateSetsOnlyGivenFieldsWithoutStatusChange) {
  TempRoot t;
  Store store = Store::open(t.root());
  ContainerRecord rec = full_record("u");
  store.insert(rec);
  store.update("u", Update{.pid_start_time = 31, .exit_code = 2});
  ContainerRecord want = rec;
  want.pid_start_time = 31;
  want.exit_code = 2;
  expect_same(store.get("u"), want);
  store.update("u", Update{});  // nothing set: nothing changes, still found
  expect_same(store.get("u"), want);
}

TEST(StateStore, RemoveDeletesRowAndCascadesExecs) {
  TempRoot t;
  Store store = Store::open(t.root());
  store.insert(created("r", 1));
  store.insert(created("other", 2));
  store.insert_exec({.container_id = "r", .exec_id = "e1", .pid = 10});
  store.insert_exec({.container_id = "r", .exec_id = "e2", .pid = 11});
  store.insert_exec({.container_id = "other", .exec_id = "e1", .pid = 12});
  EXPECT_TRUE(store.remove("r"));
  EXPECT_FALSE(store.find("r").has_value());
  EXPECT_TRUE(store.list_execs("r").empty());
  EXPECT_EQ(query_int(store, "SELECT count(*) FROM execs WHERE container_id = 'r'"), 0);
  EXPECT_EQ(store.list_execs("other").size(), 1u);
  EXPECT_FALSE(store.remove("r"));
  // The id is free again.
  store.insert(created("r", 3));
  EXPECT_TRUE(store.list_execs("r").empty());
}

TEST(StateStore, ExecRecordsInsertListFinish) {
  TempRoot t;
  Store store = Store::open(t.root());
  store.insert(created("c", 1));
  ExecRecord a{.container_id = "c",
               .exec_id = "b-exec",
               .pid = 100,
               .pid_start_time = 1000,
               .started_at = 50,
               .status = Status::running};
  ExecRecord b{.container_id = "c", .exec_id = "a-exec", .pid = 101, .started_at = 60};
  store.insert_exec(b);
  store.insert_exec(a);

  auto execs = store.list_execs("c");
  ASSERT_EQ(execs.size(), 2u);
  EXPECT_EQ(execs[0].exec_id, "b-exec");  // by started_at, then exec id
  EXPECT_EQ(execs[0].container_id, "c");
  EXPECT_EQ(execs[0].pid, 100);
  EXPECT_EQ(execs[0].pid_start_time, 1000u);
  EXPECT_EQ(execs[0].started_at, 50);
  EXPECT_EQ(execs[0].status, Status::running);
  EXPECT_FALSE(execs[0].exit_code.has_value());
  EXPECT_EQ(execs[0].finished_at, 0);
  EXPECT_EQ(execs[1].exec_id, "a-exec");
  EXPECT_EQ(execs[1].status, Status::created);

  EXPECT_TRUE(store.finish_exec("c", "b-exec", 7, 99));
  EXPECT_FALSE(store.finish_exec("c", "missing", 7, 99));
  EXPECT_FALSE(store.finish_exec("nope", "b-exec", 7, 99));
  execs = store.list_execs("c");
  EXPECT_EQ(execs[0].status, Status::stopped);
  EXPECT_EQ(execs[0].exit_code, 7);
  EXPECT_EQ(execs[0].finished_at, 99);
  EXPECT_EQ(execs[1].status, Status::created);  // the other one untouched
}

TEST(StateStore, ExecInsertErrors) {
  TempRoot t;
  Store store = Store::open(t.root());
  store.insert(created("c", 1));
  store.insert_exec({.container_id = "c", .exec_id = "e"});
  EXPECT_THROW(store.insert_exec({.container_id = "c", .exec_id = "e"}), AlreadyExists);
  EXPECT_THROW(store.insert_exec({.container_id = "ghost", .exec_id = "e"}), NotFound);
  EXPECT_TRUE(store.list_execs("ghost").empty());
}

// Closing neither checkpoints nor deletes the WAL (both cost fsyncs on every CLI call): the
// commits stay in it, and the next connection reads them back.
TEST(StateStore, CommitsStayInTheWalWhenTheConnectionCloses) {
  TempRoot t;
  Store::open(t.root()).insert(full_record("kept"));
  struct stat st {};
  ASSERT_EQ(::stat((t.db_path() + "-wal").c_str(), &st), 0);
  EXPECT_GT(st.st_size, 0);
  expect_same(Store::open(t.root()).get("kept"), full_record("kept"));
}

// Commits checkpoint as they go, so the WAL (read back by every open) stays short.
TEST(StateStore, TheWalStaysBoundedAcrossManyShortConnections) {
  TempRoot t;
  for (int i = 0; i < 300; ++i) {
    Store store = Store::open(t.root());
    store.insert(full_record("c" + std::to_string(i)));
    if (i % 2) store.remove("c" + std::to_string(i - 1));
  }
  struct stat st {};
  ASSERT_EQ(::stat((t.db_path() + "-wal").c_str(), &st), 0);
  EXPECT_LT(st.st_size, 2 << 20);  // sqlite's default (1000 pages) would let it pass 4 MiB
  EXPECT_EQ(Store::open(t.root()).list().size(), 150u);
}

TEST(StateStore, StoreIsMovable) {
  TempRoot t1, t2;
  Store a = Store::open(t1.root());
  a.insert(created("in-a", 1));
  Store b(std::move(a));
  EXPECT_EQ(b.get("in-a").id, "in-a");
  Store c = Store::open(t2.root());
  c = std::move(b);  // closes t2's db, takes t1's
  EXPECT_EQ(c.get("in-a").id, "in-a");
  c.insert(created("more", 2));
  EXPECT_EQ(c.list().size(), 2u);
}

TEST(StateStoreConcurrency, ProcessesOpeningAFreshRootAllSucceed) {
  TempRoot t;
  auto codes = race(16, [&](int) { return child_outcome(t.root(), [](Store&) { return true; }); });
  EXPECT_EQ(std::count(codes.begin(), codes.end(), kOk), 16);
  Store store = Store::open(t.root());
  EXPECT_EQ(query_int(store, "PRAGMA user_version"), Store::schema_version());
}

TEST(StateStoreConcurrency, TwentyProcessesInsertDistinctIds) {
  TempRoot t;
  constexpr int kN = 20;
  auto codes = race(kN, [&](int i) {
    return child_outcome(t.root(), [i](Store& s) {
      s.insert(created("c" + std::to_string(i), i));
      return true;
    });
  });
  EXPECT_EQ(std::count(codes.begin(), codes.end(), kOk), kN);
  Store store = Store::open(t.root());
  auto rows = store.list();
  ASSERT_EQ(rows.size(), static_cast<size_t>(kN));
  for (int i = 0; i < kN; ++i) EXPECT_EQ(rows[i].id, "c" + std::to_string(i));
}

TEST(StateStoreConcurrency, ProcessesRacingOneIdExactlyOneWins) {
  TempRoot t;
  Store::open(t.root());  // this race is about the row, not the schema
  constexpr int kN = 8;
  auto codes = race(kN, [&](int i) {
    return child_outcome(t.root(), [i](Store& s) {
      ContainerRecord rec = created("same", i);
      rec.owner = "child" + std::to_string(i);
      s.insert(rec);
      return true;
    });
  });
  EXPECT_EQ(std::count(codes.begin(), codes.end(), kOk), 1);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), kAlreadyExists), kN - 1);
  Store store = Store::open(t.root());
  ASSERT_EQ(store.list().size(), 1u);
  int winner = static_cast<int>(std::find(codes.begin(), codes.end(), kOk) - codes.begin());
  EXPECT_EQ(store.get("same").owner, "child" + std::to_string(winner));
}

TEST(StateStoreConcurrency, ProcessesRacingATransitionExactlyOneWins) {
  TempRoot t;
  Store::open(t.root()).insert(created("cas", 1));  // closed again before forking
  constexpr int kN = 12;
  auto codes = race(kN, [&](int i) {
    return child_outcome(t.root(), [i](Store& s) {
      return s.transition("cas", {Status::created}, Status::running, Update{.pid = 1000 + i});
    });
  });
  EXPECT_EQ(std::count(codes.begin(), codes.end(), kOk), 1);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), kFalse), kN - 1);
  int winner = static_cast<int>(std::find(codes.begin(), codes.end(), kOk) - codes.begin());
  ContainerRecord rec = Store::open(t.root()).get("cas");
  EXPECT_EQ(rec.status, Status::running);
  EXPECT_EQ(rec.pid, 1000 + winner);
}

}  // namespace
}  // namespace engine::state
