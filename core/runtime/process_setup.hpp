#pragma once
// The last steps before a container process execs, shared by the init and `exec`:
// privileges (rlimits, capabilities, seccomp, user), fds, and the exec itself.
#include <optional>
#include <string>

#include "oci/spec.hpp"

namespace engine::runtime {

// Unblocks every signal and restores default dispositions: the engine blocks signals to
// forward them, and the program must not inherit that.
void reset_signals();

// rlimits, the bounding set, seccomp when it must precede setuid, then uid/gid/groups and
// capabilities, then the umask. Runs as root of the container's user namespace.
void drop_privileges(const oci::Process& proc, const std::optional<oci::Seccomp>& seccomp);

// Marks every fd but 0, 1, 2 and the preserved 3..3+n-1 close-on-exec.
void keep_only_stdio_and(int preserve_fds);

// no_new_privs and the seccomp filter that needs it, then execve. Throws on failure.
[[noreturn]] void exec_program(const oci::Process& proc, const std::string& program,
                               const std::optional<oci::Seccomp>& seccomp);

}  // namespace engine::runtime
