// The table-driven codec between json::Value and the typed structs.
//
// Each struct gets one field table (OCI_FIELDS) listing its JSON names in
// output order; decoding and encoding are both derived from it, so there is
// no per-field code. Scalars, vectors, optionals and string-keyed maps are
// handled generically. Decoding checks types strictly, integer ranges and
// required properties, and reports the JSON path of the first problem.
#pragma once

#include <concepts>
#include <expected>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "oci/config.hpp"
#include "oci/json.hpp"
#include "oci/parse.hpp"

namespace oci::detail {

// A JSON path, built on the stack while descending; made text only on error.
class Path {
 public:
  Path() = default;
  Path child(std::string_view key) const { return Path(this, key, kNoIndex); }
  Path at(std::size_t index) const { return Path(this, {}, index); }
  // "linux.namespaces[2].type", `linux.sysctl["net.ipv4.ip_forward"]`
  std::string str() const;

 private:
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);
  Path(const Path* parent, std::string_view key, std::size_t index)
      : parent_(parent), key_(key), index_(index) {}
  const Path* parent_ = nullptr;
  std::string_view key_;
  std::size_t index_ = kNoIndex;
};

using Status = std::expected<void, SpecError>;

std::unexpected<SpecError> fail_at(const Path& p, std::string message);
// "expected an integer, got "1g""
std::unexpected<SpecError> type_error(const Path& p, std::string_view expected, const json::Value& got);

enum FieldFlags : unsigned {
  kOptional = 0,
  kRequired = 1,  // must be present; always written
  kOmitZero = 2,  // written only when not 0 / not default-constructed
};

template <typename S, typename M>
struct Field {
  std::string_view name;
  M S::*member;
  unsigned flags;
};

template <typename S, typename M>
constexpr Field<S, M> field(std::string_view name, M S::*member, unsigned flags = kOptional) {
  return {name, member, flags};
}

// Specialised per struct by OCI_FIELDS.
template <typename S>
struct Fields;

#define OCI_FIELDS(S, ...)                 \
  template <>                              \
  struct Fields<S> {                       \
    using T = S;                           \
    static constexpr auto list() { return std::tuple{__VA_ARGS__}; } \
  }

template <typename S>
concept Described = requires { Fields<S>::list(); };

template <typename T>
struct Codec;

template <>
struct Codec<bool> {
  static Status decode(const json::Value& v, bool& out, const Path& p) {
    if (!v.is_bool()) return type_error(p, "a boolean", v);
    out = v.as_bool();
    return {};
  }
  static json::Value encode(bool b) { return b; }
};

template <typename I>
  requires std::integral<I> && (!std::same_as<I, bool>)
struct Codec<I> {
  static Status decode(const json::Value& v, I& out, const Path& p) {
    if (!v.is_int()) return type_error(p, "an integer", v);
    const auto& s = v.storage();
    bool fits = std::holds_alternative<std::int64_t>(s) ? std::in_range<I>(v.as_int())
                                                        : std::in_range<I>(v.as_uint());
    if (!fits)
      return fail_at(p, fmt::format("expected an integer between {} and {}, got {}",
                                    std::numeric_limits<I>::min(), std::numeric_limits<I>::max(),
                                    v.describe()));
    out = std::holds_alternative<std::int64_t>(s) ? static_cast<I>(v.as_int())
                                                  : static_cast<I>(v.as_uint());
    return {};
  }
  static json::Value encode(I i) {
    if constexpr (std::is_signed_v<I>) return static_cast<std::int64_t>(i);
    else return static_cast<std::uint64_t>(i);
  }
};

template <>
struct Codec<std::string> {
  static Status decode(const json::Value& v, std::string& out, const Path& p) {
    if (!v.is_string()) return type_error(p, "a string", v);
    out = v.as_string();
    return {};
  }
  static json::Value encode(const std::string& s) { return s; }
};

template <>
struct Codec<NamespaceType> {
  static Status decode(const json::Value& v, NamespaceType& out, const Path& p);
  static json::Value encode(NamespaceType t) { return namespace_type_name(t); }
};

