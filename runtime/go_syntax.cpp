#include "go_syntax.hpp"

#include <array>
#include <limits>

#include <fmt/format.h>

#include "nucleus/utf8.hpp"

namespace nucleus::cli {

namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// The magnitude of an unsigned Go integer literal, base chosen by prefix.
std::optional<std::uint64_t> parse_magnitude(std::string_view s) {
  if (s.empty()) return std::nullopt;
  unsigned base = 10;
  bool prefixed = false;
  if (s.size() > 1 && s[0] == '0') {
    const char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
    prefixed = true;
  }
  // Go allows '_' only after the base prefix or between digits: "0x_1f", "1_000".
  bool after_digit_or_prefix = prefixed;
  bool any_digit = base == 8 && prefixed;  // the leading 0 of "017" is a digit
  std::uint64_t value = 0;
  for (char c : s) {
    if (c == '_') {
      if (!after_digit_or_prefix) return std::nullopt;
      after_digit_or_prefix = false;
      continue;
    }
    const int d = digit_value(c);
    if (d >= static_cast<int>(base)) return std::nullopt;
    if (value > (std::numeric_limits<std::uint64_t>::max() - static_cast<unsigned>(d)) / base)
      return std::nullopt;
    value = value * base + static_cast<unsigned>(d);
    after_digit_or_prefix = any_digit = true;
  }
  if (!any_digit || (!s.empty() && s.back() == '_')) return std::nullopt;
  return value;
}

struct DurationUnit {
  std::string_view name;
  std::uint64_t nanos;
};
constexpr std::array<DurationUnit, 8> kDurationUnits{{
    {"ns", 1},
    {"us", 1'000},
    {"\u00b5s", 1'000},  // µ (micro sign)
    {"\u03bcs", 1'000},  // μ (Greek mu)
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

// One "<number><unit>" element of a duration, added to `total`.
bool parse_duration_element(std::string_view& s, std::uint64_t& total) {
  constexpr std::uint64_t kMax = std::uint64_t{1} << 63;
  std::uint64_t whole = 0;
  std::size_t i = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (whole > (kMax - 9) / 10) return false;
    whole = whole * 10 + static_cast<unsigned>(s[i] - '0');
  }
  const bool has_whole = i > 0;
  double fraction = 0;
  bool has_fraction = false;
  if (i < s.size() && s[i] == '.') {
    double scale = 0.1;
    for (++i; i < s.size() && is_digit(s[i]); ++i, scale /= 10) {
      fraction += scale * (s[i] - '0');
      has_fraction = true;
    }
  }
  if (!has_whole && !has_fraction) return false;
  s.remove_prefix(i);
  std::size_t unit_len = 0;
  while (unit_len < s.size() && s[unit_len] != '.' && !is_digit(s[unit_len])) ++unit_len;
  const std::string_view unit_name = s.substr(0, unit_len);
  s.remove_prefix(unit_len);
  for (const DurationUnit& unit : kDurationUnits) {
    if (unit.name != unit_name) continue;
    if (whole > kMax / unit.nanos) return false;
    std::uint64_t v = whole * unit.nanos;
    v += static_cast<std::uint64_t>(fraction * static_cast<double>(unit.nanos));
    if (v > kMax || total > kMax - v) return false;
    total += v;
    return true;
  }
  return false;  // missing or unknown unit
}

}  // namespace

std::optional<bool> parse_go_bool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False")
    return false;
  return std::nullopt;
}

std::optional<std::uint64_t> parse_go_uint(std::string_view s) { return parse_magnitude(s); }

std::optional<std::int64_t> parse_go_int(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  const auto magnitude = parse_magnitude(s);
  if (!magnitude) return std::nullopt;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (*magnitude > kMax + 1) return std::nullopt;
    return *magnitude == kMax + 1 ? std::numeric_limits<std::int64_t>::min()
                                  : -static_cast<std::int64_t>(*magnitude);
  }
  if (*magnitude > kMax) return std::nullopt;
  return static_cast<std::int64_t>(*magnitude);
}

std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds{0};
  if (s.empty()) return std::nullopt;
  std::uint64_t total = 0;
  while (!s.empty())
    if (!parse_duration_element(s, total)) return std::nullopt;
  constexpr std::uint64_t kMaxPositive = (std::uint64_t{1} << 63) - 1;
  if (!negative && total > kMaxPositive) return std::nullopt;
  // -(2^63) fits, +(2^63) does not: negate via total-1.
  const auto signed_total = !negative   ? static_cast<std::int64_t>(total)
                            : total == 0 ? std::int64_t{0}
                                         : -static_cast<std::int64_t>(total - 1) - 1;
  return std::chrono::nanoseconds{signed_total};
}

std::string go_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x80) {
      if (const std::size_t n = utf8_length(s, i)) {
        out.append(s.substr(i, n));
        i += n;
      } else {
        out += fmt::format("\\x{:02x}", b);
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (b < 0x20 || b == 0x7f)
          out += fmt::format("\\x{:02x}", b);
        else
          out += c;
    }
    ++i;
  }
  out += '"';
  return out;
}

}  // namespace nucleus::cli
