#pragma once
// Calling into a plugin's C table: every entry takes an error buffer and returns 0 or -1.
#include <cstddef>
#include <string>

#include "common/error.hpp"

namespace engine::plugins {

// A plugin's message, up to this size; longer ones are cut.
constexpr size_t kPluginMessageSize = 1024;

// Runs call(err, err_size); if it returns non-zero, throws Error(prefix + the plugin's message).
template <typename Call>
void call_table(const std::string& prefix, Call&& call) {
  char err[kPluginMessageSize] = "";
  if (call(err, sizeof err) != 0) throw Error(prefix + (err[0] ? err : "failed without a message"));
}

}  // namespace engine::plugins
