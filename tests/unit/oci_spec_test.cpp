// Unit tests for config.json parsing and validation (core/oci).
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/file.hpp"
#include "oci/spec.hpp"

namespace engine::oci {
namespace {

using nlohmann::json;

// The smallest config the engine accepts.
json minimal() {
  return json::parse(R"({
    "ociVersion": "1.0.2",
    "root": {"path": "rootfs"},
    "process": {"user": {"uid": 0, "gid": 0}, "args": ["sh"], "cwd": "/"}
  })");
}

// Parses doc and returns the ConfigError message ("" if it parsed).
std::string error_of(const json& doc) {
  try {
    parse_spec(doc);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string process_error_of(const json& obj) {
  try {
    parse_process(obj, "process.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// A throwaway bundle directory, removed afterwards.
class Bundle {
 public:
  Bundle() {
    char tmpl[] = "/tmp/oci_spec_test.XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~Bundle() { std::filesystem::remove_all(dir_); }
  const std::string& dir() const { return dir_; }
  void write_config(const json& doc) const { write_file(dir_ + "/config.json", doc.dump()); }
  void make_rootfs() const { make_dirs(dir_ + "/rootfs"); }

 private:
  std::string dir_;
};

std::string bundle_error_of(const std::string& dir) {
  try {
    load_bundle(dir);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// ---- parsing valid documents ----

TEST(OciSpec, MinimalSpecParsesWithDefaults) {
  Spec spec = parse_spec(minimal());
  EXPECT_EQ(spec.oci_version, "1.0.2");
  EXPECT_EQ(spec.root.path, "rootfs");
  EXPECT_FALSE(spec.root.readonly);
  ASSERT_TRUE(spec.process.has_value());
  EXPECT_FALSE(spec.process->terminal);
  EXPECT_EQ(spec.process->args, std::vector<std::string>{"sh"});
  EXPECT_EQ(spec.process->cwd, "/");
  EXPECT_EQ(spec.process->user.uid, 0u);
  EXPECT_FALSE(spec.process->capabilities.has_value());
  EXPECT_TRUE(spec.mounts.empty());
  EXPECT_TRUE(spec.linux_spec.namespaces.empty());
  EXPECT_FALSE(spec.linux_spec.resources.has_value());
  EXPECT_FALSE(spec.linux_spec.seccomp.has_value());
}

TEST(OciSpec, ProcessIsOptionalInParseSpec) {
  json doc = minimal();
  doc.erase("process");
  EXPECT_FALSE(parse_spec(doc).process.has_value());
}

TEST(OciSpec, FullSpecFieldsAreRead) {
  json doc = minimal();
  doc["hostname"] = "box";
  doc["process"]["terminal"] = true;
  doc["process"]["consoleSize"] = {{"height", 24}, {"width", 80}};
  doc["process"]["user"] = {
      {"uid", 1000}, {"gid", 100}, {"umask", 18}, {"additionalGids", json::array({5, 6})}};
  doc["process"]["env"] = json::array({"A=1", "B="});
  doc["process"]["oomScoreAdj"] = -500;
  doc["process"]["capabilities"] = {{"bounding", json::array({"CAP_SYS_ADMIN", "CAP_CHOWN"})},
                                    {"ambient", json::array({"CAP_KILL"})}};
  doc["mounts"] = json::array(
      {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
       {{"destination", "/data"}, {"source", "/srv"}, {"options", json::array({"rbind", "ro"})}}});
  doc["linux"] = json::parse(R"({
    "namespaces": [{"type": "uts"}, {"type": "network", "path": "/run/netns/x"}],
    "sysctl": {"net.ipv4.ip_forward": "1"},
    "cgroupsPath": "/engine/c1",
    "resources": {"memory": {"limit": 1048576, "swap": -1}, "cpu": {"shares": 512, "cpus": "0-1"},
                  "pids": {"limit": 64}, "devices": [{"allow": false, "access": "rwm"},
                  {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}]},
    "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}],
    "rootfsPropagation": "rslave",
    "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"]
  })");
  doc["hooks"] =
      json::parse(R"({"prestart": [{"path": "/bin/true", "args": ["true"], "timeout": 5}]})");
  doc["annotations"] = {{"org.example.key", "value"}};

  Spec spec = parse_spec(doc);
  const Process& p = *spec.process;
  EXPECT_TRUE(p.terminal);
  ASSERT_TRUE(p.console_size.has_value());
  EXPECT_EQ(p.console_size->height, 24);
  EXPECT_EQ(p.console_size->width, 80);
  EXPECT_EQ(p.user.uid, 1000u);
  EXPECT_EQ(p.user.gid, 100u);
  EXPECT_EQ(p.user.umask, 18u);
  EXPECT_EQ(p.user.additional_gids, (std::vector<gid_t>{5, 6}));
  EXPECT_EQ(p.env, (std::vector<std::string>{"A=1", "B="}));
  EXPECT_EQ(p.oom_score_adj, -500);
  ASSERT_TRUE(p.capabilities.has_value());
  EXPECT_EQ(p.capabilities->bounding, (std::vector<int>{21, 0}));
  EXPECT_EQ(p.capabilities->ambient, (std::vector<int>{5}));
  EXPECT_TRUE(p.capabilities->effective.empty());

  ASSERT_EQ(spec.mounts.size(), 2u);
  EXPECT_EQ(spec.mounts[1].destination, "/data");
  EXPECT_EQ(spec.mounts[1].type, "");
  EXPECT_EQ(spec.mounts[1].options, (std::vector<std::string>{"rbind", "ro"}));

  const LinuxSpec& l = spec.linux_spec;
  ASSERT_EQ(l.namespaces.size(), 2u);
  EXPECT_TRUE(l.has_namespace(CLONE_NEWUTS));
  EXPECT_FALSE(l.has_namespace(CLONE_NEWPID));
  ASSERT_NE(l.find_namespace(CLONE_NEWNET), nullptr);
  EXPECT_EQ(l.find_namespace(CLONE_NEWNET)->path, "/run/netns/x");
  EXPECT_EQ(l.find_namespace(CLONE_NEWPID), nullptr);
  EXPECT_EQ(l.sysctl.at("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(l.cgroups_path, "/engine/c1");
  ASSERT_TRUE(l.resources.has_value());
  EXPECT_EQ(l.resources->memory_limit, 1048576);
  EXPECT_EQ(l.resources->memory_swap, -1);
  EXPECT_FALSE(l.resources->memory_reservation.has_value());
  EXPECT_EQ(l.resources->cpu_shares, 512u);
  EXPECT_EQ(l.resources->cpuset_cpus, "0-1");
  EXPECT_EQ(l.resources->pids_limit, 64);
  ASSERT_EQ(l.resources->devices.size(), 2u);
  EXPECT_EQ(l.resources->devices[0].type, "a");
  EXPECT_TRUE(l.resources->devices[1].allow);
  EXPECT_EQ(l.resources->devices[1].major, 1);
  EXPECT_EQ(l.resources->devices[1].access, "rw");
  ASSERT_EQ(l.devices.size(), 1u);
  EXPECT_EQ(l.devices[0].type, 'c');
  EXPECT_EQ(l.devices[0].minor, 229);
  EXPECT_EQ(l.devices[0].file_mode, 0666u);
  EXPECT_EQ(l.rootfs_propagation, "rslave");
  EXPECT_EQ(l.masked_paths, std::vector<std::string>{"/proc/kcore"});

  ASSERT_EQ(spec.hooks.prestart.size(), 1u);
  EXPECT_EQ(spec.hooks.prestart[0].path, "/bin/true");
  EXPECT_EQ(spec.hooks.prestart[0].timeout, 5);
  EXPECT_EQ(spec.annotations.at("org.example.key"), "value");
}

TEST(OciSpec, UnknownKeysAreIgnored) {
  json doc = minimal();
  doc["futureField"] = {{"x", 1}};
  doc["process"]["ioPriority"] = {{"class", "IOPRIO_CLASS_RT"}};
  doc["linux"] = {{"intelRdt", {{"closID", "x"}}}};
  EXPECT_EQ(error_of(doc), "");
}

TEST(OciSpec, NullCountsAsAbsent) {
  json doc = minimal();
  doc["mounts"] = nullptr;
  doc["process"]["env"] = nullptr;
  Spec spec = parse_spec(doc);
  EXPECT_TRUE(spec.mounts.empty());
  EXPECT_TRUE(spec.process->env.empty());
}

TEST(OciSpec, UserNamespaceWithMappingsParses) {
  json doc = minimal();
  doc["linux"] = json::parse(R"({"namespaces": [{"type": "user"}],
    "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]})");
  Spec spec = parse_spec(doc);
  ASSERT_EQ(spec.linux_spec.uid_mappings.size(), 1u);
  EXPECT_EQ(spec.linux_spec.uid_mappings[0].host_id, 100000u);
  EXPECT_EQ(spec.linux_spec.gid_mappings[0].size, 65536u);
}

TEST(OciSpec, SeccompParses) {
  json doc = minimal();
  doc["linux"]["seccomp"] = json::parse(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
    "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                  "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]})");
  Spec spec = parse_spec(doc);
  ASSERT_TRUE(spec.linux_spec.seccomp.has_value());
  const Seccomp& s = *spec.linux_spec.seccomp;
  EXPECT_EQ(s.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(s.default_errno_ret, 1u);
  EXPECT_EQ(s.architectures, std::vector<std::string>{"SCMP_ARCH_X86_64"});
  ASSERT_EQ(s.syscalls.size(), 1u);
  EXPECT_EQ(s.syscalls[0].action, "SCMP_ACT_ALLOW");
  ASSERT_EQ(s.syscalls[0].args.size(), 1u);
  EXPECT_EQ(s.syscalls[0].args[0].value, 8u);
  EXPECT_EQ(s.syscalls[0].args[0].op, "SCMP_CMP_EQ");
}

// ---- default_spec ----

TEST(OciSpec, DefaultSpecRoundTrips) {
  json doc = default_spec();
  Spec spec = parse_spec(json::parse(doc.dump()));  // through text, as `engine spec` writes it
  EXPECT_EQ(spec.oci_version, "1.0.2-dev");
  EXPECT_EQ(spec.root.path, "rootfs");
  EXPECT_TRUE(spec.root.readonly);
  EXPECT_EQ(spec.hostname, "engine");
  const Process& p = *spec.process;
  EXPECT_TRUE(p.terminal);
  EXPECT_TRUE(p.no_new_privileges);
  EXPECT_EQ(p.args, std::vector<std::string>{"sh"});
  EXPECT_EQ(p.env, (std::vector<std::string>{
                       "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                       "TERM=xterm"}));
  std::vector<int> caps = {29, 5, 10};  // AUDIT_WRITE, KILL, NET_BIND_SERVICE
  EXPECT_EQ(p.capabilities->bounding, caps);
  EXPECT_EQ(p.capabilities->effective, caps);
  EXPECT_EQ(p.capabilities->permitted, caps);
  EXPECT_TRUE(p.capabilities->inheritable.empty());
  ASSERT_EQ(p.rlimits.size(), 1u);
  EXPECT_EQ(p.rlimits[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ(p.rlimits[0].soft, 1024u);
  EXPECT_EQ(p.rlimits[0].hard, 1024u);

  ASSERT_EQ(spec.mounts.size(), 7u);
  EXPECT_EQ(spec.mounts[0].destination, "/proc");
  EXPECT_TRUE(spec.mounts[0].options.empty());
  EXPECT_EQ(spec.mounts[2].destination, "/dev/pts");
  EXPECT_EQ(spec.mounts[2].options,
            (std::vector<std::string>{"nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                      "mode=0620", "gid=5"}));
  EXPECT_EQ(spec.mounts[3].source, "shm");
  EXPECT_EQ(spec.mounts[6].destination, "/sys/fs/cgroup");

  const LinuxSpec& l = spec.linux_spec;
  std::vector<int> ns_types;
  for (const Namespace& ns : l.namespaces) ns_types.push_back(ns.type);
  EXPECT_EQ(ns_types, (std::vector<int>{CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS,
                                        CLONE_NEWNS, CLONE_NEWCGROUP}));
  ASSERT_EQ(l.resources->devices.size(), 1u);
  EXPECT_FALSE(l.resources->devices[0].allow);
  EXPECT_EQ(l.resources->devices[0].access, "rwm");
  EXPECT_EQ(l.masked_paths.size(), 10u);
  EXPECT_EQ(l.masked_paths.front(), "/proc/acpi");
  EXPECT_EQ(l.masked_paths.back(), "/proc/scsi");
  EXPECT_EQ(l.readonly_paths, (std::vector<std::string>{"/proc/bus", "/proc/fs", "/proc/irq",
                                                        "/proc/sys", "/proc/sysrq-trigger"}));
}

TEST(OciSpec, DefaultSpecMatchesRuncLayout) {
  json doc = default_spec();
  EXPECT_FALSE(doc["mounts"][0].contains("options"));  // runc omits empty options
  EXPECT_EQ(doc["process"]["user"], json::parse(R"({"uid": 0, "gid": 0})"));
  EXPECT_EQ(doc["linux"]["resources"]["devices"],
            json::parse(R"([{"allow": false, "access": "rwm"}])"));
  EXPECT_EQ(doc["mounts"][1]["options"],
            json::parse(R"(["nosuid", "strictatime", "mode=755", "size=65536k"])"));
}

// ---- validation errors: each names the exact field ----

TEST(OciSpecErrors, RequiredTopLevelFields) {
  json doc = minimal();
  doc.erase("ociVersion");
  EXPECT_EQ(error_of(doc), "config.json: ociVersion: is required");
  doc = minimal();
  doc.erase("root");
  EXPECT_EQ(error_of(doc), "config.json: root: is required");
  doc = minimal();
  doc["root"].erase("path");
  EXPECT_EQ(error_of(doc), "config.json: root.path: is required");
  doc["root"]["path"] = "";
  EXPECT_EQ(error_of(doc), "config.json: root.path: must not be empty");
  EXPECT_EQ(error_of(json::array()), "config.json: must be a JSON object");
}

TEST(OciSpecErrors, WrongTypesNameTheField) {
  json doc = minimal();
  doc["ociVersion"] = 1;
  EXPECT_EQ(error_of(doc), "config.json: ociVersion: must be a string");
  doc = minimal();
  doc["root"]["readonly"] = "yes";
  EXPECT_EQ(error_of(doc), "config.json: root.readonly: must be a boolean");
  doc = minimal();
  doc["process"]["terminal"] = 1;
  EXPECT_EQ(error_of(doc), "config.json: process.terminal: must be a boolean");
  doc = minimal();
  doc["process"]["args"] = "sh";
  EXPECT_EQ(error_of(doc), "config.json: process.args: must be an array of strings");
  doc["process"]["args"] = json::array({"sh", 3});
  EXPECT_EQ(error_of(doc), "config.json: process.args[1]: must be a string");
  doc = minimal();
  doc["process"]["user"] = "root";
  EXPECT_EQ(error_of(doc), "config.json: process.user: must be an object");
  doc = minimal();
  doc["mounts"] = {{"destination", "/x"}};
  EXPECT_EQ(error_of(doc), "config.json: mounts: must be an array");
}

TEST(OciSpecErrors, IntegersAreCheckedForSignAndRange) {
  json doc = minimal();
  doc["process"]["user"]["uid"] = -1;
  EXPECT_EQ(error_of(doc), "config.json: process.user.uid: must be an unsigned integer");
  doc["process"]["user"]["uid"] = 1.5;
  EXPECT_EQ(error_of(doc), "config.json: process.user.uid: must be an unsigned integer");
  doc["process"]["user"]["uid"] = 4294967296;
  EXPECT_EQ(error_of(doc), "config.json: process.user.uid: must be at most 4294967295");
  doc = minimal();
  doc["process"]["user"].erase("gid");
  EXPECT_EQ(error_of(doc), "config.json: process.user.gid: is required");
  doc = minimal();
  doc["process"]["oomScoreAdj"] = 1001;
  EXPECT_EQ(error_of(doc), "config.json: process.oomScoreAdj: must be between -1000 and 1000");
  doc = minimal();
  doc["linux"]["resources"]["memory"]["limit"] = "1G";
  EXPECT_EQ(error_of(doc), "config.json: linux.resources.memory.limit: must be an integer");
}

TEST(OciSpecErrors, ProcessArgsAndCwd) {
  json doc = minimal();
  doc["process"]["args"] = json::array();
  EXPECT_EQ(error_of(doc), "config.json: process.args: must be a non-empty array");
  doc["process"].erase("args");
  EXPECT_EQ(error_of(doc), "config.json: process.args: is required");
  doc = minimal();
  doc["process"]["cwd"] = "work";
  EXPECT_EQ(error_of(doc), "config.json: process.cwd: must be an absolute path");
  doc["process"].erase("cwd");
  EXPECT_EQ(error_of(doc), "config.json: process.cwd: is required");
  doc = minimal();
  doc["process"].erase("user");
  EXPECT_EQ(error_of(doc), "config.json: process.user: is required");
}

TEST(OciSpecErrors, EnvEntriesNeedEquals) {
  json doc = minimal();
  doc["process"]["env"] = json::array({"A=1", "NOEQUALS"});
  EXPECT_EQ(error_of(doc), "config.json: process.env[1]: must have the form KEY=VALUE");
  doc["process"]["env"] = json::array({"=x"});
  EXPECT_EQ(error_of(doc), "config.json: process.env[0]: must have the form KEY=VALUE");
}

TEST(OciSpecErrors, ConsoleSize) {
  json doc = minimal();
  doc["process"]["consoleSize"] = {{"height", "24"}, {"width", 80}};
  EXPECT_EQ(error_of(doc), "config.json: process.consoleSize.height: must be an unsigned integer");
  doc["process"]["consoleSize"] = {{"height", 24}, {"width", 70000}};
  EXPECT_EQ(error_of(doc), "config.json: process.consoleSize.width: must be at most 65535");
}

TEST(OciSpecErrors, UnknownCapability) {
  json doc = minimal();
  doc["process"]["capabilities"]["bounding"] = json::array({"CAP_FOO"});
  EXPECT_EQ(error_of(doc),
            "config.json: process.capabilities.bounding[0]: unknown capability \"CAP_FOO\"");
  doc["process"]["capabilities"] = {{"effective", json::array({"CAP_KILL", "cap_kill"})}};
  EXPECT_EQ(error_of(doc),
            "config.json: process.capabilities.effective[1]: unknown capability \"cap_kill\"");
}

TEST(OciSpecErrors, Rlimits) {
  json doc = minimal();
  doc["process"]["rlimits"] = json::parse(R"([{"type": "RLIMIT_FOO", "hard": 1, "soft": 1}])");
  EXPECT_EQ(error_of(doc), "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"");
  doc["process"]["rlimits"] =
      json::parse(R"([{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 2048}])");
  EXPECT_EQ(error_of(doc), "config.json: process.rlimits[0].soft: must not exceed hard (1024)");
  doc["process"]["rlimits"] = json::parse(
      R"([{"type": "RLIMIT_CORE", "hard": 0, "soft": 0}, {"type": "RLIMIT_CORE", "hard": 1, "soft": 1}])");
  EXPECT_EQ(error_of(doc),
            "config.json: process.rlimits[1].type: duplicate rlimit \"RLIMIT_CORE\"");
  doc["process"]["rlimits"] = json::parse(R"([{"type": "RLIMIT_CORE", "soft": 0}])");
  EXPECT_EQ(error_of(doc), "config.json: process.rlimits[0].hard: is required");
}

TEST(OciSpecErrors, MountDestinationMustBeAbsolute) {
  json doc = minimal();
  doc["mounts"] = json::array({{{"destination", "/proc"}, {"type", "proc"}},
                               {{"destination", "/dev"}, {"type", "tmpfs"}},
                               {{"destination", "tmp"}, {"type", "tmpfs"}}});
  EXPECT_EQ(error_of(doc), "config.json: mounts[2].destination: must be an absolute path");
  doc["mounts"] = json::array({{{"type", "tmpfs"}}});
  EXPECT_EQ(error_of(doc), "config.json: mounts[0].destination: is required");
  doc["mounts"] = json::array({{{"destination", "/x"}, {"options", "ro"}}});
  EXPECT_EQ(error_of(doc), "config.json: mounts[0].options: must be an array of strings");
}

TEST(OciSpecErrors, Namespaces) {
  json doc = minimal();
  doc["linux"]["namespaces"] = json::parse(R"([{"type": "pid"}, {"type": "foo"}])");
  EXPECT_EQ(error_of(doc), "config.json: linux.namespaces[1].type: unknown namespace \"foo\"");
  doc["linux"]["namespaces"] =
      json::parse(R"([{"type": "pid"}, {"type": "ipc"}, {"type": "pid"}])");
  EXPECT_EQ(error_of(doc), "config.json: linux.namespaces[2].type: duplicate namespace \"pid\"");
  doc["linux"]["namespaces"] = json::parse(R"([{"type": "net", "path": "/x"}])");
  EXPECT_EQ(error_of(doc), "config.json: linux.namespaces[0].type: unknown namespace \"net\"");
  doc["linux"]["namespaces"] = json::parse(R"([{"type": "network", "path": "run/netns/x"}])");
  EXPECT_EQ(error_of(doc), "config.json: linux.namespaces[0].path: must be an absolute path");
  doc["linux"]["namespaces"] = json::parse(R"([{"path": "/x"}])");
  EXPECT_EQ(error_of(doc), "config.json: linux.namespaces[0].type: is required");
}

TEST(OciSpecErrors, UserNamespaceNeedsMappingsAndViceVersa) {
  json mapping = json::parse(R"([{"containerID": 0, "hostID": 1000, "size": 1}])");
  json doc = minimal();
  doc["linux"]["namespaces"] = json::parse(R"([{"type": "user"}])");
  EXPECT_EQ(error_of(doc),
            "config.json: linux.uidMappings: is required when creating a user namespace");
  doc["linux"]["uidMappings"] = mapping;
  EXPECT_EQ(error_of(doc),
            "config.json: linux.gidMappings: is required when creating a user namespace");

  doc = minimal();
  doc["linux"]["gidMappings"] = mapping;
  EXPECT_EQ(error_of(doc),
            "config.json: linux.gidMappings: requires a \"user\" namespace in linux.namespaces");

  // Joining an existing user namespace: its mappings are already fixed.
  doc = minimal();
  doc["linux"]["namespaces"] = json::parse(R"([{"type": "user", "path": "/proc/1/ns/user"}])");
  EXPECT_EQ(error_of(doc), "");
  doc["linux"]["uidMappings"] = mapping;
  EXPECT_EQ(error_of(doc),
            "config.json: linux.uidMappings: must be empty when joining a user namespace");

  doc = minimal();
  doc["linux"]["namespaces"] = json::parse(R"([{"type": "user"}])");
  doc["linux"]["uidMappings"] = json::parse(R"([{"containerID": 0, "hostID": 1000, "size": 0}])");
  EXPECT_EQ(error_of(doc), "config.json: linux.uidMappings[0].size: must be greater than zero");
}

TEST(OciSpecErrors, SysctlAndAnnotationValuesAreStrings) {
  json doc = minimal();
  doc["linux"]["sysctl"] = {{"net.ipv4.ip_forward", 1}};
  EXPECT_EQ(error_of(doc), "config.json: linux.sysctl.net.ipv4.ip_forward: must be a string");
  doc = minimal();
  doc["annotations"] = {{"a", true}};
  EXPECT_EQ(error_of(doc), "config.json: annotations.a: must be a string");
}

TEST(OciSpecErrors, Seccomp) {
  json doc = minimal();
  doc["linux"]["seccomp"] = {{"architectures", json::array({"SCMP_ARCH_X86_64"})}};
  EXPECT_EQ(error_of(doc), "config.json: linux.seccomp.defaultAction: is required");
  doc["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_DENY"}};
  EXPECT_EQ(error_of(doc),
            "config.json: linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_DENY\"");
  doc["linux"]["seccomp"] = json::parse(R"({"defaultAction": "SCMP_ACT_ALLOW",
      "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO"},
                   {"names": ["kill"], "action": "KILL"}]})");
  EXPECT_EQ(error_of(doc),
            "config.json: linux.seccomp.syscalls[1].action: unknown seccomp action \"KILL\"");
  doc["linux"]["seccomp"] = json::parse(R"({"defaultAction": "SCMP_ACT_ALLOW",
      "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                    "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQUAL"}]}]})");
  EXPECT_EQ(error_of(doc),
            "config.json: linux.seccomp.syscalls[0].args[0].op: "
            "unknown seccomp operator \"SCMP_CMP_EQUAL\"");
  doc["linux"]["seccomp"] = json::parse(R"({"defaultAction": "SCMP_ACT_ALLOW",
      "syscalls": [{"names": [], "action": "SCMP_ACT_ERRNO"}]})");
  EXPECT_EQ(error_of(doc),
            "config.json: linux.seccomp.syscalls[0].names: must be a non-empty array");
}

TEST(OciSpecErrors, SeccompAcceptsEveryKnownActionAndOperator) {
  for (const char* action :
       {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"}) {
    for (const char* op : {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                           "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"}) {
      json doc = minimal();
      doc["linux"]["seccomp"] = {
          {"defaultAction", action},
          {"syscalls",
           json::array({{{"names", json::array({"read"})},
                         {"action", action},
                         {"args", json::array({{{"index", 1}, {"value", 2}, {"op", op}}})}}})}};
      EXPECT_EQ(error_of(doc), "") << action << " " << op;
    }
  }
}

TEST(OciSpecErrors, HooksAndDevices) {
  json doc = minimal();
  doc["hooks"] = json::parse(R"({"poststop": [{"path": "/bin/true"}, {"path": "cleanup"}]})");
  EXPECT_EQ(error_of(doc), "config.json: hooks.poststop[1].path: must be an absolute path");
  doc["hooks"] = json::parse(R"({"createRuntime": [{"path": "/bin/true", "timeout": 0}]})");
  EXPECT_EQ(error_of(doc),
            "config.json: hooks.createRuntime[0].timeout: must be greater than zero");
  doc = minimal();
  doc["linux"]["devices"] =
      json::parse(R"([{"path": "/dev/x", "type": "z", "major": 1, "minor": 1}])");
  EXPECT_EQ(error_of(doc), "config.json: linux.devices[0].type: unknown device type \"z\"");
  doc["linux"]["devices"] = json::parse(R"([{"path": "/dev/x", "type": "c", "major": 1}])");
  EXPECT_EQ(error_of(doc), "config.json: linux.devices[0].minor: is required");
  doc["linux"]["devices"] = json::parse(R"([{"path": "/dev/fifo", "type": "p"}])");
  EXPECT_EQ(error_of(doc), "");
  doc = minimal();
  doc["linux"]["resources"]["devices"] = json::parse(R"([{"allow": true, "access": "rwx"}])");
  EXPECT_EQ(error_of(doc),
            "config.json: linux.resources.devices[0].access: "
            "must contain only the letters r, w and m");
}

TEST(OciSpecErrors, HostnameNeedsUtsNamespace) {
  json doc = minimal();
  doc["hostname"] = "box";
  EXPECT_EQ(error_of(doc),
            "config.json: hostname: requires a \"uts\" namespace in linux.namespaces");
  doc["linux"]["namespaces"] = json::parse(R"([{"type": "uts"}])");
  EXPECT_EQ(error_of(doc), "");
}

TEST(OciSpecErrors, MalformedJsonIsOneLine) {
  try {
    parse_spec_text("{\n  \"ociVersion\": \"1.0.2\",\n  oops\n}");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    std::string msg = e.what();
    EXPECT_TRUE(msg.starts_with("config.json: malformed JSON: parse error at line 3")) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  try {
    parse_spec_text("", "other.json");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("other.json: malformed JSON: ")) << e.what();
  }
}

TEST(OciSpecErrors, ErrorIsAnEngineError) {
  json doc = minimal();
  doc.erase("ociVersion");
  EXPECT_THROW(parse_spec(doc), engine::Error);
}

// ---- parse_process (exec --process) ----

TEST(OciProcess, StandaloneProcessParses) {
  Process p = parse_process(
      json::parse(R"({"terminal": true, "user": {"uid": 5, "gid": 6}, "args": ["ls", "-l"],
                      "env": ["X=1"], "cwd": "/tmp", "noNewPrivileges": true,
                      "capabilities": {"bounding": ["CAP_NET_RAW"]}})"),
      "process.json");
  EXPECT_TRUE(p.terminal);
  EXPECT_EQ(p.user.uid, 5u);
  EXPECT_EQ(p.user.gid, 6u);
  EXPECT_EQ(p.args, (std::vector<std::string>{"ls", "-l"}));
  EXPECT_EQ(p.cwd, "/tmp");
  EXPECT_TRUE(p.no_new_privileges);
  EXPECT_EQ(p.capabilities->bounding, std::vector<int>{13});
}

TEST(OciProcess, StandaloneProcessErrorsUseThePrefix) {
  json obj = json::parse(R"({"user": {"uid": 0, "gid": 0}, "args": [], "cwd": "/"})");
  EXPECT_EQ(process_error_of(obj), "process.json: args: must be a non-empty array");
  obj["args"] = json::array({"sh"});
  obj["rlimits"] = json::parse(R"([{"type": "RLIMIT_X", "hard": 1, "soft": 1}])");
  EXPECT_EQ(process_error_of(obj), "process.json: rlimits[0].type: unknown rlimit \"RLIMIT_X\"");
  EXPECT_EQ(process_error_of(json::array()), "process.json: must be a JSON object");
}

// ---- name tables ----

TEST(OciNames, Capabilities) {
  EXPECT_EQ(capability_from_name("CAP_CHOWN"), 0);
  EXPECT_EQ(capability_from_name("CAP_KILL"), 5);
  EXPECT_EQ(capability_from_name("CAP_NET_BIND_SERVICE"), 10);
  EXPECT_EQ(capability_from_name("CAP_SYS_ADMIN"), 21);
  EXPECT_EQ(capability_from_name("CAP_AUDIT_WRITE"), 29);
  EXPECT_EQ(capability_from_name("CAP_SETFCAP"), 31);
  EXPECT_EQ(capability_from_name("CAP_AUDIT_READ"), 37);
  EXPECT_EQ(capability_from_name("CAP_PERFMON"), 38);
  EXPECT_EQ(capability_from_name("CAP_BPF"), 39);
  EXPECT_EQ(capability_from_name("CAP_CHECKPOINT_RESTORE"), 40);
  EXPECT_EQ(last_capability(), 40);
  EXPECT_FALSE(capability_from_name("CAP_FOO"));
  EXPECT_FALSE(capability_from_name("SYS_ADMIN"));
  EXPECT_FALSE(capability_from_name(""));
}

// The kernel's own numbering (linux/capability.h) against the engine's table, name by name.
TEST(OciNames, EveryCapabilityNumberHasOneName) {
#define ENGINE_KERNEL_CAP(cap) \
  { cap, #cap }
  const std::pair<int, const char*> kernel[] = {
      ENGINE_KERNEL_CAP(CAP_CHOWN),
      ENGINE_KERNEL_CAP(CAP_DAC_OVERRIDE),
      ENGINE_KERNEL_CAP(CAP_DAC_READ_SEARCH),
      ENGINE_KERNEL_CAP(CAP_FOWNER),
      ENGINE_KERNEL_CAP(CAP_FSETID),
      ENGINE_KERNEL_CAP(CAP_KILL),
      ENGINE_KERNEL_CAP(CAP_SETGID),
      ENGINE_KERNEL_CAP(CAP_SETUID),
      ENGINE_KERNEL_CAP(CAP_SETPCAP),
      ENGINE_KERNEL_CAP(CAP_LINUX_IMMUTABLE),
      ENGINE_KERNEL_CAP(CAP_NET_BIND_SERVICE),
      ENGINE_KERNEL_CAP(CAP_NET_BROADCAST),
      ENGINE_KERNEL_CAP(CAP_NET_ADMIN),
      ENGINE_KERNEL_CAP(CAP_NET_RAW),
      ENGINE_KERNEL_CAP(CAP_IPC_LOCK),
      ENGINE_KERNEL_CAP(CAP_IPC_OWNER),
      ENGINE_KERNEL_CAP(CAP_SYS_MODULE),
      ENGINE_KERNEL_CAP(CAP_SYS_RAWIO),
      ENGINE_KERNEL_CAP(CAP_SYS_CHROOT),
      ENGINE_KERNEL_CAP(CAP_SYS_PTRACE),
      ENGINE_KERNEL_CAP(CAP_SYS_PACCT),
      ENGINE_KERNEL_CAP(CAP_SYS_ADMIN),
      ENGINE_KERNEL_CAP(CAP_SYS_BOOT),
      ENGINE_KERNEL_CAP(CAP_SYS_NICE),
      ENGINE_KERNEL_CAP(CAP_SYS_RESOURCE),
      ENGINE_KERNEL_CAP(CAP_SYS_TIME),
      ENGINE_KERNEL_CAP(CAP_SYS_TTY_CONFIG),
      ENGINE_KERNEL_CAP(CAP_MKNOD),
      ENGINE_KERNEL_CAP(CAP_LEASE),
      ENGINE_KERNEL_CAP(CAP_AUDIT_WRITE),
      ENGINE_KERNEL_CAP(CAP_AUDIT_CONTROL),
      ENGINE_KERNEL_CAP(CAP_SETFCAP),
      ENGINE_KERNEL_CAP(CAP_MAC_OVERRIDE),
      ENGINE_KERNEL_CAP(CAP_MAC_ADMIN),
      ENGINE_KERNEL_CAP(CAP_SYSLOG),
      ENGINE_KERNEL_CAP(CAP_WAKE_ALARM),
      ENGINE_KERNEL_CAP(CAP_BLOCK_SUSPEND),
      ENGINE_KERNEL_CAP(CAP_AUDIT_READ),
      ENGINE_KERNEL_CAP(CAP_PERFMON),
      ENGINE_KERNEL_CAP(CAP_BPF),
      ENGINE_KERNEL_CAP(CAP_CHECKPOINT_RESTORE)};
#undef ENGINE_KERNEL_CAP
  ASSERT_EQ(std::size(kernel), static_cast<size_t>(CAP_LAST_CAP + 1));
  EXPECT_EQ(last_capability(), CAP_LAST_CAP);
  for (const auto& [number, name] : kernel) EXPECT_EQ(capability_from_name(name), number) << name;
}

TEST(OciNames, Rlimits) {
  EXPECT_EQ(rlimit_from_name("RLIMIT_CPU"), RLIMIT_CPU);
  EXPECT_EQ(rlimit_from_name("RLIMIT_NOFILE"), 7);
  EXPECT_EQ(rlimit_from_name("RLIMIT_NPROC"), RLIMIT_NPROC);
  EXPECT_EQ(rlimit_from_name("RLIMIT_AS"), RLIMIT_AS);
  EXPECT_EQ(rlimit_from_name("RLIMIT_CORE"), RLIMIT_CORE);
  EXPECT_EQ(rlimit_from_name("RLIMIT_MSGQUEUE"), RLIMIT_MSGQUEUE);
  EXPECT_EQ(rlimit_from_name("RLIMIT_RTTIME"), RLIMIT_RTTIME);
  int known = 0;
  for (const char* name :
       {"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
        "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME"})
    known += rlimit_from_name(name).has_value();
  EXPECT_EQ(known, 16);
  EXPECT_FALSE(rlimit_from_name("NOFILE"));
  EXPECT_FALSE(rlimit_from_name("RLIMIT_nofile"));
}

TEST(OciNames, Namespaces) {
  EXPECT_EQ(namespace_from_name("pid"), CLONE_NEWPID);
  EXPECT_EQ(namespace_from_name("network"), CLONE_NEWNET);
  EXPECT_EQ(namespace_from_name("mount"), CLONE_NEWNS);
  EXPECT_EQ(namespace_from_name("ipc"), CLONE_NEWIPC);
  EXPECT_EQ(namespace_from_name("uts"), CLONE_NEWUTS);
  EXPECT_EQ(namespace_from_name("user"), CLONE_NEWUSER);
  EXPECT_EQ(namespace_from_name("cgroup"), 0x02000000);
  EXPECT_EQ(namespace_from_name("time"), 0x80);
  EXPECT_FALSE(namespace_from_name("net"));
  EXPECT_FALSE(namespace_from_name("PID"));
}

// ---- bundles ----

TEST(OciBundle, LoadsAndResolvesRootfs) {
  Bundle bundle;
  bundle.make_rootfs();
  bundle.write_config(minimal());
  Spec spec = load_bundle(bundle.dir());
  EXPECT_EQ(spec.process->args, std::vector<std::string>{"sh"});
  EXPECT_EQ(rootfs_path(spec, bundle.dir()), bundle.dir() + "/rootfs");
  EXPECT_EQ(rootfs_path(spec, bundle.dir() + "/"), bundle.dir() + "/rootfs");
}

TEST(OciBundle, RootfsPathIsAbsoluteAndNormalized) {
  Spec spec;
  spec.root.path = "./a/../rootfs/";
  EXPECT_EQ(rootfs_path(spec, "/srv/bundle"), "/srv/bundle/rootfs");
  spec.root.path = "/var/lib/rootfs";
  EXPECT_EQ(rootfs_path(spec, "/srv/bundle"), "/var/lib/rootfs");
  spec.root.path = "rootfs";
  std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(rootfs_path(spec, "b"), cwd + "/b/rootfs");
  EXPECT_EQ(rootfs_path(spec, ""), cwd + "/rootfs");
}

TEST(OciBundle, MissingConfigNamesThePath) {
  Bundle bundle;
  EXPECT_EQ(bundle_error_of(bundle.dir()),
            bundle.dir() + "/config.json: No such file or directory");
}

TEST(OciBundle, ProcessIsRequired) {
  Bundle bundle;
  bundle.make_rootfs();
  json doc = minimal();
  doc.erase("process");
  bundle.write_config(doc);
  EXPECT_EQ(bundle_error_of(bundle.dir()), "config.json: process: is required");
}

TEST(OciBundle, RootfsMustBeAnExistingDirectory) {
  Bundle bundle;
  bundle.write_config(minimal());
  EXPECT_EQ(bundle_error_of(bundle.dir()),
            "config.json: root.path: " + bundle.dir() + "/rootfs: No such file or directory");
  write_file(bundle.dir() + "/rootfs", "");
  EXPECT_EQ(bundle_error_of(bundle.dir()),
            "config.json: root.path: " + bundle.dir() + "/rootfs: not a directory");
}

TEST(OciBundle, InvalidConfigUsesConfigJsonAsSource) {
  Bundle bundle;
  bundle.make_rootfs();
  write_file(bundle.dir() + "/config.json", "{\"ociVersion\": 2}");
  EXPECT_EQ(bundle_error_of(bundle.dir()), "config.json: ociVersion: must be a string");
}

}  // namespace
}  // namespace engine::oci
