// The D-Bus wire format: bytes checked by hand against the specification's
// marshalling rules, and messages read back.
#include <catch2/catch.hpp>

#include "cgroups/dbus_message.hpp"
#include "cgroups/systemd_dbus.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::dbus;

namespace {

std::string bytes(std::initializer_list<int> list) {
  std::string s;
  for (int b : list) s.push_back(static_cast<char>(b));
  return s;
}

}  // namespace

TEST_CASE("dbus: a(sv) with a boolean, padded as the specification says", "[cgroups][dbus]") {
  Writer w;
  write_properties(w, {{"Delegate", true}});
  // length 20 (from offset 8, after padding to the struct), "Delegate",
  // variant signature "b", then the boolean aligned to 4.
  CHECK(w.data() == bytes({20, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0}) + "Delegate" +
                        bytes({0, 1, 'b', 0, 1, 0, 0, 0}));
}

TEST_CASE("dbus: a(sv) with t, au, ay and a(ss) values", "[cgroups][dbus]") {
  Writer w;
  write_properties(w, {{"T", std::uint64_t{5}}, {"P", std::vector<std::uint32_t>{7}},
                       {"C", std::vector<std::uint8_t>{3}},
                       {"D", std::vector<DeviceAllow>{{"/x", "rw"}}}});
  const std::string expected =
      bytes({0, 0, 0, 0, 0, 0, 0, 0}) +                               // length (checked below), pad
      bytes({1, 0, 0, 0, 'T', 0, 1, 't', 0, 0, 0, 0, 0, 0, 0, 0}) +   // "T", sig "t", pad to 8 (offset 24)
      bytes({5, 0, 0, 0, 0, 0, 0, 0}) +                               // 5 (offset 24..31)
      bytes({1, 0, 0, 0, 'P', 0, 2, 'a', 'u', 0, 0, 0}) +             // "P", sig "au", pad to 4 (offset 44)
      bytes({4, 0, 0, 0, 7, 0, 0, 0}) +                               // [7] (offset 44..51)
      bytes({0, 0, 0, 0}) +                                           // struct pad to 56
      bytes({1, 0, 0, 0, 'C', 0, 2, 'a', 'y', 0, 0, 0}) +             // "C", sig "ay" (offset 56..67)
      bytes({1, 0, 0, 0, 3}) +                                        // [3] (68..72)
      bytes({0, 0, 0, 0, 0, 0, 0}) +                                  // struct pad to 80
      bytes({1, 0, 0, 0, 'D', 0, 5, 'a', '(', 's', 's', ')', 0, 0, 0, 0}) +  // "D", sig, pad to 4 (96)
      bytes({15, 0, 0, 0, 0, 0, 0, 0}) +                              // length 15, pad to 8 (104)
      bytes({2, 0, 0, 0, '/', 'x', 0, 0, 2, 0, 0, 0, 'r', 'w', 0});   // ("/x", "rw") (104..118)
  REQUIRE(w.data().size() == expected.size());
  CHECK(w.data().substr(8) == expected.substr(8));
  Reader r(w.data());
  CHECK(r.u32().value() == expected.size() - 8);
}

TEST_CASE("dbus: a method call's header", "[cgroups][dbus]") {
  Message m;
  m.type = MessageType::method_call;
  m.serial = 7;
  m.path = "/";
  m.member = "M";
  const std::string encoded = encode(m);
  // fixed header, fields length 26, PATH "/" at 16, MEMBER "M" at 32, padded to 48
  CHECK(encoded == bytes({'l', 1, 0, 1, 0, 0, 0, 0, 7, 0, 0, 0, 26, 0, 0, 0}) +
                       bytes({1, 1, 'o', 0, 1, 0, 0, 0, '/', 0, 0, 0, 0, 0, 0, 0}) +
                       bytes({3, 1, 's', 0, 1, 0, 0, 0, 'M', 0, 0, 0, 0, 0, 0, 0}));
  CHECK(message_size(encoded).value() == 48);
  CHECK(message_size(encoded.substr(0, 15)).value() == 0);
}

