#include "cgroups/device_filter.hpp"

#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace nucleus::cgroups {

static_assert(access_mknod == BPF_DEVCG_ACC_MKNOD && access_read == BPF_DEVCG_ACC_READ &&
              access_write == BPF_DEVCG_ACC_WRITE);

namespace {

// Registers: r1 the context (then a scratch), r2 device type, r3 access,
// r4 major, r5 minor, r0 the verdict.
enum Reg : std::uint8_t { r0 = 0, r1 = 1, r2 = 2, r3 = 3, r4 = 4, r5 = 5 };

bpf_insn insn(std::uint8_t code, Reg dst, Reg src, std::int16_t off, std::int32_t imm) {
  return bpf_insn{code, static_cast<std::uint8_t>(dst & 0xf), static_cast<std::uint8_t>(src & 0xf), off, imm};
}
bpf_insn load_word(Reg dst, std::int16_t offset) { return insn(BPF_LDX | BPF_MEM | BPF_W, dst, r1, offset, 0); }
bpf_insn alu32_imm(std::uint8_t op, Reg dst, std::int32_t imm) { return insn(BPF_ALU | op | BPF_K, dst, r0, 0, imm); }
bpf_insn mov32_reg(Reg dst, Reg src) { return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, r0, r0, 0, 0); }

// A jump to the next block: its offset is filled in once the block is whole.
constexpr std::int16_t to_next_block = std::numeric_limits<std::int16_t>::min();
bpf_insn jump_imm(std::uint8_t op, Reg reg, std::int32_t imm) {
  return insn(BPF_JMP | op | BPF_K, reg, r0, to_next_block, imm);
}
bpf_insn jump_reg(std::uint8_t op, Reg dst, Reg src) { return insn(BPF_JMP | op | BPF_X, dst, src, to_next_block, 0); }

// The bpf_cgroup_dev_ctx fields into r2..r5.
void append_prologue(std::vector<bpf_insn>& out) {
  out.push_back(load_word(r2, offsetof(bpf_cgroup_dev_ctx, access_type)));
  out.push_back(alu32_imm(BPF_AND, r2, 0xffff));
  out.push_back(load_word(r3, offsetof(bpf_cgroup_dev_ctx, access_type)));
  out.push_back(alu32_imm(BPF_RSH, r3, 16));
  out.push_back(load_word(r4, offsetof(bpf_cgroup_dev_ctx, major)));
  out.push_back(load_word(r5, offsetof(bpf_cgroup_dev_ctx, minor)));
}

// Whether the requested access (r3) matches the exception's: all of it for
// an allow exception, any of it for a deny one (see the header).
void append_access_check(std::vector<bpf_insn>& block, const DeviceRule& e) {
  if (e.access == access_all) return;
  block.push_back(mov32_reg(r1, r3));
  block.push_back(alu32_imm(BPF_AND, r1, static_cast<std::int32_t>(e.access)));
  block.push_back(e.allow ? jump_reg(BPF_JNE, r1, r3) : jump_imm(BPF_JEQ, r1, 0));
}

Result<std::int32_t> immediate(std::int64_t n) {
  if (n < 0 || n > std::numeric_limits<std::int32_t>::max())
    return fail(fmt::format("device number {} does not fit a BPF device program", n));
  return static_cast<std::int32_t>(n);
}

Result<void> append_exception(std::vector<bpf_insn>& out, const DeviceRule& e) {
  std::vector<bpf_insn> block;
  const std::int32_t type = e.type == DeviceType::block ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
  block.push_back(jump_imm(BPF_JNE, r2, type));
  append_access_check(block, e);
  if (e.major != any_number) block.push_back(jump_imm(BPF_JNE, r4, TRY(immediate(e.major))));
  if (e.minor != any_number) block.push_back(jump_imm(BPF_JNE, r5, TRY(immediate(e.minor))));
  block.push_back(alu32_imm(BPF_MOV, r0, e.allow ? 1 : 0));
  block.push_back(exit_insn());
  for (std::size_t i = 0; i < block.size(); ++i) {
    if (block[i].off == to_next_block) block[i].off = static_cast<std::int16_t>(block.size() - i - 1);
  }
  out.insert(out.end(), block.begin(), block.end());
  return {};
}

}  // namespace

Result<std::vector<bpf_insn>> device_filter_program(const DeviceEmulator& state) {
  std::vector<bpf_insn> out;
  append_prologue(out);
  for (const auto& e : state.exceptions()) TRY_VOID(append_exception(out, e));
  out.push_back(alu32_imm(BPF_MOV, r0, state.default_allow() ? 1 : 0));
  out.push_back(exit_insn());
  return out;
}

}  // namespace nucleus::cgroups
