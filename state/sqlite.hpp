#pragma once
// A thin RAII layer over the sqlite C API: cached prepared statements, one-shot
// executions that always reset, and IMMEDIATE transactions that roll back unless committed.
#include <sqlite3.h>

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace engine::state::sql {

// Throws StateError "state.db: OP: <sqlite3_errmsg>".
[[noreturn]] void fail(sqlite3* db, std::string_view op);
// Runs SQL that returns no rows we care about (pragmas, DDL).
void exec(sqlite3* db, const char* sql, std::string_view op);

// A statement prepared on first use and finalized on destruction.
class Stmt {
 public:
  explicit Stmt(const char* sql) : sql_(sql) {}
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  sqlite3_stmt* prepared(sqlite3* db);

 private:
  const char* sql_;
  sqlite3_stmt* stmt_ = nullptr;
};

// One execution of a prepared statement. The destructor resets it, so no read
// snapshot or lock outlives the call and the statement is ready for reuse.
class Run {
 public:
  Run(sqlite3_stmt* stmt, std::string_view op) : stmt_(stmt), op_(op) {}
  ~Run() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  void bind(int i, int64_t v);
  void bind(int i, const std::string& v);
  void bind_null(int i);
  void bind(int i, const std::optional<std::string>& v) { v ? bind(i, *v) : bind_null(i); }
  template <std::integral T>
  void bind(int i, const std::optional<T>& v) {
    v ? bind(i, static_cast<int64_t>(*v)) : bind_null(i);
  }

  // True when a row is ready, false when done; any error throws StateError.
  bool step();
  // The raw result code (extended), for callers that map constraint violations.
  int step_code() { return sqlite3_step(stmt_); }
  [[noreturn]] void fail() const;

  int64_t int_at(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool null_at(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text_at(int col) const;

 private:
  sqlite3_stmt* stmt_;
  std::string_view op_;
};

// The statements a transaction needs, kept by the owner so they are prepared once.
struct TxStatements {
  Stmt begin{"BEGIN IMMEDIATE"};
  Stmt commit{"COMMIT"};
  Stmt rollback{"ROLLBACK"};
};

// BEGIN IMMEDIATE takes the write lock up front: concurrent writers wait on the
// busy timeout instead of failing a read-to-write lock upgrade (SQLITE_BUSY deadlock).
class Transaction {
 public:
  Transaction(sqlite3* db, TxStatements& s, std::string_view op);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  sqlite3* db_;
  TxStatements& s_;
  std::string_view op_;
  bool done_ = false;
};

}  // namespace engine::state::sql
