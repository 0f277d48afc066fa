// /proc/<pid>/net/dev as the kernel writes it (recorded on this host).
#include <sched.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "events/net_dev.hpp"

using namespace nucleus;
using namespace nucleus::events;

namespace {

constexpr const char* kNetDev =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
    "carrier compressed\n"
    "    lo:    3267      29    0    0    0     0          0         0     3267      29    0    0    0     0       "
    "0          0\n"
    "  eth0: 9876543210 1234 5 6    0     0          0        17  4242 42    7    8    0     0       0          0\n";

}  // namespace

TEST_CASE("net/dev: receive and transmit counters per interface, in runc's fields", "[events]") {
  auto parsed = parse_net_dev(kNetDev);
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 2);
  const auto& lo = (*parsed)[0];
  CHECK(lo.name == "lo");
  CHECK(lo.rx_bytes == 3267);
  CHECK(lo.rx_packets == 29);
  CHECK(lo.tx_bytes == 3267);
  CHECK(lo.tx_packets == 29);
  const auto& eth = (*parsed)[1];
  CHECK(eth.name == "eth0");
  CHECK(eth.rx_bytes == 9876543210ULL);
  CHECK(eth.rx_packets == 1234);
  CHECK(eth.rx_errors == 5);
  CHECK(eth.rx_dropped == 6);
  CHECK(eth.tx_bytes == 4242);
  CHECK(eth.tx_packets == 42);
  CHECK(eth.tx_errors == 7);
  CHECK(eth.tx_dropped == 8);
}

TEST_CASE("net/dev: a short or garbled line is an error that quotes it", "[events]") {
  auto short_line = parse_net_dev("h1\nh2\n  lo: 1 2 3\n");
  REQUIRE_FALSE(short_line);
  CHECK_THAT(short_line.error().what(), Catch::Contains("expected 16 counters in \"lo: 1 2 3\""));
  auto garbled = parse_net_dev("h1\nh2\n lo: 1 2 3 4 5 6 7 8 x 10 11 12 13 14 15 16\n");
  REQUIRE_FALSE(garbled);
  CHECK_THAT(garbled.error().what(), Catch::Contains("bad counter \"x\""));
  auto empty = parse_net_dev("h1\nh2\n");
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("net/dev: the runtime's own network namespace is not reported", "[events]") {
  auto own = namespace_interfaces(::getpid());
  REQUIRE(own);
  CHECK(own->empty());
}
