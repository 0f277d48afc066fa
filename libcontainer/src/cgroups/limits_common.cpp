#include "cgroups/limits_common.hpp"

#include <unistd.h>

namespace nucleus::cgroups {

namespace fs = std::filesystem;

bool file_exists(const fs::path& path) { return ::access(path.c_str(), F_OK) == 0; }

Result<void> write_pids(LimitWriter& w, const fs::path& dir, const oci::PidsResources& pids) {
  if (pids.limit == 0) return {};
  return w.write(dir, "pids.max", pids.limit > 0 ? std::to_string(pids.limit) : "max");
}

Result<void> write_rdma(LimitWriter& w, const fs::path& dir, const std::map<std::string, oci::RdmaLimit>& rdma) {
  for (const auto& [device, limit] : rdma) {
    std::string line = device;
    if (limit.hca_handles) line += fmt::format(" hca_handle={}", *limit.hca_handles);
    if (limit.hca_objects) line += fmt::format(" hca_object={}", *limit.hca_objects);
    TRY_VOID(w.write(dir, "rdma.max", line));
  }
  return {};
}

Result<void> write_hugetlb(LimitWriter& w, const fs::path& dir, const std::vector<oci::HugepageLimit>& limits,
                           std::string_view suffix) {
  for (std::size_t i = 0; i < limits.size(); ++i) {
    const std::string prefix = "hugetlb." + limits[i].page_size;
    const std::string file = prefix + std::string(suffix);
    if (!file_exists(dir / file))
      return fail(fmt::format("linux.resources.hugepageLimits[{}].pageSize: this host has no {} huge pages "
                              "(no \"{}\")", i, limits[i].page_size, (dir / file).native()));
    const std::string value = std::to_string(limits[i].limit);
    TRY_VOID(w.write(dir, file, value));
    const std::string rsvd = prefix + ".rsvd" + std::string(suffix);
    if (file_exists(dir / rsvd)) TRY_VOID(w.write(dir, rsvd, value));
  }
  return {};
}

}  // namespace nucleus::cgroups
