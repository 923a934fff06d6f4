#pragma once
// The container init: the cloned child that sets up the container and then becomes the
// user's program. Everything it needs is prepared on the host first (InitPlan), so nothing
// is loaded from disk after pivot_root.
#include <string>
#include <vector>

#include "linux/namespaces.hpp"
#include "linux/rootfs.hpp"
#include "oci/spec.hpp"
#include "plugins/terminal_provider_host.hpp"
#include "runtime/sync_channel.hpp"

namespace engine::runtime {

struct InitPlan {
  const oci::Spec* spec = nullptr;
  std::string rootfs;                     // absolute host path
  bool no_pivot = false;
  bool new_keyring = true;                // a session keyring of its own, as runc makes
  std::string id;
  int preserve_fds = 0;
  sys::CgroupView cgroups;
  const std::vector<sys::NamespaceFd>* join = nullptr;  // namespaces given by path
  const SyncChannel* channel = nullptr;   // the init's end
  int exec_fifo = -1;                     // create: wait on this fifo; -1: wait for `start` msg
  int stdio[3] = {-1, -1, -1};            // replaces 0, 1, 2 when >= 0 (the monitor's pipes)
  plugins::TerminalSessionHandle* terminal = nullptr;  // null when process.terminal is false
};

// Entry point of the cloned child. Never returns: execs the program or reports the error
// over the channel and exits.
[[noreturn]] void container_init(const InitPlan& plan) noexcept;

}  // namespace engine::runtime
