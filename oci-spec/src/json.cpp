// The JSON document model and its parser (yajl's event API, so we see the raw
// text of numbers and can keep integers exact in int64/uint64).
#include "oci/json.hpp"

#include <yajl/yajl_parse.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "nucleus/utf8.hpp"

namespace oci::json {

namespace {

template <typename T>
const T* get(const Value::Storage& s) {
  return std::get_if<T>(&s);
}

const Value kNull;

}  // namespace

bool Value::is_null() const { return std::holds_alternative<Null>(v_); }
bool Value::is_bool() const { return std::holds_alternative<bool>(v_); }
bool Value::is_int() const {
  return std::holds_alternative<std::int64_t>(v_) || std::holds_alternative<std::uint64_t>(v_);
}
bool Value::is_number() const { return is_int() || std::holds_alternative<double>(v_); }
bool Value::is_string() const { return std::holds_alternative<std::string>(v_); }
bool Value::is_array() const { return std::holds_alternative<std::shared_ptr<Array>>(v_); }
bool Value::is_object() const { return std::holds_alternative<std::shared_ptr<Object>>(v_); }

bool Value::as_bool() const { return std::get<bool>(v_); }

std::int64_t Value::as_int() const {
  if (auto u = get<std::uint64_t>(v_)) return static_cast<std::int64_t>(*u);
  if (auto d = get<double>(v_)) return static_cast<std::int64_t>(*d);
  return std::get<std::int64_t>(v_);
}

std::uint64_t Value::as_uint() const {
  if (auto i = get<std::int64_t>(v_)) return static_cast<std::uint64_t>(*i);
  if (auto d = get<double>(v_)) return static_cast<std::uint64_t>(*d);
  return std::get<std::uint64_t>(v_);
}

double Value::as_double() const {
  if (auto i = get<std::int64_t>(v_)) return static_cast<double>(*i);
  if (auto u = get<std::uint64_t>(v_)) return static_cast<double>(*u);
  return std::get<double>(v_);
}

const std::string& Value::as_string() const { return std::get<std::string>(v_); }
const Array& Value::as_array() const { return *std::get<std::shared_ptr<Array>>(v_); }
const Object& Value::as_object() const { return *std::get<std::shared_ptr<Object>>(v_); }

// Copies share their containers; a mutable access un-shares first, so a Value
// behaves like a value (copy-on-write).
Array& Value::as_array() {
  auto& p = std::get<std::shared_ptr<Array>>(v_);
  if (p.use_count() > 1) p = std::make_shared<Array>(*p);
  return *p;
}

Object& Value::as_object() {
  auto& p = std::get<std::shared_ptr<Object>>(v_);
  if (p.use_count() > 1) p = std::make_shared<Object>(*p);
  return *p;
}

// The last occurrence of a duplicated key wins, as in Go's encoding/json.
const Value* Value::find(std::string_view key) const {
  auto o = get<std::shared_ptr<Object>>(v_);
  if (!o) return nullptr;
  for (auto it = (*o)->rbegin(); it != (*o)->rend(); ++it)
    if (it->first == key) return &it->second;
  return nullptr;
}

Value& Value::set(std::string key, Value v) {
  auto& obj = as_object();
  for (auto it = obj.rbegin(); it != obj.rend(); ++it) {
    if (it->first == key) {
      it->second = std::move(v);
      return it->second;
    }
  }
  obj.emplace_back(std::move(key), std::move(v));
  return obj.back().second;
}

std::string Value::describe() const {
  if (is_object()) return "an object";
  if (is_array()) return "an array";
  if (is_string()) {
    const auto& s = as_string();
    if (s.size() <= 64) return write(*this);
    std::string w = write(Value(s.substr(0, 61)));
    return w.insert(w.size() - 1, "...");
  }
  std::string w = write(*this);
  // Show that 1.0 is a float: "expected an integer, got 1" would be puzzling.
  if (std::holds_alternative<double>(v_) && w.find_first_of(".en") == std::string::npos) w += ".0";
  return w;
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) {
    // int64 and uint64 storage hold the same number when the values agree.
    bool a_neg = std::holds_alternative<std::int64_t>(a.v_) && a.as_int() < 0;
    bool b_neg = std::holds_alternative<std::int64_t>(b.v_) && b.as_int() < 0;
    if (a_neg || b_neg) return a_neg && b_neg && a.as_int() == b.as_int();
    return a.as_uint() == b.as_uint();
  }
  if (a.v_.index() != b.v_.index()) return false;
  if (a.is_array()) return a.as_array() == b.as_array();
  if (a.is_object()) return a.as_object() == b.as_object();
  if (a.is_bool()) return a.as_bool() == b.as_bool();
  if (a.is_string()) return a.as_string() == b.as_string();
  if (std::holds_alternative<double>(a.v_)) return a.as_double() == b.as_double();
  return true;  // both null
}

