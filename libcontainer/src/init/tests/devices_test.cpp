#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "init/devices.hpp"

using namespace nucleus::init;

namespace {

std::vector<std::string> paths(const std::vector<oci::Device>& devices) {
  std::vector<std::string> out;
  for (const auto& d : devices) out.push_back(d.path);
  return out;
}

oci::Device dev(const char* type, const char* path, std::int64_t major, std::int64_t minor) {
  oci::Device d;
  d.type = type;
  d.path = path;
  d.major = major;
  d.minor = minor;
  return d;
}

}  // namespace

TEST_CASE("the default devices come first, with their numbers and mode 0666") {
  auto devices = devices_to_create(nullptr);
  CHECK(paths(devices) ==
        std::vector<std::string>{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"});
  CHECK(devices[0].major == 1);
  CHECK(devices[0].minor == 3);
  CHECK(devices[5].major == 5);
  CHECK(devices[5].minor == 0);
  for (const auto& d : devices) CHECK(d.file_mode == 0666u);
}

TEST_CASE("a config device redefining a default replaces it; others follow in order") {
  oci::Linux l;
  l.devices = {dev("c", "/dev/fuse", 10, 229), dev("c", "/dev/null", 1, 5), dev("p", "/run/fifo", 0, 0)};
  auto devices = devices_to_create(&l);
  CHECK(paths(devices) == std::vector<std::string>{"/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                                                   "/dev/tty", "/dev/fuse", "/dev/null", "/run/fifo"});
  CHECK(devices[6].minor == 5);
}

TEST_CASE("needs_dev_setup is false only when /dev is bound from elsewhere") {
  oci::Config c;
  CHECK(needs_dev_setup(c));
  oci::Mount m;
  m.destination = "/dev";
  m.type = "tmpfs";
  m.options = {"nosuid"};
  c.mounts.push_back(m);
  CHECK(needs_dev_setup(c));
  m.type = "";
  m.source = "/dev";
  m.options = {"rbind"};
  c.mounts.push_back(m);
  CHECK_FALSE(needs_dev_setup(c));
}