template <typename T>
struct Codec<std::optional<T>> {
  static Status decode(const json::Value& v, std::optional<T>& out, const Path& p) {
    return Codec<T>::decode(v, out.emplace(), p);
  }
  static json::Value encode(const std::optional<T>& o) { return Codec<T>::encode(*o); }
};

template <typename T>
struct Codec<std::vector<T>> {
  static Status decode(const json::Value& v, std::vector<T>& out, const Path& p) {
    if (!v.is_array()) return type_error(p, "an array", v);
    const auto& a = v.as_array();
    out.resize(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (auto st = Codec<T>::decode(a[i], out[i], p.at(i)); !st) return st;
    }
    return {};
  }
  static json::Value encode(const std::vector<T>& vec) {
    json::Array a;
    a.reserve(vec.size());
    for (const auto& x : vec) a.push_back(Codec<T>::encode(x));
    return a;
  }
};

template <typename T>
struct Codec<std::map<std::string, T>> {
  static Status decode(const json::Value& v, std::map<std::string, T>& out, const Path& p) {
    if (!v.is_object()) return type_error(p, "an object", v);
    for (const auto& [key, val] : v.as_object()) {
      T& slot = out[key];
      slot = T{};  // a duplicated key: the last one wins
      if (auto st = Codec<T>::decode(val, slot, p.child(key)); !st) return st;
    }
    return {};
  }
  static json::Value encode(const std::map<std::string, T>& m) {
    json::Object o;
    o.reserve(m.size());
    for (const auto& [key, val] : m) o.emplace_back(key, Codec<T>::encode(val));
    return o;
  }
};

// Whether a member is left out of the output.
template <typename M>
bool omitted(const M& m, unsigned flags) {
  if (flags & kRequired) return false;
  if constexpr (std::same_as<M, bool>) return !m;
  else if constexpr (std::integral<M>) return (flags & kOmitZero) && m == 0;
  else if constexpr (requires { m.has_value(); }) return !m.has_value();
  else if constexpr (requires { m.empty(); }) return m.empty();
  else if constexpr (std::is_enum_v<M>) return false;
  else return (flags & kOmitZero) && m == M{};
}

template <typename S, typename M>
Status decode_field(const json::Value& obj, S& out, const Field<S, M>& f, const Path& p) {
  const json::Value* v = obj.find(f.name);
  Path here = p.child(f.name);
  if (v == nullptr && (f.flags & kRequired)) return fail_at(here, "required property missing");
  // null is treated as absent (Go does the same), except where a value is required.
  if (v == nullptr || (v->is_null() && !(f.flags & kRequired))) return {};
  return Codec<M>::decode(*v, out.*f.member, here);
}

template <Described S>
struct Codec<S> {
  static Status decode(const json::Value& v, S& out, const Path& p) {
    if (!v.is_object()) return type_error(p, "an object", v);
    Status st;
    std::apply([&](const auto&... f) { (void)((st = decode_field(v, out, f, p)) && ...); },
               Fields<S>::list());
    return st;
  }
  static json::Value encode(const S& s) {
    json::Object o;
    std::apply(
        [&](const auto&... f) {
          ((omitted(s.*f.member, f.flags) ? void()
                                          : void(o.emplace_back(std::string(f.name),
                                                                encode_member(s.*f.member)))),
           ...);
        },
        Fields<S>::list());
    return o;
  }

 private:
  template <typename M>
  static json::Value encode_member(const M& m) {
    return Codec<M>::encode(m);
  }
};

// Decode a whole document of type T.
template <typename T>
SpecResult<T> decode_document(const json::Value& v) {
  T out{};
  if (auto st = Codec<T>::decode(v, out, Path()); !st) return std::unexpected(st.error());
  return out;
}

template <typename T>
SpecResult<T> parse_document(std::string_view text) {
  auto v = json::parse(text);
  if (!v) return std::unexpected(v.error());
  return decode_document<T>(*v);
}

template <typename T>
std::string encode_document(const T& doc, json::WriteOptions opts) {
  return json::write(Codec<T>::encode(doc), opts);
}

}  // namespace oci::detail
