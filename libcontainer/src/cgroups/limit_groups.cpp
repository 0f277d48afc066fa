#include "cgroups/limit_groups.hpp"

namespace nucleus::cgroups {

std::string_view v1_controller(Group g) {
  switch (g) {
    case Group::cpuset: return "cpuset";
    case Group::memory: return "memory";
    case Group::cpu: return "cpu";
    case Group::pids: return "pids";
    case Group::blkio: return "blkio";
    case Group::hugetlb: return "hugetlb";
    case Group::net_cls: return "net_cls";
    case Group::net_prio: return "net_prio";
    case Group::rdma: return "rdma";
  }
  return "";
}

std::string_view v2_controller(Group g) {
  switch (g) {
    case Group::blkio: return "io";
    case Group::net_cls:
    case Group::net_prio: return "";
    default: return v1_controller(g);
  }
}

namespace {

bool uses_memory(const oci::MemoryResources& m) {
  return nonzero(m.limit) || nonzero(m.reservation) || nonzero(m.swap) || m.swappiness ||
         m.disable_oom_killer || m.use_hierarchy;
}

bool uses_cpu(const oci::CpuResources& c) {
  return nonzero(c.shares) || nonzero(c.quota) || nonzero(c.period) || nonzero(c.realtime_runtime) ||
         nonzero(c.realtime_period) || c.burst || c.idle;
}

bool uses_blkio(const oci::BlockIoResources& b) {
  return nonzero(b.weight) || nonzero(b.leaf_weight) || !b.weight_device.empty() ||
         !b.throttle_read_bps_device.empty() || !b.throttle_write_bps_device.empty() ||
         !b.throttle_read_iops_device.empty() || !b.throttle_write_iops_device.empty();
}

}  // namespace

bool uses(Group g, const oci::Resources& r) {
  switch (g) {
    case Group::cpuset: return r.cpu && (!r.cpu->cpus.empty() || !r.cpu->mems.empty());
    case Group::memory: return r.memory && uses_memory(*r.memory);
    case Group::cpu: return r.cpu && uses_cpu(*r.cpu);
    case Group::pids: return r.pids && r.pids->limit != 0;
    case Group::blkio: return r.block_io && uses_blkio(*r.block_io);
    case Group::hugetlb: return !r.hugepage_limits.empty();
    case Group::net_cls: return r.network && nonzero(r.network->class_id);
    case Group::net_prio: return r.network && !r.network->priorities.empty();
    case Group::rdma: return !r.rdma.empty();
  }
  return false;
}

std::string json_path(Group g, const oci::Resources& r) {
  switch (g) {
    case Group::cpuset: return r.cpu && !r.cpu->cpus.empty() ? "linux.resources.cpu.cpus" : "linux.resources.cpu.mems";
    case Group::memory: return "linux.resources.memory";
    case Group::cpu: return "linux.resources.cpu";
    case Group::pids: return "linux.resources.pids";
    case Group::blkio: return "linux.resources.blockIO";
    case Group::hugetlb: return "linux.resources.hugepageLimits";
    case Group::net_cls: return "linux.resources.network.classID";
    case Group::net_prio: return "linux.resources.network.priorities";
    case Group::rdma: return "linux.resources.rdma";
  }
  return "linux.resources";
}

}  // namespace nucleus::cgroups