std::string ParseError::what() const {
  if (path.empty()) return message;
  return fmt::format("{}: {}", path, message);
}

// ---- parser -----------------------------------------------------------------

namespace {

// A repeated key decodes into what the first one left, as Go's encoding/json
// decodes into a struct or map field: objects merge member by member, any
// other value replaces. (runc reads {"process": {...}, "process": {"cwd": "/x"}}
// as the first process with cwd /x.)
void merge_into(Value& old, Value v) {
  if (!old.is_object() || !v.is_object()) {
    old = std::move(v);
    return;
  }
  Object& members = old.as_object();
  Object& added = v.as_object();
  members.reserve(members.size() + added.size());  // the views below stay valid
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < members.size(); ++i) index[members[i].first] = i;
  for (auto& [key, value] : added) {
    if (auto it = index.find(key); it != index.end()) {
      merge_into(members[it->second].second, std::move(value));
    } else {
      members.emplace_back(key, std::move(value));
      index.emplace(members.back().first, members.size() - 1);
    }
  }
}

// Builds the tree from yajl events: a stack of open containers, each with the
// key waiting for its value when it is an object, and the position of each
// key it holds (so a repeated key is found without a scan).
class Builder {
 public:
  Value root;
  std::string error;  // set by a callback that rejects the input

  bool add(Value v) {
    if (stack_.empty()) {
      root = std::move(v);
      return true;
    }
    Frame& top = stack_.back();
    if (top.value.is_array()) {
      top.value.as_array().push_back(std::move(v));
      return true;
    }
    Object& members = top.value.as_object();
    auto [it, fresh] = top.keys.try_emplace(top.key, members.size());
    if (fresh) {
      members.emplace_back(std::move(top.key), std::move(v));
    } else {
      merge_into(members[it->second].second, std::move(v));
    }
    return true;
  }
  bool open(Value container) {
    // Deep nesting would only exhaust the stack of the recursive writer and
    // destructor; no OCI document comes close.
    if (stack_.size() >= kMaxDepth) {
      error = fmt::format("nesting deeper than {} levels", kMaxDepth);
      return false;
    }
    stack_.push_back(Frame{std::move(container), {}, {}});
    return true;
  }
  bool key(std::string k) {
    stack_.back().key = std::move(k);
    return true;
  }
  bool close() {
    Value v = std::move(stack_.back().value);
    stack_.pop_back();
    return add(std::move(v));
  }
  bool number(std::string_view text) {
    const char* b = text.data();
    const char* e = b + text.size();
    if (text.find_first_of(".eE") == std::string_view::npos) {
      std::int64_t i = 0;
      if (auto r = std::from_chars(b, e, i); r.ec == std::errc() && r.ptr == e) return add(Value(i));
      std::uint64_t u = 0;
      if (auto r = std::from_chars(b, e, u); r.ec == std::errc() && r.ptr == e) return add(Value(u));
    }
    // strtod, not std::from_chars<double>: that object pulls libm in.
    std::string copy(text);
    char* end = nullptr;
    errno = 0;
    double d = std::strtod(copy.c_str(), &end);
    if (errno == ERANGE || end != copy.c_str() + copy.size()) {
      error = fmt::format("number {} out of range", text);
      return false;
    }
    return add(Value(d));
  }

 private:
  static constexpr std::size_t kMaxDepth = 512;
  struct Frame {
    Value value;
    std::string key;
    std::unordered_map<std::string, std::size_t> keys;
  };
  std::vector<Frame> stack_;
};

