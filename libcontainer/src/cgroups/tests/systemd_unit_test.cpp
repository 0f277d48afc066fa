// The systemd driver's names and properties, as runc 1.1 makes them.
#include <limits>

#include <catch2/catch.hpp>

#include "cgroups/systemd_unit.hpp"
#include "limits_support.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

constexpr std::uint64_t kInfinity = std::numeric_limits<std::uint64_t>::max();

const UnitValue* find(const UnitProperties& props, std::string_view name) {
  for (const auto& p : props) {
    if (p.name == name) return &p.value;
  }
  return nullptr;
}

template <typename T>
T value_of(const UnitProperties& props, std::string_view name) {
  const UnitValue* v = find(props, name);
  if (!v) FAIL("no property " << name);
  if (!std::holds_alternative<T>(*v)) FAIL("property " << name << " has another type");
  return std::get<T>(*v);
}

SystemdVersion version(int v) {
  return [v] { return v; };
}

UnitProperties props_of(const char* json, bool cgroup2, int v = 252) {
  auto p = resource_properties(parse(json), cgroup2, version(v));
  if (!p) FAIL(p.error().what());
  return *p;
}

}  // namespace

TEST_CASE("systemd: cgroupsPath slice:prefix:name, and runc's error", "[cgroups][systemd]") {
  auto p = parse_systemd_path("system.slice:docker:abc", "c1");
  REQUIRE(p);
  CHECK(p->slice == "system.slice");
  CHECK(p->prefix == "docker");
  CHECK(p->name == "abc");
  CHECK(unit_name(*p) == "docker-abc.scope");
  auto def = parse_systemd_path("", "c1");
  REQUIRE(def);
  CHECK(unit_name(*def) == "nucleus-c1.scope");
  CHECK(slice_of(*def) == "system.slice");
  auto bad = parse_systemd_path("/a/b", "c1");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what() ==
        "expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"/a/b\" instead");
  CHECK_FALSE(parse_systemd_path("a:b:c:d", "c1"));
  CHECK_FALSE(parse_systemd_path("a:b", "c1"));
  // An empty slice part is the default slice; a name that is a slice is the unit.
  auto empty_slice = parse_systemd_path(":crio:x", "c1");
  REQUIRE(empty_slice);
  CHECK(slice_of(*empty_slice) == "system.slice");
  CHECK(unit_name(SystemdPath{"", "p", "pod.slice"}) == "pod.slice");
}

