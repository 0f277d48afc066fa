// The network interfaces of a container's network namespace, with their
// counters, from /proc/<pid>/net/dev.
#pragma once

#include <sys/types.h>

#include <string_view>
#include <vector>

#include "nucleus/error.hpp"
#include "nucleus/stats.hpp"

namespace nucleus::events {

// /proc/<pid>/net/dev text: two header lines, then "name: rx_bytes
// rx_packets rx_errs rx_drop fifo frame compressed multicast tx_bytes
// tx_packets tx_errs tx_drop ..." per interface.
Result<std::vector<NetworkInterface>> parse_net_dev(std::string_view text);

// The interfaces of pid's network namespace; none when it is the runtime's
// own (the host's interfaces are not the container's).
Result<std::vector<NetworkInterface>> namespace_interfaces(pid_t pid);

}  // namespace nucleus::events
