#pragma once
// The running binary, and the programs installed beside it (engine-monitor, engine-probe).
#include <string>

namespace engine {

// /proc/self/exe; throws Error if it cannot be read.
std::string self_exe();

// NAME next to the running binary (the build tree, or an install with both in one directory),
// else in the install's libexec directory. Throws Error naming both places if neither has it.
std::string find_companion_program(const std::string& name);

}  // namespace engine