TEST_CASE("dbus: a signal read back, unknown header fields skipped", "[cgroups][dbus]") {
  Writer body;
  body.u32(42);
  body.object_path("/org/freedesktop/systemd1/job/42");
  body.string("nucleus-c1.scope");
  body.string("done");
  Message m;
  m.type = MessageType::signal;
  m.serial = 9;
  m.path = "/org/freedesktop/systemd1";
  m.interface = "org.freedesktop.systemd1.Manager";
  m.member = "JobRemoved";
  m.signature = "uoss";
  m.body = body.data();
  std::string encoded = encode(m);
  auto back = decode(encoded);
  REQUIRE(back);
  CHECK(back->type == MessageType::signal);
  CHECK(back->serial == 9);
  CHECK(back->member == "JobRemoved");
  CHECK(back->interface == "org.freedesktop.systemd1.Manager");
  CHECK(back->signature == "uoss");
  Reader r(back->body);
  CHECK(r.u32().value() == 42);
  CHECK(r.string().value() == "/org/freedesktop/systemd1/job/42");
  CHECK(r.string().value() == "nucleus-c1.scope");
  CHECK(r.string().value() == "done");
  CHECK(r.at_end());

  // A SENDER field (7) and an unknown one (42, a variant holding a(ss)).
  Writer extra;
  extra.begin_struct();
  extra.byte(7);
  extra.signature("s");
  extra.string(":1.5");
  extra.begin_struct();
  extra.byte(42);
  extra.signature("a(ss)");
  auto a = extra.begin_array(8);
  extra.begin_struct();
  extra.string("k");
  extra.string("v");
  extra.end_array(a);
  Message plain;
  plain.type = MessageType::method_return;
  plain.reply_serial = 3;
  std::string with = encode(plain);
  // Splice the extra fields after the REPLY_SERIAL one (which ends at 24).
  const std::string fields = with.substr(16, 8) + extra.data();
  std::string spliced = with.substr(0, 12);
  const auto len = static_cast<std::uint32_t>(fields.size());
  spliced.append(reinterpret_cast<const char*>(&len), 4);
  spliced += fields;
  spliced.resize((spliced.size() + 7) / 8 * 8, '\0');
  auto parsed = decode(spliced);
  REQUIRE(parsed);
  CHECK(parsed->reply_serial == 3u);
}

TEST_CASE("dbus: malformed messages are refused", "[cgroups][dbus]") {
  Message m;
  m.member = "M";
  std::string encoded = encode(m);
  CHECK_FALSE(decode(encoded.substr(0, encoded.size() - 8)));
  std::string other_order = encoded;
  other_order[0] = 'B';
  CHECK_FALSE(message_size(other_order));
  const std::string cut_short = bytes({5, 0, 0, 0, 'a', 'b'});  // the Reader keeps a view
  Reader r(cut_short);
  CHECK_FALSE(r.string());
  CHECK(complete_type_end("a(ss)t") == 5);
  CHECK(complete_type_end("a{sv}") == 5);
  CHECK(complete_type_end("(") == std::string_view::npos);
  CHECK(complete_type_end("z") == std::string_view::npos);
}

TEST_CASE("dbus: error replies carry their text", "[cgroups][dbus]") {
  Writer w;
  w.string("Unit nucleus-c1.scope already exists.");
  Message m;
  m.type = MessageType::error;
  m.error_name = "org.freedesktop.systemd1.UnitExists";
  m.reply_serial = 1;
  m.signature = "s";
  m.body = w.data();
  auto back = decode(encode(m));
  REQUIRE(back);
  CHECK(back->error_name == "org.freedesktop.systemd1.UnitExists");
  CHECK(error_text(*back) == "Unit nucleus-c1.scope already exists.");
}
