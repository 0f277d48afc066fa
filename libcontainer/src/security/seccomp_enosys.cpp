// The -ENOSYS stub: which numbers a profile knows, and the cBPF prologue
// that answers ENOSYS above them (see the header for runc's rule).
#include "security/seccomp_enosys.hpp"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <optional>

#include <fmt/format.h>

namespace nucleus {

namespace {

constexpr std::uint32_t kX32Bit = 0x40000000;  // __X32_SYSCALL_BIT
constexpr std::uint32_t kRetEnosys = SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA);

// cBPF with labels for jump targets, resolved when the layout is known. All
// jumps go forward, as cBPF requires.
class Assembler {
 public:
  using Label = std::size_t;

  Label label() {
    targets_.push_back(std::nullopt);
    return targets_.size() - 1;
  }
  void bind(Label l) { targets_[l] = code_.size(); }

  void load_word(std::uint32_t offset) { code_.push_back({BPF_LD | BPF_W | BPF_ABS, offset, {}, {}, {}}); }
  void ret(std::uint32_t value) { code_.push_back({BPF_RET | BPF_K, value, {}, {}, {}}); }
  void jump(Label to) { code_.push_back({BPF_JMP | BPF_JA, 0, {}, {}, to}); }
  // if (A <op> k) goto on_true; else goto on_false (nullopt: the next instruction)
  void branch(std::uint16_t op, std::uint32_t k, std::optional<Label> on_true,
              std::optional<Label> on_false) {
    code_.push_back({static_cast<std::uint16_t>(BPF_JMP | op | BPF_K), k, on_true, on_false, {}});
  }

  Result<std::vector<sock_filter>> finish() const {
    std::vector<sock_filter> out;
    out.reserve(code_.size());
    for (std::size_t i = 0; i < code_.size(); ++i) {
      const Insn& in = code_[i];
      sock_filter f{in.code, 0, 0, in.k};
      if (in.always) f.k = TRY(offset(i, *in.always, UINT32_MAX));
      if (in.on_true) f.jt = static_cast<std::uint8_t>(TRY(offset(i, *in.on_true, 255)));
      if (in.on_false) f.jf = static_cast<std::uint8_t>(TRY(offset(i, *in.on_false, 255)));
      out.push_back(f);
    }
    return out;
  }

 private:
  struct Insn {
    std::uint16_t code;
    std::uint32_t k;
    std::optional<Label> on_true, on_false, always;
  };

  // Instructions skipped to reach `l` from the one at `from`.
  Result<std::uint32_t> offset(std::size_t from, Label l, std::uint32_t max) const {
    if (!targets_[l] || *targets_[l] <= from || *targets_[l] - from - 1 > max)
      return fail(fmt::format("seccomp -ENOSYS stub: jump from instruction {} out of range", from));
    return static_cast<std::uint32_t>(*targets_[l] - from - 1);
  }

  std::vector<Insn> code_;
  std::vector<std::optional<std::size_t>> targets_;
};

// The highest numbers of one AUDIT_ARCH, per ABI.
struct ArchLimits {
  std::uint32_t audit_arch = 0;
  std::optional<std::uint32_t> plain, x86_64, x32;
};

std::vector<ArchLimits> group_by_arch(const std::vector<LastSyscall>& last) {
  std::vector<ArchLimits> groups;
  for (const auto& l : last) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const ArchLimits& g) { return g.audit_arch == l.audit_arch; });
    if (it == groups.end()) it = groups.insert(groups.end(), ArchLimits{l.audit_arch, {}, {}, {}});
    switch (l.abi) {
      case SyscallAbi::plain: it->plain = l.nr; break;
      case SyscallAbi::x86_64: it->x86_64 = l.nr; break;
      case SyscallAbi::x32: it->x32 = l.nr; break;
    }
  }
  return groups;
}

