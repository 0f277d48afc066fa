// runc's "-ENOSYS stub" (runc >= 1.0.2): a syscall newer than every syscall
// a profile names gets ENOSYS instead of the profile's default action, so
// that a C library falls back to the older call it replaces (glibc: clone3 ->
// clone, faccessat2 -> faccessat) instead of failing on EPERM. The rule, as
// runc 1.1.5 applies it (checked on this host, conformance/test_seccomp.py):
//   - only when the default action refuses: not for SCMP_ACT_ALLOW, _LOG or
//     _TRACE (a tracer is expected to handle new syscalls itself);
//   - only for the architectures listed in `architectures` (none listed: no
//     stub, even for the native one);
//   - per architecture, "newer" is a number above the highest one that any
//     rule names, whatever that rule's action; names unknown on that
//     architecture do not count, and an architecture whose highest number is
//     0 (none known, or only syscall 0) gets no stub;
//   - x86-64 and x32 share one AUDIT_ARCH and are told apart by the x32 bit
//     of the syscall number, each with its own highest number; on s390(x)
//     syscall 0 (how the kernel reports a number it does not know) gets ENOSYS.
//
// libseccomp 2.5 cannot express "any number above N", so the stub is a
// cBPF prologue put in front of the program libseccomp generates (exported
// with seccomp_export_bpf), as runc's patchbpf does: it reads the arch and
// the number, answers ENOSYS or falls through to the first instruction of
// libseccomp's program, which starts from scratch (it loads the arch
// itself), and whose jumps, all relative and forward, are unaffected. A
// second filter would not do: the kernel runs every filter and keeps the most
// restrictive verdict, so a KILL default would still win over ENOSYS.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus {

// How an AUDIT_ARCH's syscall numbers are checked.
enum class SyscallAbi {
  plain,   // one numbering
  x86_64,  // AUDIT_ARCH_X86_64, numbers without the x32 bit (1 << 30)
  x32,     // AUDIT_ARCH_X86_64, numbers with it
};

// The highest syscall number a profile names for one ABI of one architecture.
struct LastSyscall {
  std::uint32_t audit_arch = 0;
  SyscallAbi abi = SyscallAbi::plain;
  std::uint32_t nr = 0;
  bool operator==(const LastSyscall&) const = default;
};

// Whether a profile with this default action gets the stub (runc's rule).
bool wants_enosys_stub(std::string_view default_action);

// The highest number named by `rules` on each of `scmp_arches` (libseccomp's
// SCMP_ARCH_* tokens), resolved by libseccomp; repeated architectures are
// counted once, those whose highest number is 0 left out.
std::vector<LastSyscall> last_syscalls(const std::vector<std::uint32_t>& scmp_arches,
                                       const std::vector<oci::Syscall>& rules);

// The prologue: ERRNO(ENOSYS) for a number above the last one of its
// architecture and ABI, else on to the instruction right after the stub.
// Empty when `last` is.
Result<std::vector<sock_filter>> enosys_stub(const std::vector<LastSyscall>& last);

}  // namespace nucleus
