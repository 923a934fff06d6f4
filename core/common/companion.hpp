#pragma once
// The running binary, and the programs installed beside it (engine-monitor, engine-probe).
#include <string>

namespace engine {

// /proc/self/exe; throws Error if it cannot be read.
std::string self_exe();

// The prefix of the install that DIR is part of, when DIR is where an install puts the engine
// (PREFIX/BINDIR) or its helpers (PREFIX/LIBEXECDIR), both relative to the prefix; "" for any
// other directory, such as the build tree.
std::string install_prefix_of(const std::string& dir, const std::string& bindir, const std::string& libexecdir);

// RELATIVE (a path under the install prefix) in the install whose binary runs from
// BINARY_DIR, so an install moved with `cmake --install --prefix` finds its own files; else
// CONFIGURED, the same place under the prefix the build was configured for.
std::string installed_path(const std::string& binary_dir, const std::string& relative,
                           const std::string& configured);

// NAME next to the running binary (the build tree, or an install with both in one directory),
// else in the install's libexec directory. Throws Error naming both places if neither has it.
std::string find_companion_program(const std::string& name);

}  // namespace engine
