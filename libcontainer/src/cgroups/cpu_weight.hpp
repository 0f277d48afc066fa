// cgroup v1 weights to their cgroup v2 counterparts, linearly, as runc 1.1
// and crun 1.8 convert them (cgroups.ConvertCPUSharesToCgroupV2Value,
// ConvertBlkIOToIOWeightValue). Inputs are validated first (oci-spec): shares
// in [2, 262144], blkio weights in [10, 1000]; 0 stays 0 ("not set").
#pragma once

#include <cstdint>

namespace nucleus::cgroups {

// cpu.shares [2, 262144] -> cpu.weight [1, 10000].
std::uint64_t cpu_shares_to_weight(std::uint64_t shares);

// blkio.weight [10, 1000] -> io.weight [1, 10000].
std::uint64_t blkio_weight_to_io_weight(std::uint64_t weight);

}  // namespace nucleus::cgroups
