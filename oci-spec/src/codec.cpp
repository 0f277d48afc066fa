// Error paths and messages shared by every decoder.
#include "codec.hpp"

#include <algorithm>

namespace oci::detail {

namespace {

bool is_identifier(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

std::string Path::str() const {
  std::vector<const Path*> chain;
  for (const Path* p = this; p != nullptr && p->parent_ != nullptr; p = p->parent_)
    chain.push_back(p);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Path& seg = **it;
    if (seg.index_ != kNoIndex) {
      out += fmt::format("[{}]", seg.index_);
    } else if (is_identifier(seg.key_)) {
      if (!out.empty()) out += '.';
      out += seg.key_;
    } else {
      out += fmt::format("[{}]", json::write(json::Value(seg.key_)));
    }
  }
  return out;
}

std::unexpected<SpecError> fail_at(const Path& p, std::string message) {
  return std::unexpected(SpecError{p.str(), std::move(message)});
}

std::unexpected<SpecError> type_error(const Path& p, std::string_view expected,
                                      const json::Value& got) {
  return fail_at(p, fmt::format("expected {}, got {}", expected, got.describe()));
}

Status Codec<NamespaceType>::decode(const json::Value& v, NamespaceType& out, const Path& p) {
  if (!v.is_string()) return type_error(p, "a string", v);
  auto t = namespace_type_from_name(v.as_string());
  if (!t) return fail_at(p, fmt::format("unknown namespace type {}", v.describe()));
  out = *t;
  return {};
}

}  // namespace oci::detail
