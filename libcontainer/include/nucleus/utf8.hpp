// UTF-8 as Go reads it (unicode/utf8): a byte that does not start a complete,
// shortest-form sequence of a scalar value is one invalid byte. The JSON codec
// turns each into U+FFFD as encoding/json does; go_quote escapes it as \xNN.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nucleus {

// The length of the UTF-8 sequence at s[i] (1 to 4), or 0 when s[i] does not
// start a valid one.
inline std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return 1;
  std::size_t n = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 0;
  if (b >= 0xf5 || n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  const auto b1 = static_cast<unsigned char>(s[i + 1]);
  if ((b == 0xe0 && b1 < 0xa0) || (b == 0xed && b1 >= 0xa0) || (b == 0xf0 && b1 < 0x90) ||
      (b == 0xf4 && b1 >= 0x90))
    return 0;  // overlong, surrogate or beyond U+10FFFF
  return n;
}

// s with each invalid byte replaced by U+FFFD (EF BF BD).
inline std::string utf8_coerce(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (const std::size_t n = utf8_length(s, i)) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

}  // namespace nucleus
