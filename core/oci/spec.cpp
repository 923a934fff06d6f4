// Parsing and validation of config.json. Every read goes through Field, which carries the JSON
// path of the value, so each error names exactly the field at fault:
//   "config.json: mounts[2].destination: must be an absolute path"
// Unknown keys are ignored for forward compatibility; null counts as absent.
#include "oci/spec.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>
#include <type_traits>
#include <utility>

#include "common/file.hpp"

namespace engine::oci {
namespace {

using nlohmann::json;

// A JSON value (possibly absent) and the path naming it in messages.
class Field {
 public:
  Field(const json* value, std::string source, std::string path)
      : value_(value), source_(std::move(source)), path_(std::move(path)) {}

  bool present() const { return value_ != nullptr && !value_->is_null(); }

  [[noreturn]] void fail(const std::string& problem) const {
    std::string where = path_.empty() ? "" : path_ + ": ";
    throw ConfigError(source_ + ": " + where + problem);
  }

  const Field& required() const {
    if (!present()) fail("is required");
    return *this;
  }

  // Member `key` of this object (absent if missing); fails if this is present but no object.
  Field operator[](const std::string& key) const {
    std::string path = path_.empty() ? key : path_ + "." + key;
    if (!present()) return Field(nullptr, source_, path);
    if (!value_->is_object()) fail("must be an object");
    auto it = value_->find(key);
    return Field(it == value_->end() ? nullptr : &*it, source_, path);
  }

  // Element i of an array (absent if out of range), with its "[i]" path.
  Field at(size_t i) const {
    return Field(present() && i < value_->size() ? &(*value_)[i] : nullptr, source_,
                 path_ + "[" + std::to_string(i) + "]");
  }

  // The elements of an array; absent means empty.
  std::vector<Field> elements() const {
    std::vector<Field> out;
    if (!present()) return out;
    if (!value_->is_array()) fail("must be an array");
    for (size_t i = 0; i < value_->size(); ++i) out.push_back(at(i));
    return out;
  }

  // The members of an object, in key order; absent means none.
  std::vector<std::pair<std::string, Field>> members() const {
    std::vector<std::pair<std::string, Field>> out;
    if (!present()) return out;
    if (!value_->is_object()) fail("must be an object");
    for (const auto& [key, value] : value_->items()) out.emplace_back(key, (*this)[key]);
    return out;
  }

  // The value as T; fails "is required" if absent and "must be ..." on a wrong type or range.
  template <typename T>
  T as() const {
    required();
    if constexpr (std::is_same_v<T, std::string>) {
      if (!value_->is_string()) fail("must be a string");
      return value_->get<std::string>();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!value_->is_boolean()) fail("must be a boolean");
      return value_->get<bool>();
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      if (!value_->is_array()) fail("must be an array of strings");
      std::vector<std::string> out;
      for (const Field& element : elements()) out.push_back(element.as<std::string>());
      return out;
    } else {
      static_assert(std::is_integral_v<T>);
      return integer<T>();
    }
  }

  // Stores the value in out if present; leaves out (its default) alone if absent.
  template <typename T>
  void read(T& out) const {
    if (present()) out = as<T>();
  }
  template <typename T>
  void read(std::optional<T>& out) const {
    if (present()) out = as<T>();
  }

 private:
  template <typename T>
  T integer() const {
    using limits = std::numeric_limits<T>;
    // Documents built in C++ hold non-negative numbers as signed, so check the value.
    if (!value_->is_number_integer())
      fail(limits::is_signed ? "must be an integer" : "must be an unsigned integer");
    if (value_->is_number_unsigned()) {
      auto v = value_->get<uint64_t>();
      if (v > static_cast<uint64_t>(limits::max()))
        fail("must be at most " + std::to_string(limits::max()));
      return static_cast<T>(v);
    }
    auto v = value_->get<int64_t>();
    if (!limits::is_signed && v < 0) fail("must be an unsigned integer");
    if (v < static_cast<int64_t>(limits::min()))
      fail("must be at least " + std::to_string(limits::min()));
    if (v >= 0 && static_cast<uint64_t>(v) > static_cast<uint64_t>(limits::max()))
      fail("must be at most " + std::to_string(limits::max()));
    return static_cast<T>(v);
  }

