#include "state/store.hpp"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <set>
#include <utility>

#include "state/schema.hpp"
#include "state/sqlite.hpp"

namespace engine::state {

const char* to_string(Status s) {
  switch (s) {
    case Status::creating: return "creating";
    case Status::created: return "created";
    case Status::running: return "running";
    case Status::paused: return "paused";
    case Status::stopped: return "stopped";
  }
  return "unknown";
}

std::optional<Status> status_from_string(const std::string& s) {
  for (Status st : {Status::creating, Status::created, Status::running, Status::paused,
                    Status::stopped})
    if (s == to_string(st)) return st;
  return std::nullopt;
}

namespace {

// Column order shared by the INSERT binding and the SELECT reading of a container row.
#define ENGINE_CONTAINER_COLUMNS                                                              \
  "id, bundle, rootfs, status, pid, pid_start_time, creator_pid, creator_start_time, "       \
  "created_at, started_at, finished_at, exit_code, config_digest, terminal_provider, "       \
  "log_driver, annotations_json, owner, runtime_json, pid_inode"
#define ENGINE_EXEC_COLUMNS \
  "container_id, exec_id, pid, pid_start_time, started_at, status, exit_code, finished_at"

// Update fields are ?2..?8: NULL (unset) keeps the column as it is.
#define ENGINE_UPDATE_SET                                                                    \
  "pid = COALESCE(?2, pid), pid_start_time = COALESCE(?3, pid_start_time), "                 \
  "started_at = COALESCE(?4, started_at), finished_at = COALESCE(?5, finished_at), "         \
  "exit_code = COALESCE(?6, exit_code), runtime_json = COALESCE(?7, runtime_json), "         \
  "pid_inode = COALESCE(?8, pid_inode)"

constexpr int kStatusCount = 5;
constexpr int kStatusSlot = 9;  // transition's new status, after the Update's ?2..?8
constexpr int kBusyTimeoutMs = 10000;
// WAL pages after which a commit checkpoints into state.db (sqlite's default is 1000). Every
// open reads the live WAL back (the wal-index is rebuilt when no other connection has it
// open), so a short WAL keeps each invocation cheap; a foreground run writes about 8 pages.
constexpr int kCheckpointPages = 128;

// Switching a fresh db to WAL upgrades a read lock to a write lock; sqlite returns
// SQLITE_BUSY for that without calling the busy handler (waiting could deadlock), so
// processes opening a fresh root together retry here, within the same timeout.
void enable_wal(sqlite3* db) {
  constexpr int kStepMs = 5;
  for (int waited = 0;; waited += kStepMs) {
    int rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return;
    if ((rc & 0xff) != SQLITE_BUSY || waited >= kBusyTimeoutMs) sql::fail(db, "enable WAL");
    sqlite3_sleep(kStepMs);
  }
}

// The wal-index (state.db-shm) is mapped shared in every process that has the db open, and a
// fork inherits the mapping: a created container's init is a fork of `engine create` that keeps
// it until `start` execs the program. Each engine command is the first connection, so sqlite
// truncates state.db-shm, and the kernel unmaps it from every such init (1000 created containers
// made `ps` 2 ms slower). Nothing forked uses this connection (sqlite forbids it), so forks do
// not get the mapping. Only regions mapped by now: region 0 holds a WAL of 4000 pages, and the
// WAL is checkpointed at kCheckpointPages.
void keep_wal_index_from_forks(sqlite3* db) {
  constexpr int kRegionSize = 32768;  // sqlite's wal-index region
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || !file ||
      !file->pMethods || file->pMethods->iVersion < 2)
    return;
  for (int region = 0;; ++region) {
    volatile void* mapped = nullptr;  // bExtend 0: only what is mapped already, no new region
    if (file->pMethods->xShmMap(file, region, kRegionSize, 0, &mapped) != SQLITE_OK || !mapped) return;
    ::madvise(const_cast<void*>(mapped), kRegionSize, MADV_DONTFORK);
  }
}

// mkdir -p with 0700 for every directory it creates; existing ones are left alone.
void make_private_dirs(const std::string& path) {
  if (path.empty()) throw StateError("state.db: empty state root");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return;  // every call but the first
  for (size_t pos = path.find('/', 1);; pos = path.find('/', pos + 1)) {
    std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      throw StateError("state.db: create directory " + prefix + ": " + strerror(errno));
    if (pos == std::string::npos) break;
  }
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw StateError("state.db: state root " + path + " is not a directory");
}

Status status_column(const sql::Run& run, int col) {
  std::string text = run.text_at(col);
  auto s = status_from_string(text);
  if (!s) throw StateError("state.db: unknown status '" + text + "'");
  return *s;
}

std::optional<int> optional_int(const sql::Run& run, int col) {
  if (run.null_at(col)) return std::nullopt;
  return static_cast<int>(run.int_at(col));
}

// uint64 values (start times) are stored bit-for-bit in sqlite's signed 64-bit integer.
void bind_record(sql::Run& run, const ContainerRecord& r) {
  run.bind(1, r.id);
  run.bind(2, r.bundle);
  run.bind(3, r.rootfs);
  run.bind(4, std::string(to_string(r.status)));
  run.bind(5, int64_t{r.pid});
  run.bind(6, static_cast<int64_t>(r.pid_start_time));
  run.bind(7, int64_t{r.creator_pid});
  run.bind(8, static_cast<int64_t>(r.creator_start_time));
  run.bind(9, r.created_at);
  run.bind(10, r.started_at);
  run.bind(11, r.finished_at);
  run.bind(12, r.exit_code);
  run.bind(13, r.config_digest);
  run.bind(14, r.terminal_provider);
  run.bind(15, r.log_driver);
  run.bind(16, r.annotations_json);
  run.bind(17, r.owner);
  run.bind(18, r.runtime_json);
  run.bind(19, static_cast<int64_t>(r.pid_inode));
}

ContainerRecord read_record(const sql::Run& run) {
  ContainerRecord r;
  r.id = run.text_at(0);
  r.bundle = run.text_at(1);
  r.rootfs = run.text_at(2);
  r.status = status_column(run, 3);
  r.pid = static_cast<pid_t>(run.int_at(4));
  r.pid_start_time = static_cast<uint64_t>(run.int_at(5));
  r.creator_pid = static_cast<pid_t>(run.int_at(6));
  r.creator_start_time = static_cast<uint64_t>(run.int_at(7));
  r.created_at = run.int_at(8);
  r.started_at = run.int_at(9);
  r.finished_at = run.int_at(10);
  r.exit_code = optional_int(run, 11);
  r.config_digest = run.text_at(12);
  r.terminal_provider = run.text_at(13);
  r.log_driver = run.text_at(14);
  r.annotations_json = run.text_at(15);
  r.owner = run.text_at(16);
  r.runtime_json = run.text_at(17);
  r.pid_inode = static_cast<uint64_t>(run.int_at(18));
  return r;
}

void bind_exec(sql::Run& run, const ExecRecord& r) {
  run.bind(1, r.container_id);
  run.bind(2, r.exec_id);
  run.bind(3, int64_t{r.pid});
  run.bind(4, static_cast<int64_t>(r.pid_start_time));
  run.bind(5, r.started_at);
  run.bind(6, std::string(to_string(r.status)));
  run.bind(7, r.exit_code);
  run.bind(8, r.finished_at);
}

ExecRecord read_exec(const sql::Run& run) {
  ExecRecord r;
  r.container_id = run.text_at(0);
  r.exec_id = run.text_at(1);
  r.pid = static_cast<pid_t>(run.int_at(2));
  r.pid_start_time = static_cast<uint64_t>(run.int_at(3));
  r.started_at = run.int_at(4);
  r.status = status_column(run, 5);
  r.exit_code = optional_int(run, 6);
  r.finished_at = run.int_at(7);
  return r;
}

// Binds an Update's fields to ?2..?8 (see ENGINE_UPDATE_SET).
void bind_update(sql::Run& run, const Update& u) {
  run.bind(2, u.pid);
  run.bind(3, u.pid_start_time);
  run.bind(4, u.started_at);
  run.bind(5, u.finished_at);
  run.bind(6, u.exit_code);
  run.bind(7, u.runtime_json);
  run.bind(8, u.pid_inode);
}

// Steps a write statement and returns how many rows it changed.
int write_rows(sql::Run& run, sqlite3* db) {
  run.step();
  return sqlite3_changes(db);
}

[[noreturn]] void throw_not_found(const std::string& id) {
  throw NotFound("container " + id + " does not exist");
}

}  // namespace

