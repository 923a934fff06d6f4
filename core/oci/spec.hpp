#pragma once
// The OCI runtime-spec config.json as typed C++ (the subset of fields the engine acts on).
// Parsing validates every field and reports errors as "config.json: FIELD.PATH: problem".
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace engine::oci {

// Raised for an invalid config.json or process.json; what() is the whole one-line message.
class ConfigError : public Error {
 public:
  using Error::Error;
};

struct Root {
  std::string path;  // as written in config.json (may be relative to the bundle)
  bool readonly = false;
};

struct Mount {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;
};

struct Rlimit {
  int resource = 0;  // RLIMIT_* number, parsed from "RLIMIT_NOFILE" etc.
  uint64_t hard = 0;
  uint64_t soft = 0;
};

struct User {
  uid_t uid = 0;
  gid_t gid = 0;
  std::optional<mode_t> umask;
  std::vector<gid_t> additional_gids;
};

// Capability numbers (CAP_* constants), parsed from names like "CAP_SYS_ADMIN".
struct Capabilities {
  std::vector<int> bounding, effective, inheritable, permitted, ambient;
};

struct ConsoleSize {
  unsigned short height = 0;
  unsigned short width = 0;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> console_size;
  User user;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  std::optional<Capabilities> capabilities;
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;
  std::optional<int> oom_score_adj;
  std::string apparmor_profile;
  std::string selinux_label;
};

struct Namespace {
  int type = 0;      // CLONE_NEW* flag
  std::string path;  // join this namespace instead of creating one
};

struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

struct Device {
  std::string path;
  char type = 'c';  // 'c', 'u', 'b' or 'p'
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<mode_t> file_mode;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
};

struct DeviceRule {
  bool allow = false;
  std::string type = "a";  // "a", "c" or "b"
  std::optional<int64_t> major, minor;
  std::string access = "rwm";
};

struct Resources {
  std::vector<DeviceRule> devices;
  std::optional<int64_t> memory_limit, memory_reservation, memory_swap;
  std::optional<uint64_t> cpu_shares;
  std::optional<int64_t> cpu_quota;
  std::optional<uint64_t> cpu_period;
  std::string cpuset_cpus, cpuset_mems;
  std::optional<int64_t> pids_limit;
};

struct SeccompArg {
  unsigned index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  std::string op;  // "SCMP_CMP_EQ" ...
};

struct SeccompRule {
  std::vector<std::string> names;
  std::string action;  // "SCMP_ACT_ERRNO" ...
  std::optional<unsigned> errno_ret;
  std::vector<SeccompArg> args;
};

struct Seccomp {
  std::string default_action;
  std::optional<unsigned> default_errno_ret;
  std::vector<std::string> architectures;  // "SCMP_ARCH_X86_64" ...
  std::vector<SeccompRule> syscalls;
};

struct LinuxSpec {
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uid_mappings, gid_mappings;
  std::vector<Device> devices;
  std::string cgroups_path;
  std::optional<Resources> resources;
  std::optional<Seccomp> seccomp;
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::map<std::string, std::string> sysctl;
  std::string rootfs_propagation;
  std::string mount_label;

  bool has_namespace(int type) const;
  const Namespace* find_namespace(int type) const;
};

struct Hook {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int> timeout;
};

struct Hooks {
  std::vector<Hook> prestart, create_runtime, create_container, start_container, poststart,
      poststop;
};

struct Spec {
  std::string oci_version;
  Root root;
  std::optional<Process> process;
  std::string hostname;
  std::string domainname;
  std::vector<Mount> mounts;
  LinuxSpec linux_spec;  // "linux" is a predefined macro in GNU modes
  Hooks hooks;
  std::map<std::string, std::string> annotations;
};

// Parses and validates a whole config.json document. `source` names it in messages
// ("config.json"). Throws ConfigError.
Spec parse_spec(const nlohmann::json& doc, const std::string& source = "config.json");
// Parses text (reports malformed JSON as "config.json: malformed JSON: ...").
Spec parse_spec_text(const std::string& text, const std::string& source = "config.json");
// linux.resources alone (`engine update --resources FILE`).
Resources parse_resources(const nlohmann::json& doc, const std::string& source);
// Parses an OCI process object (exec --process FILE); prefix names it in messages.
Process parse_process(const nlohmann::json& obj, const std::string& prefix);

// Reads BUNDLE/config.json, parses it, and checks what needs the filesystem: root.path exists
// and is a directory. process is required here. Throws ConfigError.
Spec load_bundle(const std::string& bundle_dir);

// The absolute rootfs path for a spec loaded from bundle_dir.
std::string rootfs_path(const Spec& spec, const std::string& bundle_dir);

// A default config.json, like `runc spec`.
nlohmann::json default_spec();

// Name <-> number tables used by parsing and by other modules.
std::optional<int> capability_from_name(const std::string& name);  // "CAP_CHOWN" -> 0
std::optional<int> rlimit_from_name(const std::string& name);       // "RLIMIT_NOFILE" -> 7
std::optional<int> namespace_from_name(const std::string& name);    // "pid" -> CLONE_NEWPID
int last_capability();

}  // namespace engine::oci
