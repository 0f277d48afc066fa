// The v2 device program, run by a small interpreter: it must decide every
// probe as the emulated state (v1's semantics) does. The real kernel runs it
// in devices_host_test.cpp.
#include <catch2/catch.hpp>

#include "bpf_interpreter.hpp"
#include "cgroups/device_filter.hpp"
#include "devices_support.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

std::uint32_t access_type(const Probe& p) {
  const std::uint32_t type = p.type == DeviceType::block ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
  return (p.access << 16) | type;
}

// Probes the program decides differently from the state, or cannot run.
std::size_t disagreements(const DeviceEmulator& state) {
  auto program = device_filter_program(state);
  if (!program) FAIL(program.error().what());
  return count_probes([&](const Probe& p) {
    auto verdict = run_device_program(*program, {access_type(p), p.major, p.minor});
    return !verdict || (*verdict == 1) != allows(state, p);
  });
}

}  // namespace

TEST_CASE("device program: decides as the emulated state does", "[cgroups][devices]") {
  const std::vector<std::vector<DeviceRule>> lists = {
      {},
      {deny_all()},
      {deny_all(), allow('c', 1, 11, "r"), allow('b', 7, any_number, "rw")},
      {deny_all(), allow('c', any_number, 5, "w"), allow('c', 4, 1, "m")},
      {deny_all(), allow('c', 1, 11, "rw"), deny('c', 1, 11, "w")},
      {allow_all()},
      {allow_all(), deny('c', 1, 11, "w"), deny('b', 8, any_number, "rwm"), deny('c', any_number, 201, "r")},
      {deny_all(), allow('c', 1, 11, "r"), allow_all(), deny('b', any_number, any_number, "m")},
  };
  for (const auto& rules : lists) {
    auto state = emulate(rules);
    INFO("rules: " << rules.size() << ", default allow: " << state.default_allow());
    CHECK(disagreements(state) == 0);
  }
}

TEST_CASE("device program: a deny exception for w stops an O_RDWR open", "[cgroups][devices]") {
  auto state = emulate({allow_all(), deny('c', 1, 11, "w")});
  auto program = device_filter_program(state);
  REQUIRE(program);
  const std::uint32_t chr = BPF_DEVCG_DEV_CHAR;
  CHECK(run_device_program(*program, {(access_read << 16) | chr, 1, 11}) == 1u);
  CHECK(run_device_program(*program, {(access_write << 16) | chr, 1, 11}) == 0u);
  CHECK(run_device_program(*program, {((access_read | access_write) << 16) | chr, 1, 11}) == 0u);
  CHECK(run_device_program(*program, {((access_read | access_write) << 16) | chr, 1, 5}) == 1u);
}

TEST_CASE("device program: numbers beyond a BPF immediate are refused", "[cgroups][devices]") {
  DeviceEmulator state;
  REQUIRE(state.apply(allow('c', 1, std::int64_t{1} << 31, "r")));
  auto program = device_filter_program(state);
  REQUIRE_FALSE(program);
  CHECK(program.error().what() == "device number 2147483648 does not fit a BPF device program");
}
