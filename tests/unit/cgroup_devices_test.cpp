// Device policy: the v1 controller's semantics, and the eBPF program that enforces them on v2
// (run here through a small interpreter of the instructions it uses).
#include <gtest/gtest.h>

#include <cstring>

#include "linux/cgroup_devices.hpp"

namespace engine::sys {
namespace {

constexpr unsigned M = BPF_DEVCG_ACC_MKNOD, R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE;

oci::DeviceRule rule(bool allow, const std::string& text) {
  auto r = parse_device_rule(text);
  r.allow = allow;
  return r;
}
oci::DeviceRule all(bool allow) {
  oci::DeviceRule r;
  r.allow = allow;
  return r;
}

// Runs the subset of eBPF the generator emits on one access.
int run(const std::vector<struct bpf_insn>& prog, char type, uint32_t major, uint32_t minor, unsigned access) {
  uint64_t reg[11] = {};
  struct bpf_cgroup_dev_ctx ctx{(access << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR), major, minor};
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const auto& i = prog[pc];
    uint8_t cls = BPF_CLASS(i.code), op = BPF_OP(i.code);
    if (cls == BPF_LDX) {
      uint32_t v;
      std::memcpy(&v, reinterpret_cast<const char*>(&ctx) + i.off, 4);
      reg[i.dst_reg] = v;
    } else if (cls == BPF_ALU64 && op == BPF_MOV) {
      reg[i.dst_reg] = BPF_SRC(i.code) == BPF_X ? reg[i.src_reg] : static_cast<uint64_t>(static_cast<int64_t>(i.imm));
    } else if (cls == BPF_ALU && op == BPF_AND) {
      reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg] & static_cast<uint32_t>(i.imm));
    } else if (cls == BPF_ALU && op == BPF_RSH) {
      reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg]) >> i.imm;
    } else if (cls == BPF_JMP && op == BPF_EXIT) {
      return static_cast<int>(reg[0]);
    } else if (cls == BPF_JMP && (op == BPF_JEQ || op == BPF_JNE)) {
      bool equal = static_cast<uint32_t>(reg[i.dst_reg]) == static_cast<uint32_t>(i.imm);
      if (equal == (op == BPF_JEQ)) pc += i.off;
    } else {
      ADD_FAILURE() << "unexpected instruction " << int(i.code) << " at " << pc;
      return -1;
    }
  }
  ADD_FAILURE() << "fell off the end";
  return -1;
}

// The program decides every access as the policy does.
void expect_program_matches(const DevicePolicy& p) {
  auto prog = device_filter_program(p);
  for (char type : {'c', 'b'})
    for (uint32_t major : {1u, 5u, 8u, 42u, 136u})
      for (uint32_t minor : {0u, 1u, 3u, 7u})
        for (unsigned access = 1; access <= 7; ++access)
          EXPECT_EQ(run(prog, type, major, minor, access), p.allows(type, major, minor, access) ? 1 : 0)
              << type << " " << major << ":" << minor << " access " << access;
}

TEST(DevicePolicy, DenyAllThenDefaultsAllowOnlyTheUsualDevices) {
  auto p = device_policy({all(false)});
  EXPECT_FALSE(p.allow_by_default);
  EXPECT_TRUE(p.allows('c', 1, 3, R | W));       // /dev/null
  EXPECT_TRUE(p.allows('c', 136, 7, R | W));     // a pty slave
  EXPECT_TRUE(p.allows('b', 8, 0, M));           // mknod of anything
  EXPECT_FALSE(p.allows('b', 8, 0, R));          // but not reading a disk
  EXPECT_FALSE(p.allows('c', 42, 0, R));
  expect_program_matches(p);
}

TEST(DevicePolicy, AllowedAccessMustBeCoveredWhole) {
  auto p = device_policy({all(false), rule(true, "c 42:0 r")});
  EXPECT_TRUE(p.allows('c', 42, 0, R));
  EXPECT_FALSE(p.allows('c', 42, 0, R | W));
  EXPECT_FALSE(p.allows('c', 42, 1, R));
  expect_program_matches(p);
}

TEST(DevicePolicy, LaterDenyNarrowsAnEarlierAllow) {
  auto p = device_policy({all(false), rule(true, "c 42:* rw"), rule(false, "c 42:* w")});
  EXPECT_TRUE(p.allows('c', 42, 3, R));
  EXPECT_FALSE(p.allows('c', 42, 3, W));
  expect_program_matches(p);
}

TEST(DevicePolicy, NoRulesAllowsEverything) {
  auto p = device_policy({});
  EXPECT_TRUE(p.allow_by_default);
  EXPECT_TRUE(p.exceptions.empty());
  EXPECT_TRUE(p.allows('b', 8, 0, R | W | M));
  expect_program_matches(p);
}

TEST(DevicePolicy, DenyOnAllowByDefaultBlocksAnySharedAccess) {
  auto p = device_policy({rule(false, "b 8:* rw")});
  EXPECT_FALSE(p.allows('b', 8, 1, R));
  EXPECT_FALSE(p.allows('b', 8, 1, R | M));
  EXPECT_TRUE(p.allows('b', 8, 1, M));
  EXPECT_TRUE(p.allows('c', 8, 1, R));
  expect_program_matches(p);
}

TEST(DevicePolicy, AnAllRuleResetsWhatCameBefore) {
  auto p = device_policy({rule(false, "b 8:* rw"), all(true)});
  EXPECT_TRUE(p.allows('b', 8, 1, R));
  expect_program_matches(p);
}

TEST(DevicePolicy, ParsesV1RuleStrings) {
  auto r = parse_device_rule("c 136:* rwm");
  EXPECT_EQ(r.type, "c");
  EXPECT_EQ(r.major, 136);
  EXPECT_FALSE(r.minor);
  EXPECT_EQ(r.access, "rwm");
}

}  // namespace
}  // namespace engine::sys
