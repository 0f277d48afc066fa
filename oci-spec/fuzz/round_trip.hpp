// What every document harness checks beyond "no crash": a document that
// parses is written back in a form that parses to the same text again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "oci/parse.hpp"

namespace oci::fuzz {

// parse(text) succeeded with `first`: to_json(first) must parse, and writing
// that must give the same text.
template <typename Parse, typename Write, typename T>
void check_round_trip(const T& first, Parse parse, Write write) {
  const std::string once = write(first);
  auto again = parse(once);
  if (!again) {
    std::fprintf(stderr, "written document does not parse: %s\n%s\n", again.error().what().c_str(),
                 once.c_str());
    std::abort();
  }
  if (const std::string twice = write(*again); twice != once) {
    std::fprintf(stderr, "round trip changed the document:\n%s\n%s\n", once.c_str(), twice.c_str());
    std::abort();
  }
}

// A config.json or process.json: parse, validate, and round-trip.
template <typename T, typename Parse>
void check_document(const std::uint8_t* data, std::size_t size, Parse parse) {
  auto doc = parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!doc) return;
  (void)oci::validate(*doc);
  check_round_trip(*doc, parse, [](const T& d) { return oci::to_json(d); });
}

}  // namespace oci::fuzz
