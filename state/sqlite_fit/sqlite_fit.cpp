// The sqlite the engine CLI links (Debian's libsqlite3.a) fitted to a program that opens one
// small database for a few milliseconds. Linked into the CLI only (state/CMakeLists.txt); the
// tests' own sqlite stays whole, and tests/unit/sqlite_fit_test.cpp checks this one.
//
// Why: a short-lived process pays in resident memory for every 64 KiB window of code it
// touches (the kernel maps file pages around each fault), and sqlite cannot be rebuilt with
// per-function sections here, so whatever runs at open drags in whole object files.
#include <dlfcn.h>
#include <sqlite3.h>

// Full-text search (FTS3/4, FTS5) and R*Tree are compiled into Debian's sqlite as built-in
// extensions whose init runs at every sqlite3_open: ~250 KiB of code made resident for tables
// the engine never creates. Defining their init hooks here (main.o is their only caller) keeps
// those object files out of the link, as SQLITE_OMIT would; `USING fts5` then fails with
// "no such module".
extern "C" {
int sqlite3Fts3Init(sqlite3*) { return SQLITE_OK; }
int sqlite3Fts5Init(sqlite3*) { return SQLITE_OK; }
int sqlite3RtreeInit(sqlite3*) { return SQLITE_OK; }
}

// sqlite's SQL math functions (sin(), pow(), ...) are the CLI's only use of libm, and they take
// the functions' addresses, so the loader would map libm and run its IFUNC resolvers at every
// start (~0.34 MiB resident). The link wraps those references (--wrap=sin, ...: the list is
// ENGINE_LIBM_WRAPPED in state/CMakeLists.txt) to the functions below, which find libm on the
// first call: the results are libm's, and a CLI that never calls them never loads it.
namespace {

void* libm_function(const char* name) {
  static void* const libm = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
  return libm != nullptr ? dlsym(libm, name) : nullptr;
}

template <typename Fn>
Fn* resolve(const char* name) {
  return reinterpret_cast<Fn*>(libm_function(name));
}

}  // namespace

#define ENGINE_LAZY_LIBM_1(name)                                                   \
  extern "C" double __wrap_##name(double x) {                                      \
    static auto* const real = resolve<double(double)>(#name);                      \
    return real != nullptr ? real(x) : __builtin_nan("");                          \
  }
#define ENGINE_LAZY_LIBM_2(name)                                                   \
  extern "C" double __wrap_##name(double x, double y) {                            \
    static auto* const real = resolve<double(double, double)>(#name);              \
    return real != nullptr ? real(x, y) : __builtin_nan("");                       \
  }

ENGINE_LAZY_LIBM_1(acos)
ENGINE_LAZY_LIBM_1(acosh)
ENGINE_LAZY_LIBM_1(asin)
ENGINE_LAZY_LIBM_1(asinh)
ENGINE_LAZY_LIBM_1(atan)
ENGINE_LAZY_LIBM_1(atanh)
ENGINE_LAZY_LIBM_1(cos)
ENGINE_LAZY_LIBM_1(cosh)
ENGINE_LAZY_LIBM_1(exp)
ENGINE_LAZY_LIBM_1(log)
ENGINE_LAZY_LIBM_1(sin)
ENGINE_LAZY_LIBM_1(sinh)
ENGINE_LAZY_LIBM_1(sqrt)
ENGINE_LAZY_LIBM_1(tan)
ENGINE_LAZY_LIBM_1(tanh)
ENGINE_LAZY_LIBM_1(trunc)
ENGINE_LAZY_LIBM_2(atan2)
ENGINE_LAZY_LIBM_2(fmod)
ENGINE_LAZY_LIBM_2(pow)
