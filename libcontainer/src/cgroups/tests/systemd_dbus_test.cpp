// The systemd client against a fake systemd on a unix socket: the
// authentication, the calls it makes, and how it waits for the jobs.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "cgroups/dbus_message.hpp"
#include "cgroups/systemd_dbus.hpp"
#include "fake_host.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::dbus;
using namespace nucleus::cgroups::testing;

namespace {

// One client connection, served on a thread: each method call is recorded
// and answered with what the handler returns (a reply, signals, in order).
class FakeSystemd {
 public:
  using Handler = std::function<std::vector<Message>(const Message& call)>;

  explicit FakeSystemd(Handler handler, std::string auth_answer = "OK 0123456789abcdef0123456789abcdef")
      : handler_(std::move(handler)), auth_answer_(std::move(auth_answer)) {
    listen_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path().c_str());
    REQUIRE(::bind(listen_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(::listen(listen_, 1) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeSystemd() {
    ::shutdown(listen_, SHUT_RDWR);  // wakes accept() if nobody came
    thread_.join();
    ::close(listen_);
  }
  fs::path path() const { return dir_.path() / "private"; }
  std::vector<Message> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // BEGIN came in the same write as AUTH, before the answer.
  bool begin_with_auth() {
    std::lock_guard lock(mu_);
    return begin_with_auth_;
  }
  std::string auth_line() {
    std::lock_guard lock(mu_);
    return auth_line_;
  }

 private:
  void serve() {
    int fd = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    std::string in;
    auto fill = [&]() {
      char buf[4096];
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n <= 0) return false;
      in.append(buf, static_cast<std::size_t>(n));
      return true;
    };
    auto line = [&](std::string& out) {
      std::size_t end;
      while ((end = in.find("\r\n")) == std::string::npos) {
        if (!fill()) return false;
      }
      out = in.substr(0, end);
      in.erase(0, end + 2);
      return true;
    };
    std::string auth, begin;
    if (line(auth)) {
      {
        std::lock_guard lock(mu_);
        auth_line_ = auth;
        begin_with_auth_ = in.starts_with("BEGIN\r\n");
      }
      std::string answer = auth_answer_ + "\r\n";
      (void)!::write(fd, answer.data(), answer.size());
      if (auth_answer_.starts_with("OK") && line(begin)) serve_messages(fd, in, fill);
    }
    ::close(fd);
  }

  template <typename Fill>
  void serve_messages(int fd, std::string& in, Fill& fill) {
    std::uint32_t serial = 100;
    for (;;) {
      auto size = message_size(in);
      if (!size) return;
      if (*size == 0 || in.size() < *size) {
        if (!fill()) return;
        continue;
      }
      auto call = decode(std::string_view(in).substr(0, *size));
      in.erase(0, *size);
      if (!call) return;
      {
        std::lock_guard lock(mu_);
        calls_.push_back(*call);
      }
      for (Message out : handler_(*call)) {
        out.serial = ++serial;
        std::string bytes = encode(out);
        (void)!::write(fd, bytes.data(), bytes.size());
      }
    }
  }

  TempDir dir_;
  Handler handler_;
  std::string auth_answer_;
  int listen_ = -1;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Message> calls_;
  std::string auth_line_;
  bool begin_with_auth_ = false;
};

Message reply_to(const Message& call, std::string signature = "", std::string body = "") {
  Message m;
  m.type = MessageType::method_return;
  m.reply_serial = call.serial;
  m.signature = std::move(signature);
  m.body = std::move(body);
  return m;
}

Message error_to(const Message& call, std::string name, std::string text) {
  Writer w;
  w.string(text);
  Message m = reply_to(call, "s", w.data());
  m.type = MessageType::error;
  m.error_name = std::move(name);
  return m;
}

Message job_reply(const Message& call, const std::string& job) {
  Writer w;
  w.object_path(job);
  return reply_to(call, "o", w.data());
}

Message job_removed(const std::string& job, const std::string& unit, const std::string& result) {
  Writer w;
  w.u32(1);
  w.object_path(job);
  w.string(unit);
  w.string(result);
  Message m;
  m.type = MessageType::signal;
  m.path = "/org/freedesktop/systemd1";
  m.interface = "org.freedesktop.systemd1.Manager";
  m.member = "JobRemoved";
  m.signature = "uoss";
  m.body = w.data();
  return m;
}

// StartTransientUnit's arguments: the unit, the mode, and each property's
// name with its variant's signature.
struct StartArgs {
  std::string unit, mode;
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<std::uint32_t> pids;
};

StartArgs parse_start(const Message& call) {
  StartArgs a;
  Reader r(call.body);
  a.unit = r.string().value();
  a.mode = r.string().value();
  const auto len = r.u32().value();
  REQUIRE(r.align(8));
  const std::size_t end = r.offset() + len;
  while (r.offset() < end) {
    REQUIRE(r.align(8));
    std::string name = r.string().value();
    std::string sig = r.signature().value();
    if (name == "PIDs") {
      const auto n = r.u32().value();
      for (std::uint32_t i = 0; i < n / 4; ++i) a.pids.push_back(r.u32().value());
    } else {
      REQUIRE(r.skip(sig));
    }
    a.properties.emplace_back(std::move(name), std::move(sig));
  }
  CHECK(r.u32().value() == 0);  // no auxiliary units
  return a;
}

const std::string kJob = "/org/freedesktop/systemd1/job/7";

}  // namespace

TEST_CASE("systemd client: starts a transient unit and waits for its job", "[cgroups][systemd][dbus]") {
  FakeSystemd sd([](const Message& call) -> std::vector<Message> {
    if (call.member == "StartTransientUnit") return {job_reply(call, kJob), job_removed(kJob, "u.scope", "done")};
    return {reply_to(call)};
  });
  auto control = connect_systemd(sd.path());
  REQUIRE(control);
  UnitProperties props = unit_start_properties(SystemdPath{"system.slice", "nucleus", "c1"}, 4242, true);
  props.push_back({"MemoryMax", std::uint64_t{1} << 20});
  REQUIRE((*control)->start_unit("nucleus-c1.scope", props));

  // SASL EXTERNAL with the uid, hex-encoded ("0" is 30).
  CHECK(sd.auth_line() == std::string(1, '\0') + "AUTH EXTERNAL " +
                              [] {
                                std::string hex;
                                for (char c : std::to_string(::geteuid())) hex += fmt::format("{:02x}", c);
                                return hex;
                              }());
  CHECK(sd.begin_with_auth());
  auto calls = sd.calls();
  REQUIRE(calls.size() == 1);
  const Message& call = calls[0];
  CHECK(call.destination == "org.freedesktop.systemd1");
  CHECK(call.path == "/org/freedesktop/systemd1");
  CHECK(call.interface == "org.freedesktop.systemd1.Manager");
  CHECK(call.signature == "ssa(sv)a(sa(sv))");
  auto args = parse_start(call);
  CHECK(args.unit == "nucleus-c1.scope");
  CHECK(args.mode == "replace");
  CHECK(args.pids == std::vector<std::uint32_t>{4242});
  using P = std::pair<std::string, std::string>;
  CHECK(args.properties == std::vector<P>{{"Description", "s"}, {"Slice", "s"}, {"PIDs", "au"},
                                          {"Delegate", "b"}, {"MemoryAccounting", "b"}, {"CPUAccounting", "b"},
                                          {"IOAccounting", "b"}, {"TasksAccounting", "b"},
                                          {"DefaultDependencies", "b"}, {"MemoryMax", "t"}});
}

TEST_CASE("systemd client: a JobRemoved before the reply is not missed", "[cgroups][systemd][dbus]") {
  FakeSystemd sd([](const Message& call) -> std::vector<Message> {
    return {job_removed("/other/job", "x.scope", "done"), job_removed(kJob, "u.scope", "done"),
            job_reply(call, kJob)};
  });
  auto control = connect_systemd(sd.path());
  REQUIRE(control);
  CHECK((*control)->start_unit("u.scope", {}));
}

TEST_CASE("systemd client: a failed job is an error, and the unit is reset", "[cgroups][systemd][dbus]") {
  FakeSystemd sd([](const Message& call) -> std::vector<Message> {
    if (call.member == "StartTransientUnit") return {job_reply(call, kJob), job_removed(kJob, "u.scope", "failed")};
    return {reply_to(call)};
  });
  auto control = connect_systemd(sd.path());
  REQUIRE(control);
  auto started = (*control)->start_unit("u.scope", {});
  REQUIRE_FALSE(started);
  CHECK(started.error().what() == "error creating systemd unit `u.scope`: got `failed`");
  auto calls = sd.calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[1].member == "ResetFailedUnit");
  CHECK(Reader(calls[1].body).string().value() == "u.scope");
}

TEST_CASE("systemd client: a unit left over is reset and started again", "[cgroups][systemd][dbus]") {
  int starts = 0;
  FakeSystemd sd([&](const Message& call) -> std::vector<Message> {
    if (call.member != "StartTransientUnit") return {reply_to(call)};
    if (++starts == 1)
      return {error_to(call, "org.freedesktop.systemd1.UnitExists", "Unit u.scope was already loaded")};
    return {job_reply(call, kJob), job_removed(kJob, "u.scope", "done")};
  });
  auto control = connect_systemd(sd.path());
  REQUIRE(control);
  REQUIRE((*control)->start_unit("u.scope", {}));
  auto calls = sd.calls();
  REQUIRE(calls.size() == 3);
  CHECK(calls[1].member == "ResetFailedUnit");
  CHECK(calls[2].member == "StartTransientUnit");
}

TEST_CASE("systemd client: errors from systemd are reported with its text", "[cgroups][systemd][dbus]") {
  FakeSystemd sd([](const Message& call) -> std::vector<Message> {
    return {error_to(call, "org.freedesktop.DBus.Error.InvalidArgs", "Process with ID 42 does not exist.")};
  });
  auto control = connect_systemd(sd.path());
  REQUIRE(control);
  auto started = (*control)->start_unit("u.scope", {});
  REQUIRE_FALSE(started);
  CHECK(started.error().what() == "unable to start unit \"u.scope\": Process with ID 42 does not exist.");
  auto set = (*control)->set_unit_properties("u.scope", {{"TasksMax", std::uint64_t{5}}});
  REQUIRE_FALSE(set);
  CHECK(set.error().what() == "unable to set unit properties: Process with ID 42 does not exist.");
}

TEST_CASE("systemd client: stop waits for the job; a unit that is gone is fine", "[cgroups][systemd][dbus]") {
  FakeSystemd sd([](const Message& call) -> std::vector<Message> {
    if (call.member == "StopUnit") {
      Reader r(call.body);
      if (r.string().value() == "gone.scope")
        return {error_to(call, "org.freedesktop.systemd1.NoSuchUnit", "Unit gone.scope not loaded.")};
      return {job_reply(call, kJob), job_removed(kJob, "u.scope", "done")};
    }
    if (call.member == "ResetFailedUnit")
      return {error_to(call, "org.freedesktop.systemd1.NoSuchUnit", "Unit not loaded.")};
    return {reply_to(call)};
  });
  auto control = connect_systemd(sd.path());
  REQUIRE(control);
  REQUIRE((*control)->stop_unit("u.scope"));
  REQUIRE((*control)->stop_unit("gone.scope"));
  auto calls = sd.calls();
  REQUIRE(calls.size() == 4);
  CHECK(calls[0].member == "StopUnit");
  CHECK(calls[0].signature == "ss");
  CHECK(calls[1].member == "ResetFailedUnit");
  CHECK(calls[2].member == "StopUnit");
  CHECK(calls[3].member == "ResetFailedUnit");
}

TEST_CASE("systemd client: SetUnitProperties and the manager's version", "[cgroups][systemd][dbus]") {
  FakeSystemd sd([](const Message& call) -> std::vector<Message> {
    if (call.member == "Get") {
      Writer w;
      w.signature("s");
      w.string("252.38-1~deb12u1");
      return {reply_to(call, "v", w.data())};
    }
    return {reply_to(call)};
  });
  auto control = connect_systemd(sd.path());
  REQUIRE(control);
  CHECK((*control)->version() == 252);
  CHECK((*control)->version() == 252);  // asked once
  REQUIRE((*control)->set_unit_properties("u.scope", {{"TasksMax", std::uint64_t{5}}}));
  auto calls = sd.calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].interface == "org.freedesktop.DBus.Properties");
  Reader get(calls[0].body);
  CHECK(get.string().value() == "org.freedesktop.systemd1.Manager");
  CHECK(get.string().value() == "Version");
  CHECK(calls[1].member == "SetUnitProperties");
  CHECK(calls[1].signature == "sba(sv)");
  Reader set(calls[1].body);
  CHECK(set.string().value() == "u.scope");
  CHECK(set.boolean().value());  // runtime only
}

TEST_CASE("systemd client: connection errors say where", "[cgroups][systemd][dbus]") {
  TempDir tmp;
  auto none = connect_systemd(tmp.path() / "private");
  REQUIRE_FALSE(none);
  CHECK(none.error().what() == fmt::format("failed to connect to systemd over D-Bus: connect to \"{}\": no such "
                                           "file or directory",
                                           (tmp.path() / "private").native()));
  FakeSystemd refusing([](const Message&) { return std::vector<Message>{}; }, "REJECTED EXTERNAL");
  auto refused = connect_systemd(refusing.path());
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().what(), Catch::Contains("D-Bus authentication refused: \"REJECTED EXTERNAL\""));
}
