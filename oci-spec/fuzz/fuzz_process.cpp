// process.json as `exec --process` reads it: parse, validate, write back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oci/parse.hpp"
#include "round_trip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto process = oci::parse_process({reinterpret_cast<const char*>(data), size});
  if (!process) return 0;
  (void)oci::validate(*process);
  oci::fuzz::check_round_trip(
      *process, oci::parse_process, [](const oci::Process& p) { return oci::to_json(p); });
  return 0;
}
