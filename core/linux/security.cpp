#include "linux/security.hpp"

#include <grp.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>

#include "common/error.hpp"

namespace engine::sys {
namespace {

uint64_t cap_mask(const std::vector<int>& caps) {
  uint64_t mask = 0;
  for (int c : caps) mask |= uint64_t{1} << c;
  return mask;
}

void set_capabilities(const oci::Capabilities& caps) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  uint64_t eff = cap_mask(caps.effective), perm = cap_mask(caps.permitted),
           inh = cap_mask(caps.inheritable);
  for (int i = 0; i < 2; ++i) {
    data[i].effective = static_cast<uint32_t>(eff >> (32 * i));
    data[i].permitted = static_cast<uint32_t>(perm >> (32 * i));
    data[i].inheritable = static_cast<uint32_t>(inh >> (32 * i));
  }
  if (::syscall(SYS_capset, &header, data) != 0) throw_errno("capset");
  check(::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clear ambient capabilities");
  for (int c : caps.ambient)
    // Raising fails unless the cap is permitted and inheritable; runc ignores that too.
    ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0);
}

struct SeccompAction {
  const char* name;
  uint32_t value;
};

uint32_t seccomp_action(const std::string& name, std::optional<unsigned> errno_ret) {
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(errno_ret.value_or(EPERM));
  static constexpr SeccompAction kActions[] = {
      {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD},   {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
      {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS}, {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
      {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},        {"SCMP_ACT_LOG", SCMP_ACT_LOG},
      {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
  };
  for (const auto& a : kActions)
    if (name == a.name) return a.value;
  throw Error("seccomp: unknown action " + name);
}

scmp_compare seccomp_op(const std::string& op) {
  static constexpr std::pair<const char*, scmp_compare> kOps[] = {
      {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
  };
  for (const auto& [name, value] : kOps)
    if (op == name) return value;
  throw Error("seccomp: unknown operator " + op);
}

}  // namespace

void apply_rlimits(const std::vector<oci::Rlimit>& rlimits) {
  for (const auto& r : rlimits) {
    struct rlimit lim{static_cast<rlim_t>(r.soft), static_cast<rlim_t>(r.hard)};
    if (::setrlimit(r.resource, &lim) != 0)
      throw_errno("setrlimit " + std::to_string(r.resource) + " " + std::to_string(r.soft) + "/" +
                  std::to_string(r.hard));
  }
}

void drop_bounding_set(const oci::Capabilities& caps) {
  uint64_t keep = cap_mask(caps.bounding);
  for (int c = 0; c <= oci::last_capability(); ++c) {
    if (keep & (uint64_t{1} << c)) continue;
    if (::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL)
      throw_errno("drop capability " + std::to_string(c) + " from the bounding set");
  }
}

void change_user(const oci::User& user, const std::optional<oci::Capabilities>& caps) {
  if (caps) check(::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)");
  if (::setgroups(user.additional_gids.size(), user.additional_gids.data()) != 0 && errno != EPERM)
    throw_errno("setgroups");
  if (::setresgid(user.gid, user.gid, user.gid) != 0) throw_errno("setgid " + std::to_string(user.gid));
  if (::setresuid(user.uid, user.uid, user.uid) != 0) throw_errno("setuid " + std::to_string(user.uid));
  if (caps) {
    check(::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)");
    set_capabilities(*caps);
  }
}

void set_no_new_privileges() {
  check(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");
}

void load_seccomp(const oci::Seccomp& spec) {
  std::unique_ptr<void, decltype(&seccomp_release)> ctx(
      seccomp_init(seccomp_action(spec.default_action, spec.default_errno_ret)), seccomp_release);
  if (!ctx) throw Error("seccomp: cannot initialise the filter");
  // The engine sets no_new_privs itself when the spec asks; the filter must not force it.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  for (const auto& arch_name : spec.architectures) {
    std::string lower;
    for (char c : arch_name.substr(arch_name.rfind("SCMP_ARCH_") == 0 ? 10 : 0))
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    uint32_t arch = seccomp_arch_resolve_name(lower.c_str());
    if (arch == 0) throw Error("seccomp: unknown architecture " + arch_name);
    int rc = seccomp_arch_add(ctx.get(), arch);
    if (rc != 0 && rc != -EEXIST) throw_errno(-rc, "seccomp: add architecture " + arch_name);
  }
  for (const auto& rule : spec.syscalls) {
    uint32_t action = seccomp_action(rule.action, rule.errno_ret);
    std::vector<scmp_arg_cmp> args;
    for (const auto& a : rule.args)
      args.push_back(scmp_arg_cmp{a.index, seccomp_op(a.op), a.value, a.value_two});
    for (const auto& name : rule.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // unknown on this architecture: runc skips it too
      int rc = seccomp_rule_add_array(ctx.get(), action, nr, static_cast<unsigned>(args.size()),
                                      args.data());
      // A rule equal to the default action is refused by libseccomp; it is a no-op anyway.
      if (rc != 0 && rc != -EACCES && rc != -EEXIST) throw_errno(-rc, "seccomp: add rule for " + name);
    }
  }
  int rc = seccomp_load(ctx.get());
  if (rc != 0) throw_errno(-rc, "seccomp: load filter");
}

}  // namespace engine::sys
