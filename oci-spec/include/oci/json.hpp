// A small JSON document model over yajl. It is how everything outside
// oci-spec reads and writes JSON (nothing else includes yajl): the typed
// config/state/features structs are decoded from and encoded to it, and
// libcontainer keeps its own state.json record with it.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace oci::json {

class Value;
using Array = std::vector<Value>;
// Objects keep insertion order so output is stable and matches the writer's order.
using Object = std::vector<std::pair<std::string, Value>>;

struct Null {};

class Value {
 public:
  using Storage = std::variant<Null, bool, std::int64_t, std::uint64_t, double, std::string,
                               std::shared_ptr<Array>, std::shared_ptr<Object>>;
  Value() : v_(Null{}) {}
  Value(std::nullptr_t) : v_(Null{}) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(static_cast<std::int64_t>(i)) {}
  Value(long i) : v_(static_cast<std::int64_t>(i)) {}
  Value(long long i) : v_(static_cast<std::int64_t>(i)) {}
  Value(unsigned u) : v_(static_cast<std::uint64_t>(u)) {}
  Value(unsigned long u) : v_(static_cast<std::uint64_t>(u)) {}
  Value(unsigned long long u) : v_(static_cast<std::uint64_t>(u)) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Array a) : v_(std::make_shared<Array>(std::move(a))) {}
  Value(Object o) : v_(std::make_shared<Object>(std::move(o))) {}

  bool is_null() const;
  bool is_bool() const;
  bool is_int() const;  // int64 or uint64
  bool is_number() const;
  bool is_string() const;
  bool is_array() const;
  bool is_object() const;

  bool as_bool() const;
  std::int64_t as_int() const;
  std::uint64_t as_uint() const;
  double as_double() const;
  const std::string& as_string() const;
  const Array& as_array() const;
  Array& as_array();
  const Object& as_object() const;
  Object& as_object();

  // Object member lookup; nullptr when absent (or when this is not an object).
  const Value* find(std::string_view key) const;
  // Append or replace a member (this must be an object).
  Value& set(std::string key, Value v);

  // A short description for error messages: `"1g"`, `an object`, `42`.
  std::string describe() const;
  const Storage& storage() const { return v_; }

  friend bool operator==(const Value& a, const Value& b);

 private:
  Storage v_;
};

struct ParseError {
  std::string path;     // JSON path of the offending value, "" for the document
  std::string message;  // what was expected / what is wrong
  // "<path>: <message>", or just the message when path is empty.
  std::string what() const;
};

// Parse one JSON document (yajl; rejects trailing garbage).
std::expected<Value, ParseError> parse(std::string_view text);

struct WriteOptions {
  int indent = 0;  // 0: compact; N: pretty with N spaces
};
// Serialise; no trailing newline.
std::string write(const Value& v, WriteOptions opts = {});

}  // namespace oci::json
