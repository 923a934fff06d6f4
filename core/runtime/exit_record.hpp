#pragma once
// Recording how a container's init ended, for the monitor (which keeps no sqlite of its own:
// it runs `engine __record-exit` once, when the init has exited).
#include <cstdint>
#include <string>

namespace engine::runtime {

// Marks the container stopped with its exit code and finish time. If another engine saw the
// init gone first and marked it stopped without a code, adds the code. Throws on store errors.
void record_exit(const std::string& root, const std::string& id, int exit_code, int64_t finished_ns);

// `engine __record-exit ROOT ID CODE FINISHED_NS`: not a user command.
int record_exit_command(int argc, char** argv);

}  // namespace engine::runtime