// Every statement the store runs, each prepared on first use and kept for the
// connection's lifetime (a CLI invocation uses a few; a daemon reuses them all).
struct Store::Statements {
  sql::TxStatements tx;
  sql::Stmt insert{"INSERT INTO containers (" ENGINE_CONTAINER_COLUMNS ") VALUES "
                   "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                   "?17, ?18, ?19)"};
  sql::Stmt select_one{"SELECT " ENGINE_CONTAINER_COLUMNS " FROM containers WHERE id = ?1"};
  sql::Stmt select_all{"SELECT " ENGINE_CONTAINER_COLUMNS
                       " FROM containers ORDER BY created_at, id"};
  // The compare-and-set: ?9 is the new status, ?10..?14 the allowed current ones
  // (unused slots are NULL, which never matches).
  sql::Stmt transition{"UPDATE containers SET status = ?9, " ENGINE_UPDATE_SET
                       " WHERE id = ?1 AND status IN (?10, ?11, ?12, ?13, ?14)"};
  sql::Stmt update{"UPDATE containers SET " ENGINE_UPDATE_SET " WHERE id = ?1"};
  sql::Stmt remove{"DELETE FROM containers WHERE id = ?1"};  // execs go by ON DELETE CASCADE
  sql::Stmt insert_exec{"INSERT INTO execs (" ENGINE_EXEC_COLUMNS ") VALUES "
                        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"};
  sql::Stmt finish_exec{"UPDATE execs SET status = 'stopped', exit_code = ?3, finished_at = ?4 "
                        "WHERE container_id = ?1 AND exec_id = ?2"};
  sql::Stmt list_execs{"SELECT " ENGINE_EXEC_COLUMNS
                       " FROM execs WHERE container_id = ?1 ORDER BY started_at, exec_id"};
};

Store::Store(sqlite3* db) : db_(db), stmts_(std::make_unique<Statements>()) {}

Store::Store(Store&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmts_(std::move(other.stmts_)) {}

Store& Store::operator=(Store&& other) noexcept {
  if (this != &other) {
    Store old(std::move(*this));  // closes our current db on scope exit
    db_ = std::exchange(other.db_, nullptr);
    stmts_ = std::move(other.stmts_);
  }
  return *this;
}

Store::~Store() {
  stmts_.reset();  // statements must be finalized before the connection can close
  if (db_) sqlite3_close(db_);
}

namespace {

// Before sqlite initialises (the first open). Its defaults suit a long-lived connection: a
// lookaside arena of 120 KiB and 20 cache pages, each written through when the connection
// opens. A CLI call runs a handful of statements on a few pages: both only cost resident
// memory (measured: the engine's heap 312 -> 156 KiB resident).
void size_memory_for_short_connections() {
  // Once per process, and thread-safe (sqlite3_config is not): tests open stores from threads.
  [[maybe_unused]] static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0);
    sqlite3_config(SQLITE_CONFIG_PAGECACHE, nullptr, 0, 0);
    return true;
  }();
}

}  // namespace

