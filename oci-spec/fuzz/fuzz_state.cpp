// The state documents read back from JSON: the spec's State (what a hook
// reads) and runc's `state` output, each parsed and written back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oci/parse.hpp"
#include "round_trip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto state = oci::parse_state(text)) {
    oci::fuzz::check_round_trip(
        *state, oci::parse_state, [](const oci::State& s) { return oci::to_json(s); });
  }
  if (auto state = oci::parse_runtime_state(text)) {
    oci::fuzz::check_round_trip(*state, oci::parse_runtime_state,
                                [](const oci::RuntimeState& s) { return oci::to_json(s); });
  }
  return 0;
}
