// The JSON writer. Hand-written rather than yajl_gen because the output must
// match Go's encoding/json byte for byte (runc's `state` and `features` are
// read by scripts): `{}`/`[]` for empty containers, `"key": value` when
// indenting, <, > and & escaped as \u003c..., shortest round-trip doubles.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "nucleus/utf8.hpp"
#include "oci/json.hpp"

namespace oci::json {

namespace {

// Go's encoding/json float64 form: the fewest digits that read back as the
// same double; fixed notation unless the exponent is below -6 or at least 21,
// then "1e+21" or "1e-7" (Go drops the leading zero of a negative exponent).
// Built on printf/strtod rather than std::to_chars, whose object pulls libm
// into the binary for two rounding-mode calls.
void append_go_float(std::string& out, double d) {
  char sci[40];
  for (int precision = 0; precision <= 16; ++precision) {
    std::snprintf(sci, sizeof sci, "%.*e", precision, d);
    if (std::strtod(sci, nullptr) == d) break;
  }
  std::string_view s(sci);  // [-]D[.DDD]e±XX
  if (s.front() == '-') {
    out += '-';
    s.remove_prefix(1);
  }
  auto e = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp = std::atoi(s.data() + e + 1);
  double magnitude = d < 0 ? -d : d;
  auto size = static_cast<int>(digits.size());
  if (magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21)) {
    out += digits[0];
    if (size > 1) out.append(".").append(digits, 1);
    char tail[8];
    std::snprintf(tail, sizeof tail, exp < 0 ? "e-%d" : "e+%02d", exp < 0 ? -exp : exp);
    out += tail;
  } else if (exp < 0) {
    out.append("0.").append(static_cast<std::size_t>(-exp - 1), '0').append(digits);
  } else if (exp + 1 >= size) {
    out.append(digits).append(static_cast<std::size_t>(exp + 1 - size), '0');
  } else {
    auto point = static_cast<std::size_t>(exp + 1);
    out.append(digits, 0, point).append(".").append(digits, point);
  }
}

class Writer {
 public:
  explicit Writer(int indent) : indent_(indent) {}
  std::string out;

  void value(const Value& v, int depth) {
    const auto& s = v.storage();
    if (v.is_null()) out += "null";
    else if (v.is_bool()) out += v.as_bool() ? "true" : "false";
    else if (auto i = std::get_if<std::int64_t>(&s)) out += std::to_string(*i);
    else if (auto u = std::get_if<std::uint64_t>(&s)) out += std::to_string(*u);
    else if (auto d = std::get_if<double>(&s)) number(*d);
    else if (v.is_string()) string(v.as_string());
    else if (v.is_array()) array(v.as_array(), depth);
    else object(v.as_object(), depth);
  }

 private:
  int indent_;

  void newline(int depth) {
    if (indent_ == 0) return;
    out += '\n';
    out.append(static_cast<std::size_t>(depth * indent_), ' ');
  }

  void array(const Array& a, int depth) {
    out += '[';
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (i) out += ',';
      newline(depth + 1);
      value(a[i], depth + 1);
    }
    if (!a.empty()) newline(depth);
    out += ']';
  }

  void object(const Object& o, int depth) {
    out += '{';
    for (std::size_t i = 0; i < o.size(); ++i) {
      if (i) out += ',';
      newline(depth + 1);
      string(o[i].first);
      out += indent_ ? ": " : ":";
      value(o[i].second, depth + 1);
    }
    if (!o.empty()) newline(depth);
    out += '}';
  }

  void number(double d) {
    if (!std::isfinite(d)) {  // not representable in JSON
      out += "null";
      return;
    }
    append_go_float(out, d);
  }

  void string(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < s.size(); ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      switch (c) {
        case '"': out += "\\\""; continue;
        case '\\': out += "\\\\"; continue;
        case '\n': out += "\\n"; continue;
        case '\r': out += "\\r"; continue;
        case '\t': out += "\\t"; continue;
        default: break;
      }
      // U+2028 and U+2029 (E2 80 A8/A9) are escaped by Go too.
      bool line_sep = c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                      (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8;
      if (line_sep) {
        out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
        i += 2;
      } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
      } else if (const std::size_t n = nucleus::utf8_length(s, i)) {
        out.append(s.substr(i, n));
        i += n - 1;
      } else {
        out += "\\ufffd";  // as Go writes an invalid byte
      }
    }
    out += '"';
  }
};

}  // namespace

std::string write(const Value& v, WriteOptions opts) {
  Writer w(opts.indent < 0 ? 0 : opts.indent);
  w.value(v, 0);
  return std::move(w.out);
}

}  // namespace oci::json
