#include "linux/cgroup_devices.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace engine::sys {
namespace {

unsigned access_bits(const std::string& access) {
  unsigned bits = 0;
  for (char c : access) {
    if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
    else if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
    else if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
  }
  return bits;
}

bool same_device(const DeviceException& a, const DeviceException& b) {
  return a.type == b.type && a.major == b.major && a.minor == b.minor;
}

bool covers(const DeviceException& e, char type, int64_t major, int64_t minor) {
  return (e.type == 'a' || e.type == type) && (e.major < 0 || e.major == major) &&
         (e.minor < 0 || e.minor == minor);
}

// As the kernel's devcgroup_update_access: "a" resets the default and drops the exceptions;
// a rule in the direction of the default takes access away from the exact same entry; one
// against it adds (or widens) an exception.
void apply(DevicePolicy& p, const oci::DeviceRule& rule) {
  if (rule.type == "a" && !rule.major && !rule.minor) {
    p.allow_by_default = rule.allow;
    p.exceptions.clear();
    return;
  }
  DeviceException e{rule.type.empty() ? 'a' : rule.type[0], rule.major.value_or(-1), rule.minor.value_or(-1),
                    access_bits(rule.access)};
  if (rule.allow == p.allow_by_default) {
    for (auto& x : p.exceptions)
      if (same_device(x, e)) x.access &= ~e.access;
    std::erase_if(p.exceptions, [](const DeviceException& x) { return x.access == 0; });
    return;
  }
  for (auto& x : p.exceptions)
    if (same_device(x, e)) return void(x.access |= e.access);
  p.exceptions.push_back(e);
}

// eBPF instructions (linux/bpf.h has the opcodes; the kernel's constructor macros are not uapi).
struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  struct bpf_insn i{};
  i.code = code;
  i.dst_reg = dst;
  i.src_reg = src;
  i.off = off;
  i.imm = imm;
  return i;
}
struct bpf_insn load_u32(uint8_t dst, int16_t offset) { return insn(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, offset, 0); }
struct bpf_insn mov_reg(uint8_t dst, uint8_t src) { return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
struct bpf_insn mov_imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
struct bpf_insn and_imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm); }
struct bpf_insn rsh_imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, imm); }
struct bpf_insn jump_if(uint8_t op, uint8_t dst, int32_t imm, int16_t skip) { return insn(BPF_JMP | op | BPF_K, dst, 0, skip, imm); }
struct bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

int bpf(int cmd, union bpf_attr& attr) { return static_cast<int>(::syscall(SYS_bpf, cmd, &attr, sizeof attr)); }

}  // namespace

const std::vector<std::string>& default_device_rules() {
  static const std::vector<std::string> rules = {
      "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
      "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm",
  };
  return rules;
}

oci::DeviceRule parse_device_rule(const std::string& text) {
  // "T MAJOR:MINOR ACCESS"
  oci::DeviceRule r;
  r.allow = true;
  size_t sp1 = text.find(' '), colon = text.find(':'), sp2 = text.rfind(' ');
  r.type = text.substr(0, sp1);
  auto number = [](const std::string& s) -> std::optional<int64_t> {
    if (s == "*") return std::nullopt;
    return std::stoll(s);
  };
  r.major = number(text.substr(sp1 + 1, colon - sp1 - 1));
  r.minor = number(text.substr(colon + 1, sp2 - colon - 1));
  r.access = text.substr(sp2 + 1);
  return r;
}

bool DevicePolicy::allows(char type, int64_t major, int64_t minor, unsigned access) const {
  for (const auto& e : exceptions) {
    if (!covers(e, type, major, minor)) continue;
    if (allow_by_default && (access & e.access)) return false;
    if (!allow_by_default && !(access & ~e.access)) return true;
  }
  return allow_by_default;
}

DevicePolicy device_policy(const std::vector<oci::DeviceRule>& spec_rules) {
  DevicePolicy p;
  for (const auto& r : spec_rules) apply(p, r);
  for (const auto& r : default_device_rules()) apply(p, parse_device_rule(r));
  return p;
}

