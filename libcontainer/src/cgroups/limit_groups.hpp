// linux.resources split by the controller that applies each part, with the
// controller's v1 and v2 names and the JSON path errors name.
#pragma once

#include <array>
#include <string_view>

#include <oci/config.hpp>

namespace nucleus::cgroups {

enum class Group { cpuset, memory, cpu, pids, blkio, hugetlb, net_cls, net_prio, rdma };

// runc's fs (v1) order: cpuset, memory, cpu, pids, blkio, hugetlb, net_cls,
// net_prio, rdma (devices are set on their own, before).
inline constexpr std::array kV1Order = {Group::cpuset, Group::memory,  Group::cpu,
                                        Group::pids,   Group::blkio,   Group::hugetlb,
                                        Group::net_cls, Group::net_prio, Group::rdma};
// runc's fs2 order: pids, memory, io, cpu, cpuset, hugetlb, rdma, then unified.
inline constexpr std::array kV2Order = {Group::pids,   Group::memory,  Group::blkio, Group::cpu,
                                        Group::cpuset, Group::hugetlb, Group::rdma};

std::string_view v1_controller(Group g);
// "" when cgroup v2 has no such controller (net_cls, net_prio).
std::string_view v2_controller(Group g);

// Whether change asks this controller to write anything (zero is "not set",
// as in runc; memory.kernel and kernelTCP only warn).
bool uses(Group g, const oci::Resources& change);

// The JSON path of the first field of change the group writes.
std::string json_path(Group g, const oci::Resources& change);

// A value runc counts as "set".
inline bool nonzero(const std::optional<std::int64_t>& v) { return v && *v != 0; }
inline bool nonzero(const std::optional<std::uint64_t>& v) { return v && *v != 0; }
inline bool nonzero(const std::optional<std::uint16_t>& v) { return v && *v != 0; }
inline bool nonzero(const std::optional<std::uint32_t>& v) { return v && *v != 0; }

}  // namespace nucleus::cgroups
