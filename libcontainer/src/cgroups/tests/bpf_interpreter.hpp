// Runs a cgroup device program as the kernel would, for the instructions
// device_filter emits (and no others), so that its decisions can be checked
// without root. r1 points at the context until the program overwrites it.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace nucleus::cgroups::testing {

// The verdict (0 deny, 1 allow), or nullopt for an instruction this
// interpreter does not know, a bad context read, or running off the end.
inline std::optional<std::uint64_t> run_device_program(const std::vector<bpf_insn>& program,
                                                       const bpf_cgroup_dev_ctx& ctx) {
  std::uint64_t reg[11] = {};
  bool r1_is_ctx = true;
  for (std::size_t pc = 0; pc < program.size(); ++pc) {
    const bpf_insn& i = program[pc];
    std::uint64_t& dst = reg[i.dst_reg];
    const auto imm = static_cast<std::uint64_t>(static_cast<std::int64_t>(i.imm));  // sign-extended, as the kernel does
    bool jump = false;
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W: {
        if (i.src_reg != 1 || !r1_is_ctx || i.off < 0 || i.off + 4 > static_cast<int>(sizeof ctx)) return std::nullopt;
        std::uint32_t word = 0;
        std::memcpy(&word, reinterpret_cast<const char*>(&ctx) + i.off, 4);
        dst = word;
        break;
      }
      case BPF_ALU | BPF_AND | BPF_K: dst = static_cast<std::uint32_t>(dst & imm); break;
      case BPF_ALU | BPF_RSH | BPF_K: dst = static_cast<std::uint32_t>(dst) >> i.imm; break;
      case BPF_ALU | BPF_MOV | BPF_K: dst = static_cast<std::uint32_t>(imm); break;
      case BPF_ALU | BPF_MOV | BPF_X: dst = static_cast<std::uint32_t>(reg[i.src_reg]); break;
      case BPF_JMP | BPF_JNE | BPF_K: jump = dst != imm; break;
      case BPF_JMP | BPF_JEQ | BPF_K: jump = dst == imm; break;
      case BPF_JMP | BPF_JNE | BPF_X: jump = dst != reg[i.src_reg]; break;
      case BPF_JMP | BPF_EXIT: return reg[0];
      default: return std::nullopt;
    }
    if (i.dst_reg == 1 && (i.code & 0x07) != BPF_JMP) r1_is_ctx = false;
    if (jump) {
      if (i.off < 0) return std::nullopt;  // device programs never loop
      pc += static_cast<std::size_t>(i.off);
    }
  }
  return std::nullopt;
}

}  // namespace nucleus::cgroups::testing
