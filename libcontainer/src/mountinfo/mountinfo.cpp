#include "mountinfo/mountinfo.hpp"

#include <algorithm>

#include "mountinfo/split.hpp"

namespace nucleus {

std::string unescape_octal(std::string_view s) {
  std::string out;
  auto octal = [](char c) { return c >= '0' && c <= '7'; };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
      out.push_back(static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<MountInfo> parse_mountinfo(std::string_view text) {
  std::vector<MountInfo> out;
  for (auto line : split(text, '\n')) {
    auto f = split(line, ' ');
    auto dash = std::find(f.begin(), f.end(), std::string_view("-"));
    if (f.size() < 5 || dash == f.end() || f.end() - dash < 4) continue;
    out.push_back({unescape_octal(f[3]), unescape_octal(f[4]), std::string(dash[1]), std::string(dash[2]),
                   std::string(dash[3])});
  }
  return out;
}

}  // namespace nucleus