  const json* value_;
  std::string source_;
  std::string path_;
};

// A value quoted as JSON, so a name with odd characters still yields a one-line message.
std::string quote_json(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

bool is_absolute(const std::string& path) { return !path.empty() && path[0] == '/'; }

std::string absolute_path(const Field& f) {
  std::string path = f.as<std::string>();
  if (!is_absolute(path)) f.fail("must be an absolute path");
  return path;
}

// An optional path where "" means unset, as in Go's omitempty.
std::string optional_absolute_path(const Field& f) {
  std::string path;
  f.read(path);
  if (!path.empty() && !is_absolute(path)) f.fail("must be an absolute path");
  return path;
}

std::vector<std::string> absolute_paths(const Field& f) {
  std::vector<std::string> paths;
  f.read(paths);
  for (size_t i = 0; i < paths.size(); ++i)
    if (!is_absolute(paths[i])) f.at(i).fail("must be an absolute path");
  return paths;
}

std::vector<std::string> environment(const Field& f) {
  std::vector<std::string> env;
  f.read(env);
  for (size_t i = 0; i < env.size(); ++i) {
    size_t eq = env[i].find('=');
    if (eq == std::string::npos || eq == 0) f.at(i).fail("must have the form KEY=VALUE");
  }
  return env;
}

using NameLookup = std::optional<int> (*)(const std::string&);

// A name from a table (capability, rlimit, namespace); `kind` words the error.
int named_number(const Field& f, NameLookup lookup, const char* kind) {
  std::string name = f.as<std::string>();
  std::optional<int> number = lookup(name);
  if (!number) f.fail(std::string("unknown ") + kind + " " + quote_json(name));
  return *number;
}

std::vector<int> named_numbers(const Field& f, NameLookup lookup, const char* kind) {
  std::vector<std::string> names;
  f.read(names);
  std::vector<int> numbers;
  for (size_t i = 0; i < names.size(); ++i) numbers.push_back(named_number(f.at(i), lookup, kind));
  return numbers;
}

// A string from a fixed set of words (seccomp actions, device types ...).
std::string one_of(const Field& f, std::initializer_list<std::string_view> allowed,
                   const char* kind) {
  std::string value = f.as<std::string>();
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end())
    f.fail(std::string("unknown ") + kind + " " + quote_json(value));
  return value;
}

std::map<std::string, std::string> string_map(const Field& f) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : f.members()) out[key] = value.as<std::string>();
  return out;
}

// ---- process ----

User user(const Field& f) {
  User u;
  u.uid = f["uid"].as<uid_t>();
  u.gid = f["gid"].as<gid_t>();
  f["umask"].read(u.umask);
  for (const Field& gid : f["additionalGids"].elements())
    u.additional_gids.push_back(gid.as<gid_t>());
  return u;
}

Capabilities capabilities(const Field& f) {
  Capabilities c;
  c.bounding = named_numbers(f["bounding"], capability_from_name, "capability");
  c.effective = named_numbers(f["effective"], capability_from_name, "capability");
  c.inheritable = named_numbers(f["inheritable"], capability_from_name, "capability");
  c.permitted = named_numbers(f["permitted"], capability_from_name, "capability");
  c.ambient = named_numbers(f["ambient"], capability_from_name, "capability");
  return c;
}

Rlimit rlimit(const Field& f) {
  Rlimit r;
  r.resource = named_number(f["type"], rlimit_from_name, "rlimit");
  r.hard = f["hard"].as<uint64_t>();
  r.soft = f["soft"].as<uint64_t>();
  if (r.soft > r.hard) f["soft"].fail("must not exceed hard (" + std::to_string(r.hard) + ")");
  return r;
}

std::vector<Rlimit> rlimits(const Field& f) {
  std::vector<Rlimit> out;
  for (const Field& element : f.elements()) {
    Rlimit r = rlimit(element);
    // setrlimit applies in order, so a repeated type would silently override the first.
    for (const Rlimit& seen : out)
      if (seen.resource == r.resource)
        element["type"].fail("duplicate rlimit " + quote_json(element["type"].as<std::string>()));
    out.push_back(r);
  }
  return out;
}