int Store::schema_version() { return schema::current_version(); }

Store Store::open(const std::string& root_dir) {
  size_memory_for_short_connections();
  make_private_dirs(root_dir);
  std::string path = root_dir + "/state.db";
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                               SQLITE_OPEN_EXRESCODE,
                           nullptr);
  Store store(db);  // owns db from here, even if open failed
  if (rc != SQLITE_OK) sql::fail(db, "open " + path);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);  // writers queue instead of failing
  // Each CLI call is a short-lived connection. By default the last one to close checkpoints
  // (two fsyncs) and deletes the WAL, and the next one recreates it (two more fsyncs, one of
  // the directory). Keep the WAL instead and let commits checkpoint every kCheckpointPages:
  // WAL with synchronous=NORMAL never syncs a commit, only checkpoints. A commit is in the
  // WAL before COMMIT returns, so it survives the process crashing at any point; a power
  // loss may drop the last commits but never corrupts the db (and takes the containers too).
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  int persist_wal = 1;
  sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist_wal);
  enable_wal(db);  // a no-op once the db is WAL (the mode is persistent)
  sql::exec(db,
            ("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = " +
             std::to_string(kCheckpointPages))
                .c_str(),
            "configure");
  schema::migrate(db);  // a read: the wal-index is mapped from here on
  keep_wal_index_from_forks(db);
  return store;
}

