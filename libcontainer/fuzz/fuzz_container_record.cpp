// nucleus's own <root>/<id>/state.json, as every verb after create reads it:
// decode, then encode, which must decode to the same text again.
#include <cstddef>
#include <cstdint>

#include "round_trip.hpp"
#include "state/container_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto record = nucleus::decode_record({reinterpret_cast<const char*>(data), size});
  if (record) oci::fuzz::check_round_trip(*record, nucleus::decode_record, nucleus::encode_record);
  return 0;
}
