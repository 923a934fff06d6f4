#pragma once
// engine plugin SDK: what every plugin kind shares. Plugin authors include only <engine/sdk/*>.
//
// A plugin is a shared library exporting one plain C info record, which the engine reads first,
// and one plain C table of calls for the kind it provides:
//
//   ENGINE_DECLARE_PLUGIN("terminal", "my-pty", "1.0.0", "one line");  // the info record
//   ENGINE_DECLARE_TERMINAL_PROVIDER(MyProvider);   // or ENGINE_DECLARE_LOG_DRIVER(MyDriver)
//
// Authors write C++ classes (engine/sdk/terminal.hpp, engine/sdk/log_driver.hpp); the macros
// generate the table, and every exception stays inside the plugin. Only C types cross, so the
// engine and a plugin may each carry their own C++ runtime (the engine links its own in).
//
// The engine refuses a plugin whose api_version differs from its own, naming both versions.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>

#define ENGINE_PLUGIN_EXPORT __attribute__((visibility("default")))

// The version of the plugin API this header describes. Bump on any incompatible change to
// the interfaces below or in the kind-specific headers.
// 2: log drivers export a C table; providers claim per mode. 3: terminal providers too.
#define ENGINE_PLUGIN_API_VERSION 3u

extern "C" {
// Plain C so it can be checked without trusting the plugin's C++ ABI.
struct engine_plugin_info {
  uint32_t struct_size;  // sizeof(engine_plugin_info) as the plugin saw it
  uint32_t api_version;  // ENGINE_PLUGIN_API_VERSION the plugin was built with
  const char* kind;      // "terminal" or "log"
  const char* name;      // "pty-devpts"
  const char* version;   // the plugin's own version, "1.0.0"
  const char* description;  // one line
  const char* abi_tag;   // compiler ABI it was built with; informational
};
}

#define ENGINE_PLUGIN_STR2(x) #x
#define ENGINE_PLUGIN_STR(x) ENGINE_PLUGIN_STR2(x)
// Informational since API 3: nothing of C++ crosses between the engine and a plugin.
#define ENGINE_PLUGIN_ABI_TAG \
  "gcc-abi-" ENGINE_PLUGIN_STR(__GXX_ABI_VERSION) "-cxx11-" ENGINE_PLUGIN_STR(_GLIBCXX_USE_CXX11_ABI)

// Defines the info record of a plugin.
#define ENGINE_DECLARE_PLUGIN(KIND, NAME, VERSION, DESCRIPTION)                            \
  extern "C" ENGINE_PLUGIN_EXPORT const engine_plugin_info engine_plugin_info_v1 = {       \
      sizeof(engine_plugin_info), ENGINE_PLUGIN_API_VERSION, KIND, NAME, VERSION, DESCRIPTION, \
      ENGINE_PLUGIN_ABI_TAG}

namespace engine::sdk {

// The one error type a plugin throws; the engine catches it (and anything else) at the
// boundary and reports it as a failure of that container, never a crash.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Named boolean properties a plugin claims ("isolated", "ttyname", "console", "resize", ...).
using Properties = std::map<std::string, bool>;

namespace detail {

// Runs body; an exception becomes -1 and its message in err. What the C tables of every
// plugin kind use, so nothing is ever thrown across them.
template <typename Body>
int guarded(char* err, size_t err_size, Body&& body) noexcept {
  try {
    body();
    return 0;
  } catch (const std::exception& e) {
    std::snprintf(err, err_size, "%s", e.what());
  } catch (...) {
    std::snprintf(err, err_size, "unknown error");
  }
  return -1;
}

}  // namespace detail

}  // namespace engine::sdk