Builder& B(void* ctx) { return *static_cast<Builder*>(ctx); }
// A string or key as encoding/json decodes it: invalid UTF-8 becomes U+FFFD.
std::string text(const unsigned char* s, std::size_t n) {
  return nucleus::utf8_coerce({reinterpret_cast<const char*>(s), n});
}

const yajl_callbacks kCallbacks = {
    [](void* c) { return int(B(c).add(Value())); },
    [](void* c, int b) { return int(B(c).add(Value(b != 0))); },
    nullptr,
    nullptr,
    [](void* c, const char* s, std::size_t n) { return int(B(c).number({s, n})); },
    [](void* c, const unsigned char* s, std::size_t n) { return int(B(c).add(Value(text(s, n)))); },
    [](void* c) { return int(B(c).open(Value(Object{}))); },
    [](void* c, const unsigned char* s, std::size_t n) { return int(B(c).key(text(s, n))); },
    [](void* c) { return int(B(c).close()); },
    [](void* c) { return int(B(c).open(Value(Array{}))); },
    [](void* c) { return int(B(c).close()); },
};

struct YajlFree {
  void operator()(yajl_handle h) const { yajl_free(h); }
};

std::string yajl_message(yajl_handle h, std::string_view text) {
  unsigned char* raw = yajl_get_error(h, 0, reinterpret_cast<const unsigned char*>(text.data()),
                                      text.size());
  std::string msg = raw ? reinterpret_cast<char*>(raw) : "parse error";
  yajl_free_error(h, raw);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (msg.starts_with("parse error: ")) msg.erase(0, 13);
  return msg;
}

// Go reads a \uD800-\uDFFF escape that is not half of a surrogate pair as
// U+FFFD; yajl would make "?", CESU-8 or a wrong code point of it. Such an
// escape is rewritten to \ufffd, the same length, so error offsets hold.
std::optional<unsigned> hex4(std::string_view s, std::size_t i) {
  unsigned v = 0;
  if (i + 4 > s.size()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data() + i, s.data() + i + 4, v, 16);
  if (ec != std::errc() || end != s.data() + i + 4) return std::nullopt;
  return v;
}

std::string_view replace_lone_surrogates(std::string_view text, std::string& storage) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') {
      in_string = !in_string;
    } else if (in_string && text[i] == '\\' && i + 1 < text.size()) {
      if (text[i + 1] != 'u') {
        ++i;  // the escaped character
        continue;
      }
      auto unit = hex4(text, i + 2);
      if (!unit || *unit < 0xD800 || *unit > 0xDFFF) continue;
      bool high = *unit < 0xDC00;
      std::optional<unsigned> next;
      if (high && text.substr(i + 6, 2) == "\\u") next = hex4(text, i + 8);
      if (next && *next >= 0xDC00 && *next <= 0xDFFF) {
        i += 11;  // a pair: both escapes stay
        continue;
      }
      if (storage.empty()) storage = text;
      storage.replace(i + 2, 4, "fffd");
      i += 5;
    }
  }
  return storage.empty() ? text : std::string_view(storage);
}

}  // namespace

std::expected<Value, ParseError> parse(std::string_view text) {
  std::string rewritten;
  text = replace_lone_surrogates(text, rewritten);
  Builder b;
  std::unique_ptr<yajl_handle_t, YajlFree> h(yajl_alloc(&kCallbacks, nullptr, &b));
  // No comments, one value, no trailing garbage (yajl's defaults); invalid
  // UTF-8 is not an error but replaced (text()), as runc reads it.
  yajl_config(h.get(), yajl_dont_validate_strings, 1);
  yajl_status st = yajl_parse(h.get(), reinterpret_cast<const unsigned char*>(text.data()),
                              text.size());
  if (st == yajl_status_ok) st = yajl_complete_parse(h.get());
  if (st != yajl_status_ok) {
    std::string why = b.error.empty() ? yajl_message(h.get(), text) : b.error;
    return std::unexpected(ParseError{
        "", fmt::format("invalid JSON: {} (at offset {})", why, yajl_get_bytes_consumed(h.get()))});
  }
  return std::move(b.root);
}

}  // namespace oci::json