Process process(const Field& f) {
  Process p;
  f["terminal"].read(p.terminal);
  if (Field size = f["consoleSize"]; size.present())
    p.console_size =
        ConsoleSize{size["height"].as<unsigned short>(), size["width"].as<unsigned short>()};
  p.user = user(f["user"].required());
  p.args = f["args"].as<std::vector<std::string>>();
  if (p.args.empty()) f["args"].fail("must be a non-empty array");
  p.env = environment(f["env"]);
  p.cwd = absolute_path(f["cwd"]);
  if (Field caps = f["capabilities"]; caps.present()) p.capabilities = capabilities(caps);
  p.rlimits = rlimits(f["rlimits"]);
  f["noNewPrivileges"].read(p.no_new_privileges);
  if (Field oom = f["oomScoreAdj"]; oom.present()) {
    p.oom_score_adj = oom.as<int>();
    if (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000)
      oom.fail("must be between -1000 and 1000");
  }
  f["apparmorProfile"].read(p.apparmor_profile);
  f["selinuxLabel"].read(p.selinux_label);
  return p;
}

// ---- linux ----

std::vector<Namespace> namespaces(const Field& f) {
  std::vector<Namespace> out;
  for (const Field& element : f.elements()) {
    Namespace ns;
    Field type = element["type"];
    ns.type = named_number(type, namespace_from_name, "namespace");
    for (const Namespace& seen : out)
      if (seen.type == ns.type)
        type.fail("duplicate namespace " + quote_json(type.as<std::string>()));
    ns.path = optional_absolute_path(element["path"]);
    out.push_back(ns);
  }
  return out;
}

std::vector<IdMapping> id_mappings(const Field& f) {
  std::vector<IdMapping> out;
  for (const Field& element : f.elements()) {
    IdMapping m;
    m.container_id = element["containerID"].as<uint32_t>();
    m.host_id = element["hostID"].as<uint32_t>();
    m.size = element["size"].as<uint32_t>();
    if (m.size == 0) element["size"].fail("must be greater than zero");
    out.push_back(m);
  }
  return out;
}

// As runc: a new user namespace needs both mappings, and mappings need a new user namespace
// (a joined one already has its own).
void check_user_namespace(const Field& f, const LinuxSpec& spec) {
  const Namespace* user = spec.find_namespace(CLONE_NEWUSER);
  bool creates = user != nullptr && user->path.empty();
  std::pair<const char*, bool> mappings[] = {{"uidMappings", spec.uid_mappings.empty()},
                                             {"gidMappings", spec.gid_mappings.empty()}};
  for (auto [key, empty] : mappings) {
    if (creates && empty) f[key].fail("is required when creating a user namespace");
    if (!creates && !empty)
      f[key].fail(user ? "must be empty when joining a user namespace"
                       : "requires a \"user\" namespace in linux.namespaces");
  }
}

Device device(const Field& f) {
  Device d;
  d.path = absolute_path(f["path"]);
  d.type = one_of(f["type"], {"c", "b", "u", "p"}, "device type")[0];
  if (d.type == 'p') {  // a FIFO has no device number
    f["major"].read(d.major);
    f["minor"].read(d.minor);
  } else {
    d.major = f["major"].as<int64_t>();
    d.minor = f["minor"].as<int64_t>();
  }
  f["fileMode"].read(d.file_mode);
  f["uid"].read(d.uid);
  f["gid"].read(d.gid);
  return d;
}

DeviceRule device_rule(const Field& f) {
  DeviceRule r;
  r.allow = f["allow"].as<bool>();
  if (f["type"].present()) r.type = one_of(f["type"], {"a", "c", "b"}, "device type");
  f["major"].read(r.major);
  f["minor"].read(r.minor);
  f["access"].read(r.access);
  if (r.access.find_first_not_of("rwm") != std::string::npos)
    f["access"].fail("must contain only the letters r, w and m");
  return r;
}

