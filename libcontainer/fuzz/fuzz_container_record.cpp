// nucleus's own <root>/<id>/state.json, as every verb after create reads it:
// decode, then encode, which must decode to the same text again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "state/container_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto record = nucleus::decode_record({reinterpret_cast<const char*>(data), size});
  if (!record) return 0;
  const std::string once = nucleus::encode_record(*record);
  auto again = nucleus::decode_record(once);
  if (!again) {
    std::fprintf(stderr, "written record does not decode: %s\n%s\n", again.error().what().c_str(),
                 once.c_str());
    std::abort();
  }
  if (nucleus::encode_record(*again) != once) {
    std::fprintf(stderr, "round trip changed the record:\n%s\n", once.c_str());
    std::abort();
  }
  return 0;
}
