#include "state/sqlite.hpp"

#include "state/store.hpp"

namespace engine::state::sql {

void fail(sqlite3* db, std::string_view op) {
  // sqlite3_errmsg(nullptr) is "out of memory", which is what a null handle means.
  throw StateError("state.db: " + std::string(op) + ": " + sqlite3_errmsg(db));
}

void exec(sqlite3* db, const char* sql, std::string_view op) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, op);
}

sqlite3_stmt* Stmt::prepared(sqlite3* db) {
  if (!stmt_ &&
      sqlite3_prepare_v3(db, sql_, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
    fail(db, "prepare");
  return stmt_;
}

void Run::bind(int i, int64_t v) {
  if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) fail();
}

void Run::bind(int i, const std::string& v) {
  if (sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK)
    fail();
}

void Run::bind_null(int i) {
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) fail();
}

bool Run::step() {
  int rc = step_code();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail();
}

void Run::fail() const { sql::fail(sqlite3_db_handle(stmt_), op_); }

std::string Run::text_at(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}

Transaction::Transaction(sqlite3* db, TxStatements& s, std::string_view op)
    : db_(db), s_(s), op_(op) {
  Run(s_.begin.prepared(db_), op_).step();
}

Transaction::~Transaction() {
  // sqlite may already have rolled back on its own (e.g. I/O error): only roll back a live one.
  if (!done_ && !sqlite3_get_autocommit(db_)) {
    try {
      Run(s_.rollback.prepared(db_), op_).step();
    } catch (...) {
    }
  }
}

void Transaction::commit() {
  Run(s_.commit.prepared(db_), op_).step();
  done_ = true;
}

}  // namespace engine::state::sql
