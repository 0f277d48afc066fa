#include "cgroups/cpu_weight.hpp"

namespace nucleus::cgroups {

std::uint64_t cpu_shares_to_weight(std::uint64_t shares) {
  if (shares == 0) return 0;
  return 1 + ((shares - 2) * 9999) / 262142;
}

std::uint64_t blkio_weight_to_io_weight(std::uint64_t weight) {
  if (weight == 0) return 0;
  return 1 + ((weight - 10) * 9999) / 990;
}

}  // namespace nucleus::cgroups
