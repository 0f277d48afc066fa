// Splitting text at a separator, keeping empty fields ("a,,b" -> a, "", b).
#pragma once

#include <string_view>
#include <vector>

namespace nucleus {

inline std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    auto pos = s.find(sep);
    out.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) return out;
    s.remove_prefix(pos + 1);
  }
}

}  // namespace nucleus