Resources resources(const Field& f) {
  Resources r;
  for (const Field& rule : f["devices"].elements()) r.devices.push_back(device_rule(rule));
  Field memory = f["memory"];
  memory["limit"].read(r.memory_limit);
  memory["reservation"].read(r.memory_reservation);
  memory["swap"].read(r.memory_swap);
  Field cpu = f["cpu"];
  cpu["shares"].read(r.cpu_shares);
  cpu["quota"].read(r.cpu_quota);
  cpu["period"].read(r.cpu_period);
  cpu["cpus"].read(r.cpuset_cpus);
  cpu["mems"].read(r.cpuset_mems);
  if (Field pids = f["pids"]; pids.present()) r.pids_limit = pids["limit"].as<int64_t>();
  return r;
}

const std::initializer_list<std::string_view> kSeccompActions = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY"};

SeccompArg seccomp_arg(const Field& f) {
  SeccompArg a;
  a.index = f["index"].as<unsigned>();
  if (a.index > 5) f["index"].fail("must be at most 5");  // syscalls take six arguments
  a.value = f["value"].as<uint64_t>();
  f["valueTwo"].read(a.value_two);
  a.op = one_of(f["op"],
                {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
                 "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"},
                "seccomp operator");
  return a;
}

SeccompRule seccomp_rule(const Field& f) {
  SeccompRule r;
  r.names = f["names"].as<std::vector<std::string>>();
  if (r.names.empty()) f["names"].fail("must be a non-empty array");
  r.action = one_of(f["action"], kSeccompActions, "seccomp action");
  f["errnoRet"].read(r.errno_ret);
  for (const Field& arg : f["args"].elements()) r.args.push_back(seccomp_arg(arg));
  return r;
}

Seccomp seccomp(const Field& f) {
  Seccomp s;
  s.default_action = one_of(f["defaultAction"], kSeccompActions, "seccomp action");
  f["defaultErrnoRet"].read(s.default_errno_ret);
  f["architectures"].read(s.architectures);
  for (const Field& rule : f["syscalls"].elements()) s.syscalls.push_back(seccomp_rule(rule));
  return s;
}

LinuxSpec linux_spec(const Field& f) {
  LinuxSpec l;
  l.namespaces = namespaces(f["namespaces"]);
  l.uid_mappings = id_mappings(f["uidMappings"]);
  l.gid_mappings = id_mappings(f["gidMappings"]);
  check_user_namespace(f, l);
  for (const Field& dev : f["devices"].elements()) l.devices.push_back(device(dev));
  f["cgroupsPath"].read(l.cgroups_path);
  if (Field r = f["resources"]; r.present()) l.resources = resources(r);
  if (Field s = f["seccomp"]; s.present()) l.seccomp = seccomp(s);
  l.masked_paths = absolute_paths(f["maskedPaths"]);
  l.readonly_paths = absolute_paths(f["readonlyPaths"]);
  l.sysctl = string_map(f["sysctl"]);
  f["rootfsPropagation"].read(l.rootfs_propagation);
  if (!l.rootfs_propagation.empty())
    one_of(f["rootfsPropagation"],
           {"private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable",
            "runbindable"},
           "propagation");
  f["mountLabel"].read(l.mount_label);
  return l;
}

// ---- top level ----

Mount mount(const Field& f) {
  Mount m;
  m.destination = absolute_path(f["destination"]);
  f["type"].read(m.type);
  f["source"].read(m.source);
  f["options"].read(m.options);
  return m;
}

Hook hook(const Field& f) {
  Hook h;
  h.path = absolute_path(f["path"]);
  f["args"].read(h.args);
  h.env = environment(f["env"]);
  if (Field timeout = f["timeout"]; timeout.present()) {
    h.timeout = timeout.as<int>();
    if (*h.timeout <= 0) timeout.fail("must be greater than zero");
  }
  return h;
}

Hooks hooks(const Field& f) {
  Hooks h;
  std::pair<const char*, std::vector<Hook>*> lists[] = {
      {"prestart", &h.prestart},
      {"createRuntime", &h.create_runtime},
      {"createContainer", &h.create_container},
      {"startContainer", &h.start_container},
      {"poststart", &h.poststart},
      {"poststop", &h.poststop},
  };
  for (auto& [key, list] : lists)
    for (const Field& element : f[key].elements()) list->push_back(hook(element));
  return h;
}