TEST_CASE("systemd: slices nest by their dashes", "[cgroups][systemd]") {
  CHECK(expand_slice("system.slice").value() == "/system.slice");
  CHECK(expand_slice("a-b-c.slice").value() == "/a.slice/a-b.slice/a-b-c.slice");
  CHECK(expand_slice("kubepods-besteffort-pod1234.slice").value() ==
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice");
  CHECK(expand_slice("-.slice").value() == "/");
  for (const char* bad : {"system", ".slice", "a--b.slice", "-a.slice", "a-.slice", "a/b.slice", ""}) {
    auto r = expand_slice(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().what() == fmt::format("invalid slice name: {}", bad));
  }
  CHECK(unit_cgroup(SystemdPath{"kubepods-besteffort-pod1.slice", "cri-containerd", "abc"}).value() ==
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-abc.scope");
  CHECK(unit_cgroup(SystemdPath{"-.slice", "x", "y"}).value() == "/x-y.scope");
  CHECK(unit_cgroup(SystemdPath{"", "nucleus", "c1"}).value() == "/system.slice/nucleus-c1.scope");
  CHECK_FALSE(unit_cgroup(SystemdPath{"bad", "x", "y"}));
}

TEST_CASE("systemd: a scope starts with the init, delegated, in its slice", "[cgroups][systemd]") {
  auto props = unit_start_properties(SystemdPath{"machine.slice", "nucleus", "c1"}, 4242, true);
  CHECK(value_of<std::string>(props, "Description") == "libcontainer container c1");
  CHECK(value_of<std::string>(props, "Slice") == "machine.slice");
  CHECK(value_of<std::vector<std::uint32_t>>(props, "PIDs") == std::vector<std::uint32_t>{4242});
  CHECK(value_of<bool>(props, "Delegate"));
  CHECK(value_of<bool>(props, "MemoryAccounting"));
  CHECK(value_of<bool>(props, "CPUAccounting"));
  CHECK(value_of<bool>(props, "IOAccounting"));
  CHECK(value_of<bool>(props, "TasksAccounting"));
  CHECK_FALSE(value_of<bool>(props, "DefaultDependencies"));
  CHECK_FALSE(find(props, "BlockIOAccounting"));

  auto v1 = unit_start_properties(SystemdPath{"", "nucleus", "c1"}, 7, false);
  CHECK(value_of<bool>(v1, "BlockIOAccounting"));
  CHECK(value_of<std::string>(v1, "Slice") == "system.slice");
  // A slice unit: its parent is wanted, and it cannot be delegated.
  auto slice = unit_start_properties(SystemdPath{"a.slice", "p", "a-b.slice"}, 0, true);
  CHECK(value_of<std::string>(slice, "Wants") == "a.slice");
  CHECK_FALSE(find(slice, "Slice"));
  CHECK_FALSE(find(slice, "Delegate"));
  CHECK_FALSE(find(slice, "PIDs"));
}

TEST_CASE("systemd: cgroup v2 limits as properties", "[cgroups][systemd]") {
  auto props = props_of(R"({"memory": {"limit": 104857600, "reservation": 52428800, "swap": 209715200},
                            "cpu": {"shares": 1024, "quota": 50000, "period": 100000, "cpus": "0-1", "mems": "0"},
                            "blockIO": {"weight": 500}, "pids": {"limit": 64}})",
                        true);
  CHECK(value_of<std::uint64_t>(props, "MemoryMax") == 104857600);
  CHECK(value_of<std::uint64_t>(props, "MemoryLow") == 52428800);
  CHECK(value_of<std::uint64_t>(props, "MemorySwapMax") == 104857600);  // memory+swap less memory
  CHECK(value_of<std::uint64_t>(props, "CPUWeight") == 39);              // 1 + (1024-2)*9999/262142
  CHECK(value_of<std::uint64_t>(props, "CPUQuotaPeriodUSec") == 100000);
  CHECK(value_of<std::uint64_t>(props, "CPUQuotaPerSecUSec") == 500000);
  CHECK(value_of<std::uint64_t>(props, "IOWeight") == 4950);  // 1 + (500-10)*9999/990
  CHECK(value_of<std::uint64_t>(props, "TasksMax") == 64);
  CHECK(value_of<std::vector<std::uint8_t>>(props, "AllowedCPUs") == std::vector<std::uint8_t>{0x03});
  CHECK(value_of<std::vector<std::uint8_t>>(props, "AllowedMemoryNodes") == std::vector<std::uint8_t>{0x01});
  CHECK_FALSE(find(props, "MemoryLimit"));
  CHECK_FALSE(find(props, "CPUShares"));

  // -1 is infinity; memory -1 without swap makes swap unlimited too.
  auto unlimited = props_of(R"({"memory": {"limit": -1}, "pids": {"limit": -1}})", true);
  CHECK(value_of<std::uint64_t>(unlimited, "MemoryMax") == kInfinity);
  CHECK(value_of<std::uint64_t>(unlimited, "MemorySwapMax") == kInfinity);
  CHECK(value_of<std::uint64_t>(unlimited, "TasksMax") == kInfinity);
  CHECK(props_of(R"({})", true).empty());
  CHECK(props_of(R"({"pids": {"limit": 0}})", true).empty());
}

TEST_CASE("systemd: the CPU quota is rounded up to whole percents", "[cgroups][systemd]") {
  // 12345/100000 of a CPU = 123450 µs a second, sent as 130000 (13%).
  auto props = props_of(R"({"cpu": {"quota": 12345}})", true);
  CHECK(value_of<std::uint64_t>(props, "CPUQuotaPerSecUSec") == 130000);
  CHECK_FALSE(find(props, "CPUQuotaPeriodUSec"));
  // A period alone: unlimited quota; on systemd before 242 the period is left to the files.
  auto old = props_of(R"({"cpu": {"period": 50000}})", true, 241);
  CHECK(value_of<std::uint64_t>(old, "CPUQuotaPerSecUSec") == kInfinity);
  CHECK_FALSE(find(old, "CPUQuotaPeriodUSec"));
  // No AllowedCPUs before systemd 244.
  CHECK_FALSE(find(props_of(R"({"cpu": {"cpus": "0"}})", true, 243), "AllowedCPUs"));
}

TEST_CASE("systemd: cgroup v1 limits as properties", "[cgroups][systemd]") {
  auto props = props_of(R"({"memory": {"limit": 104857600, "swap": 209715200}, "cpu": {"shares": 512},
                            "blockIO": {"weight": 300}, "pids": {"limit": 10}})",
                        false);
  CHECK(value_of<std::uint64_t>(props, "MemoryLimit") == 104857600);
  CHECK(value_of<std::uint64_t>(props, "CPUShares") == 512);
  CHECK(value_of<std::uint64_t>(props, "BlockIOWeight") == 300);
  CHECK(value_of<std::uint64_t>(props, "TasksMax") == 10);
  CHECK_FALSE(find(props, "MemoryMax"));
  CHECK_FALSE(find(props, "MemorySwapMax"));
  CHECK_FALSE(find(props, "CPUWeight"));
}

