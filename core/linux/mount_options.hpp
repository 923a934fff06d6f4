#pragma once
// Turns OCI mount option strings into mount(2) flags and data, as runc and crun interpret them.
#include <string>
#include <vector>

namespace engine::sys {

struct MountOptions {
  unsigned long flags = 0;             // MS_* applied by the mount itself
  unsigned long clear_flags = 0;       // flags an option explicitly turned off ("rw", "suid")
  unsigned long propagation = 0;       // MS_PRIVATE/MS_SHARED/... (|MS_REC), applied afterwards
  std::string data;                    // filesystem-specific options, comma-joined
  bool bind() const;
  bool recursive_bind() const;
};

MountOptions parse_mount_options(const std::vector<std::string>& options);

}  // namespace engine::sys
