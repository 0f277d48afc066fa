// The D-Bus wire format, as much of it as talking to systemd needs: method
// calls out, and replies, errors and signals in (D-Bus specification,
// "Message Protocol"). Messages are in this host's byte order, which is the
// order systemd answers in; a message in the other order is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nucleus/error.hpp"

namespace nucleus::cgroups::dbus {

enum class MessageType : std::uint8_t { method_call = 1, method_return = 2, error = 3, signal = 4 };

// Values marshalled into a growing buffer; alignment is counted from the
// buffer's start, which is 8-aligned in the message (header and body both).
class Writer {
 public:
  void byte(std::uint8_t v);
  void boolean(bool v) { u32(v ? 1 : 0); }
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void string(std::string_view s);
  void object_path(std::string_view s) { string(s); }
  void signature(std::string_view s);
  // A struct (and a dict entry) starts on an 8-byte boundary.
  void begin_struct() { align(8); }
  // An array: its byte length is patched in by end_array; elements start
  // aligned to element_alignment even when there are none.
  struct ArrayMark {
    std::size_t length_at;  // where the u32 length goes
    std::size_t first;      // where the elements start, after the padding
  };
  ArrayMark begin_array(std::size_t element_alignment);
  void end_array(ArrayMark mark);

  void align(std::size_t n);
  const std::string& data() const { return buf_; }

 private:
  std::string buf_;
};

// Values read back; every read checks bounds and fails with a message saying
// what was malformed.
class Reader {
 public:
  explicit Reader(std::string_view data, std::size_t start = 0) : data_(data), pos_(start) {}
  Result<std::uint8_t> byte();
  Result<bool> boolean();
  Result<std::uint32_t> u32();
  Result<std::uint64_t> u64();
  Result<std::string> string();
  Result<std::string> signature();
  // Skip one complete value of the single complete type `sig`.
  Result<void> skip(std::string_view sig);
  Result<void> align(std::size_t n);
  std::size_t offset() const { return pos_; }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  Result<std::string_view> take(std::size_t n);
  std::string_view data_;
  std::size_t pos_ = 0;
};

// The end of the first single complete type in sig ("a(ss)t" -> 5), or npos.
std::size_t complete_type_end(std::string_view sig);

struct Message {
  MessageType type = MessageType::method_call;
  std::uint8_t flags = 0;
  std::uint32_t serial = 0;
  std::optional<std::uint32_t> reply_serial;
  std::string path;
  std::string interface;
  std::string member;
  std::string error_name;
  std::string destination;
  std::string signature;  // of body
  std::string body;       // marshalled, starting 8-aligned
};

// The whole message: fixed header, header fields, padding, body.
std::string encode(const Message& m);

// Bytes needed for the message that starts data: 0 while fewer than the
// 16 bytes of the fixed header are there.
Result<std::size_t> message_size(std::string_view data);

// One message of exactly message_size() bytes.
Result<Message> decode(std::string_view data);

// An error reply's text (its first string argument), for error messages.
std::string error_text(const Message& m);

}  // namespace nucleus::cgroups::dbus
