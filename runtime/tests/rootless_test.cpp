// runc's RunningInUserNS test on the text of /proc/self/uid_map, which
// --rootless auto and the XDG state root of a root in a user namespace use.
#include <catch2/catch.hpp>

#include "nucleus/rootless.hpp"

using nucleus::is_initial_uid_map;

TEST_CASE("only the initial user namespace maps the whole id range", "[rootless]") {
  CHECK(is_initial_uid_map("         0          0 4294967295\n"));
  CHECK_FALSE(is_initial_uid_map("         0       1001          1\n"));
  CHECK_FALSE(is_initial_uid_map("0 0 4294967295\n1 100000 65536\n"));
  CHECK_FALSE(is_initial_uid_map("0 0 4294967294\n"));
  CHECK_FALSE(is_initial_uid_map(""));  // an unmapped namespace
}
