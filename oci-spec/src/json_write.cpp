// The JSON writer. Hand-written rather than yajl_gen because the output must
// match Go's encoding/json byte for byte (runc's `state` and `features` are
// read by scripts): `{}`/`[]` for empty containers, `"key": value` when
// indenting, <, > and & escaped as \u003c..., shortest round-trip doubles.
#include <charconv>
#include <cmath>

#include "oci/json.hpp"

namespace oci::json {

namespace {

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
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    out.append(buf, r.ptr);
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
      } else {
        out += static_cast<char>(c);
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
