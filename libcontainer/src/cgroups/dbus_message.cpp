#include "cgroups/dbus_message.hpp"

#include <bit>
#include <cstring>

namespace nucleus::cgroups::dbus {

namespace {

constexpr char kOwnOrder = std::endian::native == std::endian::little ? 'l' : 'B';
constexpr std::uint8_t kProtocolVersion = 1;
// The specification's limits: a message is at most 128 MiB, an array 64 MiB.
constexpr std::size_t kMaxMessage = std::size_t{1} << 27;
constexpr std::uint32_t kMaxArray = std::uint32_t{1} << 26;

enum HeaderField : std::uint8_t {
  kPath = 1,
  kInterface = 2,
  kMember = 3,
  kErrorName = 4,
  kReplySerial = 5,
  kDestination = 6,
  kSignature = 8,
};

template <typename T>
void put(std::string& buf, T v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  buf.append(bytes, sizeof(T));
}

template <typename T>
T get(std::string_view bytes) {
  T v;
  std::memcpy(&v, bytes.data(), sizeof(T));
  return v;
}

std::size_t alignment_of(char code) {
  switch (code) {
    case 'y': case 'g': case 'v': return 1;
    case 'n': case 'q': return 2;
    case 'x': case 't': case 'd': case '(': case '{': return 8;
    default: return 4;  // b i u h s o a
  }
}

void string_field(Writer& w, HeaderField code, std::string_view sig, std::string_view value) {
  if (value.empty()) return;
  w.begin_struct();
  w.byte(code);
  w.signature(sig);
  if (sig == "g")
    w.signature(value);
  else
    w.string(value);
}

}  // namespace

void Writer::align(std::size_t n) { buf_.resize((buf_.size() + n - 1) / n * n, '\0'); }

void Writer::byte(std::uint8_t v) { buf_.push_back(static_cast<char>(v)); }

void Writer::u32(std::uint32_t v) {
  align(4);
  put(buf_, v);
}

void Writer::u64(std::uint64_t v) {
  align(8);
  put(buf_, v);
}

void Writer::string(std::string_view s) {
  u32(static_cast<std::uint32_t>(s.size()));
  buf_.append(s);
  buf_.push_back('\0');
}

void Writer::signature(std::string_view s) {
  byte(static_cast<std::uint8_t>(s.size()));
  buf_.append(s);
  buf_.push_back('\0');
}

Writer::ArrayMark Writer::begin_array(std::size_t element_alignment) {
  u32(0);
  const std::size_t length_at = buf_.size() - 4;
  align(element_alignment);
  return {length_at, buf_.size()};
}

// The length counts the elements only, not the padding before them.
void Writer::end_array(ArrayMark mark) {
  const auto length = static_cast<std::uint32_t>(buf_.size() - mark.first);
  std::memcpy(buf_.data() + mark.length_at, &length, 4);
}

Result<std::string_view> Reader::take(std::size_t n) {
  if (n > data_.size() - pos_) return fail("D-Bus message: truncated value");
  auto s = data_.substr(pos_, n);
  pos_ += n;
  return s;
}

Result<void> Reader::align(std::size_t n) {
  const std::size_t to = (pos_ + n - 1) / n * n;
  if (to > data_.size()) return fail("D-Bus message: truncated padding");
  pos_ = to;
  return {};
}

Result<std::uint8_t> Reader::byte() { return static_cast<std::uint8_t>(TRY(take(1))[0]); }

Result<bool> Reader::boolean() {
  auto v = TRY(u32());
  if (v > 1) return fail("D-Bus message: boolean other than 0 or 1");
  return v == 1;
}

Result<std::uint32_t> Reader::u32() {
  TRY_VOID(align(4));
  return get<std::uint32_t>(TRY(take(4)));
}

Result<std::uint64_t> Reader::u64() {
  TRY_VOID(align(8));
  return get<std::uint64_t>(TRY(take(8)));
}

Result<std::string> Reader::string() {
  const auto n = TRY(u32());
  auto s = TRY(take(std::size_t{n} + 1));
  if (s.back() != '\0') return fail("D-Bus message: string without its terminating nul");
  return std::string(s.substr(0, n));
}

Result<std::string> Reader::signature() {
  const auto n = TRY(byte());
  auto s = TRY(take(std::size_t{n} + 1));
  if (s.back() != '\0') return fail("D-Bus message: signature without its terminating nul");
  return std::string(s.substr(0, n));
}

std::size_t complete_type_end(std::string_view sig) {
  if (sig.empty()) return std::string_view::npos;
  switch (sig[0]) {
    case 'a': {
      auto inner = complete_type_end(sig.substr(1));
      return inner == std::string_view::npos ? inner : inner + 1;
    }
    case '(': case '{': {
      const char close = sig[0] == '(' ? ')' : '}';
      std::size_t i = 1;
      while (i < sig.size() && sig[i] != close) {
        auto n = complete_type_end(sig.substr(i));
        if (n == std::string_view::npos) return n;
        i += n;
      }
      return i < sig.size() && i > 1 ? i + 1 : std::string_view::npos;
    }
    default:
      return std::string_view("ybnqiuxtdsoghv").find(sig[0]) == std::string_view::npos ? std::string_view::npos
                                                                                       : 1;
  }
}

Result<void> Reader::skip(std::string_view sig) {
  const std::size_t end = complete_type_end(sig);
  if (end != sig.size()) return fail(fmt::format("D-Bus message: bad type signature \"{}\"", sig));
  switch (sig[0]) {
    case 'y': case 'g': {
      if (sig[0] == 'y') TRY_VOID(take(1));
      else TRY_VOID(signature());
      return {};
    }
    case 'n': case 'q': TRY_VOID(align(2)); TRY_VOID(take(2)); return {};
    case 'b': case 'i': case 'u': case 'h': TRY_VOID(u32()); return {};
    case 'x': case 't': case 'd': TRY_VOID(u64()); return {};
    case 's': case 'o': TRY_VOID(string()); return {};
    case 'v': {
      auto inner = TRY(signature());
      return skip(inner);
    }
    case 'a': {
      const auto n = TRY(u32());
      if (n > kMaxArray) return fail("D-Bus message: array too long");
      TRY_VOID(align(alignment_of(sig[1])));
      TRY_VOID(take(n));  // no need to walk the elements: the length says where they end
      return {};
    }
    default: {  // ( or {
      TRY_VOID(align(8));
      for (std::size_t i = 1; i + 1 < sig.size();) {
        const auto n = complete_type_end(sig.substr(i));
        TRY_VOID(skip(sig.substr(i, n)));
        i += n;
      }
      return {};
    }
  }
}

std::string encode(const Message& m) {
  Writer fields;
  string_field(fields, kPath, "o", m.path);
  string_field(fields, kInterface, "s", m.interface);
  string_field(fields, kMember, "s", m.member);
  string_field(fields, kErrorName, "s", m.error_name);
  if (m.reply_serial) {
    fields.begin_struct();
    fields.byte(kReplySerial);
    fields.signature("u");
    fields.u32(*m.reply_serial);
  }
  string_field(fields, kDestination, "s", m.destination);
  string_field(fields, kSignature, "g", m.signature);

  std::string out;
  out.push_back(kOwnOrder);
  out.push_back(static_cast<char>(m.type));
  out.push_back(static_cast<char>(m.flags));
  out.push_back(static_cast<char>(kProtocolVersion));
  put(out, static_cast<std::uint32_t>(m.body.size()));
  put(out, m.serial);
  put(out, static_cast<std::uint32_t>(fields.data().size()));
  out += fields.data();
  out.resize((out.size() + 7) / 8 * 8, '\0');
  out += m.body;
  return out;
}

Result<std::size_t> message_size(std::string_view data) {
  if (data.size() < 16) return 0;
  if (data[0] != kOwnOrder) return fail("D-Bus message: not in this host's byte order");
  const auto body = get<std::uint32_t>(data.substr(4));
  const auto fields = get<std::uint32_t>(data.substr(12));
  const std::size_t header = (16 + std::size_t{fields} + 7) / 8 * 8;
  if (fields > kMaxArray || header + body > kMaxMessage) return fail("D-Bus message: too large");
  return header + body;
}

namespace {

Result<void> read_field(Reader& r, Message& m) {
  TRY_VOID(r.align(8));
  const auto code = TRY(r.byte());
  const auto sig = TRY(r.signature());
  auto expect = [&](std::string_view want) -> Result<void> {
    if (sig != want) return fail(fmt::format("D-Bus message: header field {} of type \"{}\"", code, sig));
    return {};
  };
  switch (code) {
    case kPath: TRY_VOID(expect("o")); m.path = TRY(r.string()); return {};
    case kInterface: TRY_VOID(expect("s")); m.interface = TRY(r.string()); return {};
    case kMember: TRY_VOID(expect("s")); m.member = TRY(r.string()); return {};
    case kErrorName: TRY_VOID(expect("s")); m.error_name = TRY(r.string()); return {};
    case kReplySerial: TRY_VOID(expect("u")); m.reply_serial = TRY(r.u32()); return {};
    case kDestination: TRY_VOID(expect("s")); m.destination = TRY(r.string()); return {};
    case kSignature: TRY_VOID(expect("g")); m.signature = TRY(r.signature()); return {};
    default: return r.skip(sig);  // sender, unix fds, and fields added later
  }
}

}  // namespace

Result<Message> decode(std::string_view data) {
  const std::size_t size = TRY(message_size(data));
  if (size == 0 || size != data.size()) return fail("D-Bus message: incomplete");
  Message m;
  const auto type = static_cast<std::uint8_t>(data[1]);
  if (type < 1 || type > 4) return fail(fmt::format("D-Bus message: unknown message type {}", type));
  m.type = static_cast<MessageType>(type);
  m.flags = static_cast<std::uint8_t>(data[2]);
  m.serial = get<std::uint32_t>(data.substr(8));
  const auto fields_len = get<std::uint32_t>(data.substr(12));
  // From offset 16, so that alignment counts from the message start.
  Reader fields(data.substr(0, 16 + std::size_t{fields_len}), 16);
  while (!fields.at_end()) TRY_VOID(read_field(fields, m));
  const std::size_t body_at = (16 + std::size_t{fields_len} + 7) / 8 * 8;
  m.body = std::string(data.substr(body_at));
  return m;
}

std::string error_text(const Message& m) {
  if (m.signature.empty() || m.signature[0] != 's') return m.error_name;
  Reader r(m.body);
  auto text = r.string();
  return text ? *text : m.error_name;
}

}  // namespace nucleus::cgroups::dbus