void Store::insert(const ContainerRecord& rec) {
  sql::Transaction tx(db_, stmts_->tx, "insert");
  {
    sql::Run run(stmts_->insert.prepared(db_), "insert");
    bind_record(run, rec);
    int rc = run.step_code();
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
      throw AlreadyExists("container with id " + rec.id + " already exists");
    if (rc != SQLITE_DONE) run.fail();
  }
  tx.commit();
}

ContainerRecord Store::get(const std::string& id) {
  auto rec = find(id);
  if (!rec) throw_not_found(id);
  return std::move(*rec);
}

std::optional<ContainerRecord> Store::find(const std::string& id) {
  sql::Run run(stmts_->select_one.prepared(db_), "get");
  run.bind(1, id);
  if (!run.step()) return std::nullopt;
  return read_record(run);
}

std::vector<ContainerRecord> Store::list() {
  std::vector<ContainerRecord> out;
  sql::Run run(stmts_->select_all.prepared(db_), "list");
  while (run.step()) out.push_back(read_record(run));
  return out;
}

bool Store::transition(const std::string& id, std::initializer_list<Status> from, Status to,
                       const Update& update) {
  std::set<Status> allowed(from);  // at most kStatusCount distinct values
  sql::Transaction tx(db_, stmts_->tx, "transition");
  int changed;
  {
    sql::Run run(stmts_->transition.prepared(db_), "transition");
    run.bind(1, id);
    bind_update(run, update);
    run.bind(kStatusSlot, std::string(to_string(to)));
    int slot = kStatusSlot + 1;
    for (Status s : allowed) run.bind(slot++, std::string(to_string(s)));
    for (; slot <= kStatusSlot + kStatusCount; ++slot) run.bind_null(slot);
    changed = write_rows(run, db_);
  }
  tx.commit();
  return changed > 0;
}

void Store::update(const std::string& id, const Update& update) {
  sql::Transaction tx(db_, stmts_->tx, "update");
  int changed;
  {
    sql::Run run(stmts_->update.prepared(db_), "update");
    run.bind(1, id);
    bind_update(run, update);
    changed = write_rows(run, db_);
  }
  if (changed == 0) throw_not_found(id);  // tx rolls back; nothing was written anyway
  tx.commit();
}

bool Store::remove(const std::string& id) {
  sql::Transaction tx(db_, stmts_->tx, "remove");
  int changed;
  {
    sql::Run run(stmts_->remove.prepared(db_), "remove");
    run.bind(1, id);
    changed = write_rows(run, db_);
  }
  tx.commit();
  return changed > 0;
}

void Store::insert_exec(const ExecRecord& rec) {
  sql::Transaction tx(db_, stmts_->tx, "insert exec");
  {
    sql::Run run(stmts_->insert_exec.prepared(db_), "insert exec");
    bind_exec(run, rec);
    int rc = run.step_code();
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
      throw AlreadyExists("exec " + rec.exec_id + " already exists in container " +
                          rec.container_id);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) throw_not_found(rec.container_id);
    if (rc != SQLITE_DONE) run.fail();
  }
  tx.commit();
}

bool Store::finish_exec(const std::string& container_id, const std::string& exec_id,
                        int exit_code, TimeNs finished_at) {
  sql::Transaction tx(db_, stmts_->tx, "finish exec");
  int changed;
  {
    sql::Run run(stmts_->finish_exec.prepared(db_), "finish exec");
    run.bind(1, container_id);
    run.bind(2, exec_id);
    run.bind(3, int64_t{exit_code});
    run.bind(4, finished_at);
    changed = write_rows(run, db_);
  }
  tx.commit();
  return changed > 0;
}

std::vector<ExecRecord> Store::list_execs(const std::string& container_id) {
  std::vector<ExecRecord> out;
  sql::Run run(stmts_->list_execs.prepared(db_), "list execs");
  run.bind(1, container_id);
  while (run.step()) out.push_back(read_exec(run));
  return out;
}

}  // namespace engine::state