std::vector<struct bpf_insn> device_filter_program(const DevicePolicy& policy) {
  // r2 = access, r3 = type, r4 = major, r5 = minor (struct bpf_cgroup_dev_ctx in r1).
  std::vector<struct bpf_insn> prog = {
      load_u32(BPF_REG_2, offsetof(struct bpf_cgroup_dev_ctx, access_type)),
      mov_reg(BPF_REG_3, BPF_REG_2),
      and_imm(BPF_REG_3, 0xffff),
      rsh_imm(BPF_REG_2, 16),
      load_u32(BPF_REG_4, offsetof(struct bpf_cgroup_dev_ctx, major)),
      load_u32(BPF_REG_5, offsetof(struct bpf_cgroup_dev_ctx, minor)),
  };
  int verdict_for_match = policy.allow_by_default ? 0 : 1;
  for (const auto& e : policy.exceptions) {
    // Each block falls through to its verdict when everything matches, else skips to the next.
    std::vector<struct bpf_insn> tests;
    if (e.type != 'a')
      tests.push_back(jump_if(BPF_JNE, BPF_REG_3, e.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0));
    if (e.major >= 0) tests.push_back(jump_if(BPF_JNE, BPF_REG_4, static_cast<int32_t>(e.major), 0));
    if (e.minor >= 0) tests.push_back(jump_if(BPF_JNE, BPF_REG_5, static_cast<int32_t>(e.minor), 0));
    tests.push_back(mov_reg(BPF_REG_6, BPF_REG_2));
    if (policy.allow_by_default) {
      // Denied if the access shares a bit with the exception.
      tests.push_back(and_imm(BPF_REG_6, static_cast<int32_t>(e.access)));
      tests.push_back(jump_if(BPF_JEQ, BPF_REG_6, 0, 0));
    } else {
      // Allowed only if the exception covers all of the access.
      tests.push_back(and_imm(BPF_REG_6, static_cast<int32_t>(~e.access & 0xffff)));
      tests.push_back(jump_if(BPF_JNE, BPF_REG_6, 0, 0));
    }
    tests.push_back(mov_imm(BPF_REG_0, verdict_for_match));
    tests.push_back(exit_insn());
    for (size_t i = 0; i < tests.size(); ++i)
      if (BPF_CLASS(tests[i].code) == BPF_JMP && BPF_OP(tests[i].code) != BPF_EXIT)
        tests[i].off = static_cast<int16_t>(tests.size() - i - 1);
    prog.insert(prog.end(), tests.begin(), tests.end());
  }
  prog.push_back(mov_imm(BPF_REG_0, policy.allow_by_default ? 1 : 0));
  prog.push_back(exit_insn());
  return prog;
}

void attach_device_filter(const std::string& cgroup_dir, const DevicePolicy& policy) {
  auto prog = device_filter_program(policy);
  static const char license[] = "Apache-2.0";
  auto load = [&](char* log, uint32_t log_size) {
    union bpf_attr attr{};
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = reinterpret_cast<uint64_t>(prog.data());
    attr.insn_cnt = static_cast<uint32_t>(prog.size());
    attr.license = reinterpret_cast<uint64_t>(license);
    attr.log_buf = reinterpret_cast<uint64_t>(log);
    attr.log_size = log_size;
    attr.log_level = log ? 1 : 0;
    return UniqueFd(bpf(BPF_PROG_LOAD, attr));
  };
  UniqueFd program = load(nullptr, 0);
  if (!program) {
    // Again with the verifier's log, for the message only.
    int err = errno;
    std::string log(1 << 16, '\0');
    load(log.data(), static_cast<uint32_t>(log.size()));
    log.resize(std::strlen(log.c_str()));
    while (!log.empty() && log.back() == '\n') log.pop_back();
    throw Error("cgroup " + cgroup_dir + ": load device filter: " + std::strerror(err) +
                (log.empty() ? "" : " (verifier: " + log.substr(log.rfind('\n') + 1) + ")"));
  }
  UniqueFd dir(::open(cgroup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) throw_errno("open " + cgroup_dir);
  union bpf_attr attach{};
  attach.target_fd = static_cast<uint32_t>(dir.get());
  attach.attach_bpf_fd = static_cast<uint32_t>(program.get());
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, attach) < 0) throw_errno("cgroup " + cgroup_dir + ": attach device filter");
}

}  // namespace engine::sys
