#include <catch2/catch.hpp>

#include "container_output.hpp"

using namespace nucleus;
using namespace nucleus::cli;

namespace {

ContainerState sample(std::string id, pid_t pid, Status status) {
  ContainerState s;
  s.id = std::move(id);
  s.pid = pid;
  s.status = status;
  s.bundle = "/b";
  s.rootfs = "/b/rootfs";
  s.created = "2026-11-28T14:58:21.123456789Z";
  return s;
}

}  // namespace

TEST_CASE("list table: columns at least 12 wide, 3 spaces of padding, last column as is") {
  CHECK(list_table({}) == "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
  const std::vector<ContainerState> cs{sample("a-long-container-id", 42, Status::running)};
  CHECK(list_table(cs) ==
        "ID                    PID         STATUS      BUNDLE      CREATED                          OWNER\n"
        "a-long-container-id   42          running     /b          2026-11-28T14:58:21.123456789Z   \n");
}

TEST_CASE("list json: a compact array, or null") {
  CHECK(list_json({}) == "null\n");
  auto s = sample("c", 0, Status::stopped);
  s.annotations = {{"k", "v"}};
  const std::vector<ContainerState> cs{s};
  CHECK(list_json(cs) ==
        "[{\"ociVersion\":\"1.3.0\",\"id\":\"c\",\"pid\":0,\"status\":\"stopped\",\"bundle\":\"/b\","
        "\"rootfs\":\"/b/rootfs\",\"created\":\"2026-11-28T14:58:21.123456789Z\","
        "\"annotations\":{\"k\":\"v\"},\"owner\":\"\"}]\n");
  CHECK(list_ids(cs) == "c\n");
}

TEST_CASE("state maps onto the spec's RuntimeState") {
  const auto rs = to_runtime_state(sample("c", 7, Status::paused));
  CHECK(rs.id == "c");
  CHECK(rs.pid == 7);
  CHECK(rs.status == "paused");
  CHECK(rs.oci_version == "1.3.0");
}

TEST_CASE("ps: json pids, and the host ps lines of the container's pids") {
  const std::vector<pid_t> pids{13939, 7};
  CHECK(pids_json(pids) == "[13939,7]\n");
  CHECK(pids_json({}) == "[]\n");
  const std::string ps =
      "UID          PID    PPID  C STIME TTY          TIME CMD\n"
      "root           1       0  0 10:00 ?        00:00:01 /sbin/init\n"
      "root           7       1  0 10:00 ?        00:00:00 sleep 100\n"
      "root       13939       1  0 10:00 ?        00:00:00 sh -c x\n";
  auto out = filter_ps_output(ps, pids);
  REQUIRE(out);
  CHECK(*out ==
        "UID          PID    PPID  C STIME TTY          TIME CMD\n"
        "root           7       1  0 10:00 ?        00:00:00 sleep 100\n"
        "root       13939       1  0 10:00 ?        00:00:00 sh -c x\n");
  CHECK_FALSE(filter_ps_output("USER COMMAND\nroot x\n", pids));
  CHECK_FALSE(filter_ps_output("PID CMD\nabc x\n", pids));
}
