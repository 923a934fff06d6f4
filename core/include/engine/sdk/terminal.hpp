#pragma once
// The terminal-provider interface: how a container's process gets its terminal.
//
// A provider is written in C++ (TerminalProvider, TerminalSession below) and exported through
// a plain C table with ENGINE_DECLARE_TERMINAL_PROVIDER(MyProvider): every call crosses as C
// types, and every exception is caught inside the plugin and returned as a message. The engine
// carries its own C++ runtime; so may a provider (-static-libstdc++ -static-libgcc
// -Wl,--exclude-libs,ALL), and neither ever sees the other's C++ objects or exceptions.
//
// One TerminalSession serves one container (or one exec). The engine calls its hooks in the
// process where each stage happens; the session object is copied into the container init by
// clone, so state set in an earlier hook is visible in later ones of the same process only.
//
//   host, before clone          prepare_host()
//   init, mount namespace,      setup_mounts(rootfs)   (before pivot_root)
//   init, after pivot_root      setup_init()           -> master fd to send to the host, or -1
//   host, init ready            host_ready(master)     -> master fd the host uses
//   exec child, in namespaces   setup_exec()           -> master fd to send to the host, or -1
//
// setup_init and setup_exec leave the slave on fds 0, 1 and 2 as the controlling terminal.
// Hooks throw sdk::PluginError; any exception fails that container with its message.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/sdk/plugin.hpp"

extern "C" {
struct engine_terminal_request {
  const char* container_id;
  uint32_t uid;  // owner of the slave in the container
  uint32_t gid;
  int has_size;  // rows and cols apply before the program runs
  uint16_t rows;
  uint16_t cols;
  int exec;             // a process joining a running container
  int caller_terminal;  // the caller's own terminal, when passthrough is asked for; else -1
  int passthrough;
  int bind_console;  // init only: make the slave /dev/console
};
// Receives one claimed property.
typedef void (*engine_property_sink)(void* context, const char* name, int value);

// Each call returning int returns 0, or -1 with a NUL-terminated message in err[0, err_size).
struct engine_terminal_provider_ops {
  uint32_t struct_size;  // sizeof(engine_terminal_provider_ops) as the plugin saw it
  int (*supports_passthrough)(void);
  int (*properties)(int passthrough, engine_property_sink sink, void* context, char* err, size_t err_size);
  int (*open_session)(const engine_terminal_request* request, void** session, char* err, size_t err_size);
  int (*prepare_host)(void* session, char* err, size_t err_size);
  int (*setup_mounts)(void* session, const char* rootfs, char* err, size_t err_size);
  int (*setup_init)(void* session, int* master, char* err, size_t err_size);
  int (*host_ready)(void* session, int master_from_container, int* master, char* err, size_t err_size);
  int (*setup_exec)(void* session, int* master, char* err, size_t err_size);
  void (*destroy)(void* session);
};
}

namespace engine::sdk {

struct WindowSize {
  unsigned short rows = 0;
  unsigned short cols = 0;
};

struct TerminalRequest {
  std::string container_id;
  uid_t uid = 0;  // owner of the slave in the container
  gid_t gid = 0;
  std::optional<WindowSize> size;  // applied before the program runs
  bool exec = false;               // a process joining a running container
  int caller_terminal = -1;        // the caller's own terminal, when passthrough is asked for
  bool passthrough = false;
  bool bind_console = true;        // init only: make the slave /dev/console
};

class TerminalSession {
 public:
  virtual ~TerminalSession() = default;
  virtual void prepare_host() {}
  virtual void setup_mounts(const std::string& rootfs) { (void)rootfs; }
  virtual int setup_init() = 0;
  virtual int host_ready(int master_from_container) { return master_from_container; }
  virtual int setup_exec() = 0;
};

class TerminalProvider {
 public:
  virtual ~TerminalProvider() = default;
  virtual Properties properties() const = 0;
  // Whether it can hand the caller's own terminal to the container (--tty-passthrough), and
  // what it claims then: no new pty means other trade-offs (no job control, for one).
  virtual bool supports_passthrough() const { return false; }
  virtual Properties passthrough_properties() const { return properties(); }
  virtual std::unique_ptr<TerminalSession> open_session(const TerminalRequest& request) = 0;
};

namespace detail {

inline TerminalRequest from_c(const engine_terminal_request* c) {
  TerminalRequest r;
  r.container_id = c->container_id ? c->container_id : "";
  r.uid = c->uid;
  r.gid = c->gid;
  if (c->has_size) r.size = WindowSize{c->rows, c->cols};
  r.exec = c->exec != 0;
  r.caller_terminal = c->caller_terminal;
  r.passthrough = c->passthrough != 0;
  r.bind_console = c->bind_console != 0;
  return r;
}

// The C table of a provider class; instantiated inside the plugin by
// ENGINE_DECLARE_TERMINAL_PROVIDER.
template <typename Provider>
struct TerminalProviderTable {
  static Provider& provider() {
    static Provider instance;
    return instance;
  }
  static TerminalSession& session(void* s) { return *static_cast<TerminalSession*>(s); }

