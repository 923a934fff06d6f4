#pragma once
// The process's privileges: user and groups, capabilities, rlimits, no_new_privs, seccomp.
// Called in the container init (and the exec child) just before execve.
#include "oci/spec.hpp"

namespace engine::sys {

void apply_rlimits(const std::vector<oci::Rlimit>& rlimits);
// Drops the bounding set to caps.bounding (runs while still privileged).
void drop_bounding_set(const oci::Capabilities& caps);
// setgroups/setgid/setuid keeping capabilities across the uid change, then sets the
// effective, permitted, inheritable and ambient sets. With no caps given, root keeps its own.
void change_user(const oci::User& user, const std::optional<oci::Capabilities>& caps);
void set_no_new_privileges();
// Builds the filter with libseccomp and loads it. Throws Error naming the bad syscall or action.
void load_seccomp(const oci::Seccomp& seccomp);

}  // namespace engine::sys
