// The -ENOSYS stub's logic, without loading anything: which numbers a
// profile knows per architecture, and what the stub answers, run on a small
// cBPF interpreter in front of a stand-in for libseccomp's program.
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <cerrno>
#include <cstddef>
#include <optional>

#include <catch2/catch.hpp>

#include "security/seccomp_enosys.hpp"

using namespace nucleus;

namespace {

constexpr std::uint32_t kX32Bit = 0x40000000;
constexpr std::uint32_t kEnosys = SECCOMP_RET_ERRNO | ENOSYS;
constexpr std::uint32_t kFilter = 0x7fff1234;  // what the stand-in program returns

// The classic BPF a seccomp filter may use, as far as the stub needs it.
// nullopt for anything else (or a jump out of the program).
std::optional<std::uint32_t> run(const std::vector<sock_filter>& prog, std::uint32_t arch, std::uint32_t nr) {
  std::uint32_t a = 0;
  for (std::size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& f = prog[pc];
    switch (f.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        if (f.k == offsetof(seccomp_data, nr)) a = nr;
        else if (f.k == offsetof(seccomp_data, arch)) a = arch;
        else return std::nullopt;
        break;
      case BPF_RET | BPF_K:
        return f.k;
      case BPF_JMP | BPF_JA:
        pc += f.k;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += a == f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JGT | BPF_K: pc += a > f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JGE | BPF_K: pc += a >= f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += (a & f.k) ? f.jt : f.jf; break;
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

// The stub for `last`, followed by `ret kFilter`.
std::vector<sock_filter> patched(const std::vector<LastSyscall>& last) {
  auto stub = enosys_stub(last);
  REQUIRE(stub);
  std::vector<sock_filter> prog = *stub;
  prog.push_back({BPF_RET | BPF_K, 0, 0, kFilter});
  return prog;
}

oci::Syscall named(std::vector<std::string> names, std::string action = "SCMP_ACT_ALLOW") {
  return oci::Syscall{std::move(names), std::move(action), std::nullopt, {}};
}

}  // namespace

TEST_CASE("the stub applies unless the default action lets syscalls through", "[seccomp][enosys]") {
  for (const char* refusing : {"SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
                               "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP"})
    CHECK(wants_enosys_stub(refusing));
  for (const char* permissive : {"SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE"})
    CHECK_FALSE(wants_enosys_stub(permissive));
}

TEST_CASE("the last syscall per architecture counts every rule, skips unknown names",
          "[seccomp][enosys]") {
  // clone: 56 on x86-64, 120 on i386; on x32 56 with the x32 bit. Unknown
  // names, and ones absent on an architecture, do not count.
  std::vector<oci::Syscall> rules{named({"read", "clone", "no_such_syscall"}),
                                  named({"s390_pci_mmio_read", "write"}, "SCMP_ACT_ERRNO")};
  auto last = last_syscalls({SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_X86_64}, rules);
  CHECK(last == std::vector<LastSyscall>{{AUDIT_ARCH_X86_64, SyscallAbi::x86_64, 56},
                                         {AUDIT_ARCH_I386, SyscallAbi::plain, 120},
                                         {AUDIT_ARCH_X86_64, SyscallAbi::x32, kX32Bit | 56}});
  // Only syscall 0 known (read on x86-64): as runc, no stub for the arch.
  CHECK(last_syscalls({SCMP_ARCH_X86_64}, {named({"read"})}).empty());
  CHECK(last_syscalls({}, rules).empty());
}

TEST_CASE("above the last syscall: ENOSYS; up to it: the filter", "[seccomp][enosys]") {
  auto prog = patched({{AUDIT_ARCH_I386, SyscallAbi::plain, 300}});
  CHECK(run(prog, AUDIT_ARCH_I386, 0) == kFilter);
  CHECK(run(prog, AUDIT_ARCH_I386, 300) == kFilter);
  CHECK(run(prog, AUDIT_ARCH_I386, 301) == kEnosys);
  CHECK(run(prog, AUDIT_ARCH_I386, 0xffffffff) == kEnosys);
  // Another architecture is the filter's to judge (its bad-arch action).
  CHECK(run(prog, AUDIT_ARCH_AARCH64, 1000) == kFilter);
  CHECK(enosys_stub({})->empty());
}

TEST_CASE("x86-64 and x32 share an AUDIT_ARCH, told apart by the x32 bit", "[seccomp][enosys]") {
  auto both = patched({{AUDIT_ARCH_X86_64, SyscallAbi::x86_64, 334},
                       {AUDIT_ARCH_X86_64, SyscallAbi::x32, kX32Bit | 400}});
  CHECK(run(both, AUDIT_ARCH_X86_64, 334) == kFilter);
  CHECK(run(both, AUDIT_ARCH_X86_64, 335) == kEnosys);
  CHECK(run(both, AUDIT_ARCH_X86_64, kX32Bit | 335) == kFilter);
  CHECK(run(both, AUDIT_ARCH_X86_64, kX32Bit | 401) == kEnosys);

  // Only the native ABI listed: x32 numbers go to the filter untouched.
  auto native = patched({{AUDIT_ARCH_X86_64, SyscallAbi::x86_64, 334}});
  CHECK(run(native, AUDIT_ARCH_X86_64, 335) == kEnosys);
  CHECK(run(native, AUDIT_ARCH_X86_64, kX32Bit | 1) == kFilter);
  CHECK(run(native, AUDIT_ARCH_X86_64, kX32Bit | 1000) == kFilter);

  // Only x32 listed: native numbers go to the filter untouched.
  auto x32 = patched({{AUDIT_ARCH_X86_64, SyscallAbi::x32, kX32Bit | 400}});
  CHECK(run(x32, AUDIT_ARCH_X86_64, 1000) == kFilter);
  CHECK(run(x32, AUDIT_ARCH_X86_64, kX32Bit | 400) == kFilter);
  CHECK(run(x32, AUDIT_ARCH_X86_64, kX32Bit | 401) == kEnosys);
}

TEST_CASE("s390(x): syscall 0 is an unknown number, ENOSYS", "[seccomp][enosys]") {
  auto prog = patched({{AUDIT_ARCH_S390X, SyscallAbi::plain, 400}});
  CHECK(run(prog, AUDIT_ARCH_S390X, 0) == kEnosys);
  CHECK(run(prog, AUDIT_ARCH_S390X, 1) == kFilter);
  CHECK(run(prog, AUDIT_ARCH_S390X, 401) == kEnosys);
}

TEST_CASE("every architecture libseccomp knows at once: jumps stay in range", "[seccomp][enosys]") {
  std::vector<LastSyscall> last;
  for (std::uint32_t arch : std::initializer_list<std::uint32_t>{AUDIT_ARCH_I386, AUDIT_ARCH_ARM, AUDIT_ARCH_AARCH64, AUDIT_ARCH_MIPS,
                             AUDIT_ARCH_MIPSEL, AUDIT_ARCH_MIPS64, AUDIT_ARCH_MIPSEL64,
                             AUDIT_ARCH_MIPS64N32, AUDIT_ARCH_MIPSEL64N32, AUDIT_ARCH_PPC,
                             AUDIT_ARCH_PPC64, AUDIT_ARCH_PPC64LE, AUDIT_ARCH_S390, AUDIT_ARCH_S390X,
                             AUDIT_ARCH_PARISC, AUDIT_ARCH_PARISC64, AUDIT_ARCH_RISCV64})
    last.push_back({arch, SyscallAbi::plain, 500});
  last.push_back({AUDIT_ARCH_X86_64, SyscallAbi::x86_64, 450});
  last.push_back({AUDIT_ARCH_X86_64, SyscallAbi::x32, kX32Bit | 450});
  auto prog = patched(last);
  for (const auto& l : last) {
    CHECK(run(prog, l.audit_arch, l.nr) == kFilter);
    CHECK(run(prog, l.audit_arch, l.nr + 1) == kEnosys);
  }
}
