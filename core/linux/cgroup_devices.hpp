#pragma once
// Device access for a container: linux.resources.devices plus the devices every container
// gets, reduced to the policy the cgroup v1 devices controller would hold, and on cgroup v2
// (which has no devices controller) enforced by an eBPF program attached to the cgroup, as
// runc and crun do.
#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace engine::sys {

// The rules every container gets after its own (mknod of anything; null, zero, full, random,
// urandom, tty, console, ptmx and the pty slaves), as cgroup v1 rule strings.
const std::vector<std::string>& default_device_rules();

struct DeviceException {
  char type = 'a';           // 'a', 'c' or 'b'
  int64_t major = -1;        // -1: any
  int64_t minor = -1;
  unsigned access = 0;       // BPF_DEVCG_ACC_* bits
};

// What the v1 controller would hold after writing the rules in order: a default and the
// exceptions to it. Allowed by default: access is denied if an exception shares any bit with
// it. Denied by default: access is allowed only if one exception covers all of it.
struct DevicePolicy {
  bool allow_by_default = true;
  std::vector<DeviceException> exceptions;
  bool allows(char type, int64_t major, int64_t minor, unsigned access) const;
};

// The spec's rules, then default_device_rules().
DevicePolicy device_policy(const std::vector<oci::DeviceRule>& spec_rules);
// One rule in the v1 string form ("c 1:3 rwm", "b *:* m").
oci::DeviceRule parse_device_rule(const std::string& rule);

// The BPF_PROG_TYPE_CGROUP_DEVICE program deciding as the policy does.
std::vector<struct bpf_insn> device_filter_program(const DevicePolicy& policy);

// Loads the program and attaches it to the cgroup v2 directory. The attachment lives as long
// as the cgroup; the fds are closed on return.
void attach_device_filter(const std::string& cgroup_dir, const DevicePolicy& policy);

}  // namespace engine::sys