TEST_CASE("systemd: unified keys systemd knows become properties", "[cgroups][systemd]") {
  auto props = props_of(R"({"unified": {"memory.high": "1000000", "memory.min": "max", "pids.max": "20",
                                        "cpu.max": "max 50000", "cpu.weight": "300", "io.weight": "50"}})",
                        true);
  CHECK(value_of<std::uint64_t>(props, "MemoryHigh") == 1000000);
  CHECK(value_of<std::uint64_t>(props, "MemoryMin") == kInfinity);
  CHECK(value_of<std::uint64_t>(props, "TasksMax") == 20);
  CHECK(value_of<std::uint64_t>(props, "CPUQuotaPerSecUSec") == kInfinity);
  CHECK(value_of<std::uint64_t>(props, "CPUQuotaPeriodUSec") == 50000);
  CHECK(value_of<std::uint64_t>(props, "CPUWeight") == 300);
  CHECK(props.size() == 6);  // io.weight: written to the file only
  auto bad = resource_properties(parse(R"({"unified": {"pids.max": "lots"}})"), true, version(252));
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().what(), Catch::Contains("pids.max"));
  // cgroup v1 has no unified (refused before, by check).
  CHECK(props_of(R"({"unified": {"pids.max": "20"}})", false).empty());
}

TEST_CASE("systemd: cpuset lists as bit masks", "[cgroups][systemd]") {
  CHECK(cpuset_bits("0").value() == std::vector<std::uint8_t>{0x01});
  CHECK(cpuset_bits("0-3,5").value() == std::vector<std::uint8_t>{0x2f});
  CHECK(cpuset_bits("8").value() == std::vector<std::uint8_t>{0x00, 0x01});
  CHECK(cpuset_bits(" 1 , 9-10 ").value() == std::vector<std::uint8_t>{0x02, 0x06});
  CHECK_FALSE(cpuset_bits(""));
  CHECK_FALSE(cpuset_bits("3-1"));
  CHECK_FALSE(cpuset_bits("a"));
  auto bad = resource_properties(parse(R"({"cpu": {"cpus": "2-1"}})"), true, version(252));
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().what(), Catch::Contains("linux.resources.cpu.cpus"));
}

TEST_CASE("systemd: device rules as DevicePolicy and DeviceAllow", "[cgroups][systemd]") {
  // No rules: runc's defaults only, after deny-all.
  auto props = device_properties({}, version(252));
  REQUIRE(props);
  REQUIRE(props->size() == 3);
  CHECK((*props)[0] == UnitProperty{"DevicePolicy", std::string("strict")});
  CHECK((*props)[1] == UnitProperty{"DeviceAllow", std::vector<DeviceAllow>{}});  // empties the list first
  const auto allowed = std::get<std::vector<DeviceAllow>>((*props)[2].value);
  auto has = [&](const DeviceAllow& d) { return std::find(allowed.begin(), allowed.end(), d) != allowed.end(); };
  CHECK(has({"/dev/char/1:3", "rwm"}));    // /dev/null
  CHECK(has({"char-*", "m"}));             // mknod of any char device
  CHECK(has({"block-*", "m"}));
  CHECK(has({"char-136", "rwm"}));         // ptys: a major's group, from systemd 240
  CHECK(has({"/dev/char/10:200", "rwm"}));  // /dev/net/tun

  // Before systemd 240 a major-only rule is left to the files.
  auto old = device_properties({}, version(239));
  REQUIRE(old);
  const auto old_allowed = std::get<std::vector<DeviceAllow>>((*old)[2].value);
  CHECK(std::none_of(old_allowed.begin(), old_allowed.end(),
                     [](const DeviceAllow& d) { return d.path.starts_with("char-1"); }));

  // Allow-all: DevicePolicy=auto, nothing listed.
  oci::DeviceRule all{.allow = true, .type = "a", .access = "rwm"};
  auto open = device_properties({all}, version(252));
  REQUIRE(open);
  CHECK(*open == UnitProperties{{"DevicePolicy", std::string("auto")},
                                {"DeviceAllow", std::vector<DeviceAllow>{}}});
  // A deny list systemd cannot say: deny-all meanwhile, the files have it right.
  oci::DeviceRule deny_mem{.allow = false, .type = "c", .major = 1, .minor = 1, .access = "rwm"};
  auto deny = device_properties({all, deny_mem}, version(252));
  REQUIRE(deny);
  CHECK(*deny == UnitProperties{{"DevicePolicy", std::string("strict")},
                                {"DeviceAllow", std::vector<DeviceAllow>{}}});
  // A config allow rule is listed with its access.
  oci::DeviceRule sda{.allow = true, .type = "b", .major = 8, .minor = 0, .access = "r"};
  auto with_sda = device_properties({sda}, version(252));
  REQUIRE(with_sda);
  const auto sda_allowed = std::get<std::vector<DeviceAllow>>((*with_sda)[2].value);
  CHECK(std::find(sda_allowed.begin(), sda_allowed.end(), DeviceAllow{"/dev/block/8:0", "r"}) !=
        sda_allowed.end());
}

TEST_CASE("systemd: the version from the manager's Version property", "[cgroups][systemd]") {
  CHECK(parse_systemd_version("252.38-1~deb12u1") == 252);
  CHECK(parse_systemd_version("\"v245.4-1.fc32\"") == 245);
  CHECK(parse_systemd_version("239") == 239);
  CHECK(parse_systemd_version("unknown") == -1);
}
