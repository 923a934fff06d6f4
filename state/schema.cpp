#include "state/schema.hpp"

#include <iterator>
#include <string>

#include "state/sqlite.hpp"
#include "state/store.hpp"

namespace engine::state::schema {
namespace {

// Migration i (0-based) takes the schema from version i to i + 1. Append only:
// a released step never changes, since dbs in the field already ran it.
constexpr const char* kMigrations[] = {
    // 1: containers and their exec sessions.
    R"sql(
CREATE TABLE containers (
  id                 TEXT    NOT NULL PRIMARY KEY,
  bundle             TEXT    NOT NULL,
  rootfs             TEXT    NOT NULL,
  status             TEXT    NOT NULL
                     CHECK (status IN ('creating', 'created', 'running', 'paused', 'stopped')),
  pid                INTEGER NOT NULL DEFAULT 0,
  pid_start_time     INTEGER NOT NULL DEFAULT 0,
  creator_pid        INTEGER NOT NULL DEFAULT 0,
  creator_start_time INTEGER NOT NULL DEFAULT 0,
  created_at         INTEGER NOT NULL DEFAULT 0,
  started_at         INTEGER NOT NULL DEFAULT 0,
  finished_at        INTEGER NOT NULL DEFAULT 0,
  exit_code          INTEGER,
  config_digest      TEXT    NOT NULL DEFAULT '',
  terminal_provider  TEXT    NOT NULL DEFAULT '',
  log_driver         TEXT    NOT NULL DEFAULT '',
  annotations_json   TEXT    NOT NULL DEFAULT '{}',
  owner              TEXT    NOT NULL DEFAULT '',
  runtime_json       TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX containers_by_created ON containers (created_at, id);
CREATE TABLE execs (
  container_id   TEXT    NOT NULL REFERENCES containers (id) ON DELETE CASCADE,
  exec_id        TEXT    NOT NULL,
  pid            INTEGER NOT NULL DEFAULT 0,
  pid_start_time INTEGER NOT NULL DEFAULT 0,
  started_at     INTEGER NOT NULL DEFAULT 0,
  status         TEXT    NOT NULL
                 CHECK (status IN ('creating', 'created', 'running', 'paused', 'stopped')),
  exit_code      INTEGER,
  finished_at    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (container_id, exec_id)
);
)sql",
    // 2: the init's pidfs inode (kernel 6.9+), which tells a reused pid apart in one fstat;
    // 0 (every row from before) keeps the start-time check.
    R"sql(
ALTER TABLE containers ADD COLUMN pid_inode INTEGER NOT NULL DEFAULT 0;
)sql",
};

int read_version(sqlite3* db) {
  sql::Stmt stmt("PRAGMA user_version");
  sql::Run run(stmt.prepared(db), "read schema version");
  return run.step() ? static_cast<int>(run.int_at(0)) : 0;
}

void refuse_newer(int version) {
  if (version > current_version())
    throw StateError("state.db: schema version " + std::to_string(version) +
                     " is newer than this engine (" + std::to_string(current_version()) + ")");
}

// Runs migration step `to` (1-based) and records it, inside the caller's transaction.
void apply(sqlite3* db, int to) {
  std::string op = "migrate to schema version " + std::to_string(to);
  sql::exec(db, kMigrations[to - 1], op);
  sql::exec(db, ("PRAGMA user_version = " + std::to_string(to)).c_str(), op);
}

}  // namespace

int current_version() { return static_cast<int>(std::size(kMigrations)); }

void migrate(sqlite3* db) {
  int version = read_version(db);
  refuse_newer(version);
  if (version == current_version()) return;  // the hot path: no write lock taken

  sql::TxStatements tx_statements;
  while (true) {
    sql::Transaction tx(db, tx_statements, "migrate");
    // Re-read under the write lock: another process may have migrated meanwhile.
    version = read_version(db);
    refuse_newer(version);
    if (version == current_version()) return;  // tx rolls back: nothing was written
    apply(db, version + 1);
    tx.commit();
  }
}

}  // namespace engine::state::schema
