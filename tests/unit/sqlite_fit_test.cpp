// The sqlite the CLI links (state/sqlite_fit/): this test is linked the same way (the fit object
// before Debian's libsqlite3.a, sqlite's libm references wrapped), so what it checks is what
// the engine carries.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

namespace {

struct Db {
  Db() { EXPECT_EQ(sqlite3_open(":memory:", &handle), SQLITE_OK); }
  ~Db() { sqlite3_close(handle); }
  sqlite3* handle = nullptr;

  // The first column of the one row SQL returns, as a double.
  double number(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW) << sql;
    double value = sqlite3_column_double(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
  }

  // sqlite's error message for SQL, or "" when it succeeds.
  std::string error_of(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return "";
    std::string text = message != nullptr ? message : "(no message)";
    sqlite3_free(message);
    return text;
  }
};

TEST(SqliteFit, MathFunctionsGiveLibmsResults) {
  Db db;
  EXPECT_DOUBLE_EQ(db.number("SELECT sin(0.5)"), std::sin(0.5));
  EXPECT_DOUBLE_EQ(db.number("SELECT cos(0.5)"), std::cos(0.5));
  EXPECT_DOUBLE_EQ(db.number("SELECT tan(0.5)"), std::tan(0.5));
  EXPECT_DOUBLE_EQ(db.number("SELECT asin(0.5)"), std::asin(0.5));
  EXPECT_DOUBLE_EQ(db.number("SELECT acos(0.5)"), std::acos(0.5));
  EXPECT_DOUBLE_EQ(db.number("SELECT atan(0.5)"), std::atan(0.5));
  EXPECT_DOUBLE_EQ(db.number("SELECT sinh(0.5)"), std::sinh(0.5));
  EXPECT_DOUBLE_EQ(db.number("SELECT cosh(0.5)"), std::cosh(0.5));
  EXPECT_DOUBLE_EQ(db.number("SELECT tanh(0.5)"), std::tanh(0.5));
  EXPECT_DOUBLE_EQ(db.number("SELECT asinh(0.5)"), std::asinh(0.5));
  EXPECT_DOUBLE_EQ(db.number("SELECT acosh(1.5)"), std::acosh(1.5));
  EXPECT_DOUBLE_EQ(db.number("SELECT atanh(0.5)"), std::atanh(0.5));
  EXPECT_DOUBLE_EQ(db.number("SELECT exp(1.5)"), std::exp(1.5));
  EXPECT_DOUBLE_EQ(db.number("SELECT ln(10)"), std::log(10.0));
  EXPECT_DOUBLE_EQ(db.number("SELECT sqrt(2)"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(db.number("SELECT trunc(-2.7)"), -2.0);
  EXPECT_DOUBLE_EQ(db.number("SELECT atan2(1, 2)"), std::atan2(1.0, 2.0));
  EXPECT_DOUBLE_EQ(db.number("SELECT mod(7.5, 2)"), std::fmod(7.5, 2.0));
  EXPECT_DOUBLE_EQ(db.number("SELECT pow(2, 10)"), 1024.0);
}

TEST(SqliteFit, FullTextAndRtreeAreLeftOut) {
  Db db;
  EXPECT_EQ(db.error_of("CREATE VIRTUAL TABLE a USING fts5(x)"), "no such module: fts5");
  EXPECT_EQ(db.error_of("CREATE VIRTUAL TABLE b USING fts4(x)"), "no such module: fts4");
  EXPECT_EQ(db.error_of("CREATE VIRTUAL TABLE c USING rtree(id, x0, x1)"), "no such module: rtree");
}

TEST(SqliteFit, WhatTheEngineUsesStillWorks) {
  Db db;
  EXPECT_EQ(db.error_of("CREATE TABLE t (id TEXT PRIMARY KEY, doc TEXT) STRICT; "
                        "INSERT INTO t VALUES ('a', '{\"pid\": 7}')"),
            "");
  EXPECT_DOUBLE_EQ(db.number("SELECT json_extract(doc, '$.pid') FROM t WHERE id = 'a'"), 7.0);
}

// The CLI needs libc only: libm (and its IFUNC resolvers) would cost ~0.34 MiB at every start.
// LD_TRACE_LOADED_OBJECTS makes the loader list what it maps and stop, as ldd does.
TEST(SqliteFit, TheCliMapsNoLibm) {
  std::unique_ptr<FILE, int (*)(FILE*)> out(
      popen("LD_TRACE_LOADED_OBJECTS=1 " ENGINE_BINARY " 2>&1", "r"), pclose);
  ASSERT_NE(out, nullptr);
  std::string listing;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, out.get()) != nullptr) listing += buffer;
  EXPECT_NE(listing.find("libc.so.6"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("libm.so"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("libstdc++"), std::string::npos) << listing;
}

}  // namespace