Root root(const Field& f) {
  Root r;
  r.path = f["path"].as<std::string>();
  if (r.path.empty()) f["path"].fail("must not be empty");
  f["readonly"].read(r.readonly);
  return r;
}

// Setting a host or domain name on the host's UTS namespace would change the host's.
void check_uts_namespace(const Field& doc, const Spec& spec) {
  if (spec.linux_spec.has_namespace(CLONE_NEWUTS)) return;
  if (!spec.hostname.empty())
    doc["hostname"].fail("requires a \"uts\" namespace in linux.namespaces");
  if (!spec.domainname.empty())
    doc["domainname"].fail("requires a \"uts\" namespace in linux.namespaces");
}

Spec spec(const Field& doc) {
  Spec s;
  s.oci_version = doc["ociVersion"].as<std::string>();
  s.root = root(doc["root"].required());
  if (Field p = doc["process"]; p.present()) s.process = process(p);
  doc["hostname"].read(s.hostname);
  doc["domainname"].read(s.domainname);
  for (const Field& m : doc["mounts"].elements()) s.mounts.push_back(mount(m));
  s.linux_spec = linux_spec(doc["linux"]);
  check_uts_namespace(doc, s);
  s.hooks = hooks(doc["hooks"]);
  s.annotations = string_map(doc["annotations"]);
  return s;
}

// nlohmann's message without its "[json.exception.parse_error.101] " tag, on one line.
std::string parse_problem(const json::parse_error& e) {
  std::string text = e.what();
  if (size_t tag = text.find("] ");
      text.starts_with("[json.exception.") && tag != std::string::npos)
    text.erase(0, tag + 2);
  std::replace_if(
      text.begin(), text.end(), [](unsigned char c) { return c < 0x20; }, ' ');
  return text;
}

}  // namespace

bool LinuxSpec::has_namespace(int type) const { return find_namespace(type) != nullptr; }

const Namespace* LinuxSpec::find_namespace(int type) const {
  for (const Namespace& ns : namespaces)
    if (ns.type == type) return &ns;
  return nullptr;
}

Spec parse_spec(const json& doc, const std::string& source) {
  Field top(&doc, source, "");
  if (!doc.is_object()) top.fail("must be a JSON object");
  return spec(top);
}

Spec parse_spec_text(const std::string& text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ConfigError(source + ": malformed JSON: " + parse_problem(e));
  }
  return parse_spec(doc, source);
}

Resources parse_resources(const json& doc, const std::string& source) {
  Field top(&doc, source, "");
  if (!doc.is_object()) top.fail("must be a JSON object");
  return resources(top);
}

Process parse_process(const json& obj, const std::string& prefix) {
  Field top(&obj, prefix, "");
  if (!obj.is_object()) top.fail("must be a JSON object");
  return process(top);
}

Spec load_bundle(const std::string& bundle_dir) {
  std::string config = (std::filesystem::path(bundle_dir) / "config.json").string();
  std::string text;
  try {
    text = read_file(config);
  } catch (const SystemError& e) {
    throw ConfigError(config + ": " + std::strerror(e.code()));
  }
  Spec spec = parse_spec_text(text, "config.json");
  if (!spec.process) throw ConfigError("config.json: process: is required");

  std::string rootfs = rootfs_path(spec, bundle_dir);
  struct stat st;
  if (::stat(rootfs.c_str(), &st) != 0)
    throw ConfigError("config.json: root.path: " + rootfs + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode))
    throw ConfigError("config.json: root.path: " + rootfs + ": not a directory");
  return spec;
}

std::string rootfs_path(const Spec& spec, const std::string& bundle_dir) {
  namespace fs = std::filesystem;
  fs::path bundle = fs::absolute(bundle_dir.empty() ? "." : bundle_dir);
  // Lexical only: the path names what the user wrote, resolved against the bundle (not cwd).
  std::string path = (bundle / spec.root.path).lexically_normal().string();
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace engine::oci