// With the syscall number loaded: ENOSYS above the limits, else the filter.
Result<void> emit_section(Assembler& a, const ArchLimits& g, Assembler::Label enosys,
                          Assembler::Label filter) {
  a.load_word(offsetof(seccomp_data, nr));
  // s390(x): a number the kernel does not know reaches seccomp as 0.
  if (g.audit_arch == AUDIT_ARCH_S390 || g.audit_arch == AUDIT_ARCH_S390X)
    a.branch(BPF_JEQ, 0, enosys, std::nullopt);
  if (g.plain) {
    if (g.x86_64 || g.x32) return fail("seccomp -ENOSYS stub: x86-64 ABIs mixed with another");
    a.branch(BPF_JGT, *g.plain, enosys, filter);
    return {};
  }
  Assembler::Label x32 = a.label();
  a.branch(BPF_JSET, kX32Bit, g.x32 ? std::optional(x32) : filter,
           g.x86_64 ? std::nullopt : std::optional(filter));
  if (g.x86_64) a.branch(BPF_JGT, *g.x86_64, enosys, filter);
  a.bind(x32);
  if (g.x32) a.branch(BPF_JGT, *g.x32, enosys, filter);
  return {};
}

std::uint32_t audit_arch_of(std::uint32_t scmp_arch) {
  // libseccomp's tokens are the AUDIT_ARCH values, but for x32's own token.
  return scmp_arch == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : scmp_arch;
}

SyscallAbi abi_of(std::uint32_t scmp_arch) {
  if (scmp_arch == SCMP_ARCH_X86_64) return SyscallAbi::x86_64;
  if (scmp_arch == SCMP_ARCH_X32) return SyscallAbi::x32;
  return SyscallAbi::plain;
}

}  // namespace

bool wants_enosys_stub(std::string_view default_action) {
  return default_action != "SCMP_ACT_ALLOW" && default_action != "SCMP_ACT_LOG" &&
         default_action != "SCMP_ACT_TRACE";
}

std::vector<LastSyscall> last_syscalls(const std::vector<std::uint32_t>& scmp_arches,
                                       const std::vector<oci::Syscall>& rules) {
  std::vector<LastSyscall> out;
  std::vector<std::uint32_t> seen;
  for (std::uint32_t arch : scmp_arches) {
    if (std::find(seen.begin(), seen.end(), arch) != seen.end()) continue;
    seen.push_back(arch);
    int highest = 0;  // unknown names resolve below 0
    for (const auto& rule : rules) {
      for (const auto& name : rule.names)
        highest = std::max(highest, ::seccomp_syscall_resolve_name_arch(arch, name.c_str()));
    }
    if (highest > 0) out.push_back({audit_arch_of(arch), abi_of(arch), static_cast<std::uint32_t>(highest)});
  }
  return out;
}

// ld arch; one jeq per arch to its section; ja filter; the sections;
// enosys: ret ERRNO(ENOSYS); filter: (the program that follows).
Result<std::vector<sock_filter>> enosys_stub(const std::vector<LastSyscall>& last) {
  if (last.empty()) return std::vector<sock_filter>{};
  std::vector<ArchLimits> groups = group_by_arch(last);
  Assembler a;
  Assembler::Label enosys = a.label(), filter = a.label();
  std::vector<Assembler::Label> sections;
  a.load_word(offsetof(seccomp_data, arch));
  for (const auto& g : groups) {
    sections.push_back(a.label());
    a.branch(BPF_JEQ, g.audit_arch, sections.back(), std::nullopt);
  }
  a.jump(filter);  // an architecture without a section: libseccomp's program decides
  for (std::size_t i = 0; i < groups.size(); ++i) {
    a.bind(sections[i]);
    TRY_VOID(emit_section(a, groups[i], enosys, filter));
  }
  a.bind(enosys);
  a.ret(kRetEnosys);
  a.bind(filter);
  return a.finish();
}

}  // namespace nucleus