  static int supports_passthrough() {
    int yes = 0;
    char ignored[1];
    guarded(ignored, sizeof ignored, [&] { yes = provider().supports_passthrough() ? 1 : 0; });
    return yes;
  }
  static int properties(int passthrough, engine_property_sink sink, void* context, char* err, size_t n) {
    return guarded(err, n, [&] {
      Properties p = passthrough ? provider().passthrough_properties() : provider().properties();
      for (const auto& [name, value] : p) sink(context, name.c_str(), value ? 1 : 0);
    });
  }
  static int open_session(const engine_terminal_request* c, void** s, char* err, size_t n) {
    return guarded(err, n, [&] {
      *s = provider().open_session(from_c(c)).release();
      if (!*s) throw PluginError("open_session returned no session");
    });
  }
  static int prepare_host(void* s, char* err, size_t n) {
    return guarded(err, n, [&] { session(s).prepare_host(); });
  }
  static int setup_mounts(void* s, const char* rootfs, char* err, size_t n) {
    return guarded(err, n, [&] { session(s).setup_mounts(rootfs ? rootfs : ""); });
  }
  static int setup_init(void* s, int* master, char* err, size_t n) {
    return guarded(err, n, [&] { *master = session(s).setup_init(); });
  }
  static int host_ready(void* s, int from_container, int* master, char* err, size_t n) {
    return guarded(err, n, [&] { *master = session(s).host_ready(from_container); });
  }
  static int setup_exec(void* s, int* master, char* err, size_t n) {
    return guarded(err, n, [&] { *master = session(s).setup_exec(); });
  }
  static void destroy(void* s) { delete static_cast<TerminalSession*>(s); }
};

}  // namespace detail
}  // namespace engine::sdk

// Exports the C table of a terminal provider class (default-constructible, one per process).
#define ENGINE_DECLARE_TERMINAL_PROVIDER(PROVIDER)                                                    \
  extern "C" ENGINE_PLUGIN_EXPORT const engine_terminal_provider_ops engine_terminal_provider_ops_v1 = { \
      sizeof(engine_terminal_provider_ops),                                                           \
      &::engine::sdk::detail::TerminalProviderTable<PROVIDER>::supports_passthrough,                  \
      &::engine::sdk::detail::TerminalProviderTable<PROVIDER>::properties,                            \
      &::engine::sdk::detail::TerminalProviderTable<PROVIDER>::open_session,                          \
      &::engine::sdk::detail::TerminalProviderTable<PROVIDER>::prepare_host,                          \
      &::engine::sdk::detail::TerminalProviderTable<PROVIDER>::setup_mounts,                          \
      &::engine::sdk::detail::TerminalProviderTable<PROVIDER>::setup_init,                            \
      &::engine::sdk::detail::TerminalProviderTable<PROVIDER>::host_ready,                            \
      &::engine::sdk::detail::TerminalProviderTable<PROVIDER>::setup_exec,                            \
      &::engine::sdk::detail::TerminalProviderTable<PROVIDER>::destroy}
