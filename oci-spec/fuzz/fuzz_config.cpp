// config.json as create and run read it: parse, validate, write back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oci/parse.hpp"
#include "round_trip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto config = oci::parse_config({reinterpret_cast<const char*>(data), size});
  if (!config) return 0;
  (void)oci::validate(*config);
  oci::fuzz::check_round_trip(
      *config, oci::parse_config, [](const oci::Config& c) { return oci::to_json(c); });
  return 0;
}
