#pragma once
// engine plugin SDK: what every plugin kind shares. Plugin authors include only <engine/sdk/*>.
//
// A plugin is a shared library exporting, with BOOST_DLL_ALIAS, one factory per kind it
// provides, and one plain C info record that the engine reads before touching any C++ object:
//
//   extern "C" ENGINE_PLUGIN_EXPORT const engine_plugin_info engine_plugin_info_v1 = {...};
//
// The engine refuses a plugin whose api_version differs from its own, naming both versions.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#define ENGINE_PLUGIN_EXPORT __attribute__((visibility("default")))

// The version of the plugin API this header describes. Bump on any incompatible change to
// the interfaces below or in the kind-specific headers.
#define ENGINE_PLUGIN_API_VERSION 2u  // 2: log drivers export a C table; providers claim per mode

extern "C" {
// Plain C so it can be checked without trusting the plugin's C++ ABI.
struct engine_plugin_info {
  uint32_t struct_size;  // sizeof(engine_plugin_info) as the plugin saw it
  uint32_t api_version;  // ENGINE_PLUGIN_API_VERSION the plugin was built with
  const char* kind;      // "terminal" or "log"
  const char* name;      // "pty-devpts"
  const char* version;   // the plugin's own version, "1.0.0"
  const char* description;  // one line
  const char* abi_tag;   // compiler ABI, ENGINE_PLUGIN_ABI_TAG
};
}

#define ENGINE_PLUGIN_STR2(x) #x
#define ENGINE_PLUGIN_STR(x) ENGINE_PLUGIN_STR2(x)
// Mismatched C++ runtimes cannot share std::string: the tag must match the engine's.
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

}  // namespace engine::sdk
