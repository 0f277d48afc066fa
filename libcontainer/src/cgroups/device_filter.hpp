// The cgroup v2 form of a devices cgroup state: a BPF_PROG_TYPE_CGROUP_DEVICE
// program, built instruction by instruction (no BPF library).
//
// Like runc's devicefilter, it compiles the emulated state, not the raw rule
// list: every exception then has the same verdict (the opposite of the
// default), so their order does not matter and "a later rule overrides an
// earlier one" holds exactly as on v1. Each exception is one block that
// returns its verdict when the access matches and falls through to the next
// block otherwise; the program ends returning the default.
//
// One deviation from runc 1.1: in allow-all mode a deny exception matches an
// access that names ANY of its letters (v1's rule), where runc's program
// wants all of the requested access to be in the exception, which lets an
// O_RDWR open through a rule that denies only "w".
#pragma once

#include <linux/bpf.h>

#include <vector>

#include "cgroups/device_emulator.hpp"
#include "nucleus/error.hpp"

namespace nucleus::cgroups {

// Fails only for a major or minor too large for a BPF immediate, which
// validation keeps out of configs.
Result<std::vector<bpf_insn>> device_filter_program(const DeviceEmulator& state);

// The program's license ("Apache", as runc's): it calls no GPL-only helper.
inline constexpr const char* device_filter_license = "Apache";

}  // namespace nucleus::cgroups
