// process.json as `exec --process` reads it: parse, validate, write back.
#include <cstddef>
#include <cstdint>

#include "oci/parse.hpp"
#include "round_trip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  oci::fuzz::check_document<oci::Process>(data, size, oci::parse_process);
  return 0;
}
