#include "cgroups/systemd_dbus.hpp"

#include "cgroups/dbus_connection.hpp"
#include "nucleus/log.hpp"

namespace nucleus::cgroups {

namespace {

using dbus::Message;
using dbus::MessageType;
using dbus::Writer;

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kObject = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr std::string_view kNoSuchUnit = "org.freedesktop.systemd1.NoSuchUnit";
constexpr std::string_view kUnitExists = "org.freedesktop.systemd1.UnitExists";

struct ValueWriter {
  Writer& w;
  void operator()(bool v) const {
    w.signature("b");
    w.boolean(v);
  }
  void operator()(const std::string& v) const {
    w.signature("s");
    w.string(v);
  }
  void operator()(std::uint64_t v) const {
    w.signature("t");
    w.u64(v);
  }
  void operator()(const std::vector<std::uint32_t>& v) const {
    w.signature("au");
    auto a = w.begin_array(4);
    for (auto x : v) w.u32(x);
    w.end_array(a);
  }
  void operator()(const std::vector<std::uint8_t>& v) const {
    w.signature("ay");
    auto a = w.begin_array(1);
    for (auto x : v) w.byte(x);
    w.end_array(a);
  }
  void operator()(const std::vector<DeviceAllow>& v) const {
    w.signature("a(ss)");
    auto a = w.begin_array(8);
    for (const auto& d : v) {
      w.begin_struct();
      w.string(d.path);
      w.string(d.access);
    }
    w.end_array(a);
  }
};

Message manager_call(std::string member, std::string signature, std::string body) {
  Message m;
  m.path = kObject;
  m.interface = kManager;
  m.member = std::move(member);
  m.destination = kService;
  m.signature = std::move(signature);
  m.body = std::move(body);
  return m;
}

Result<std::string> read_object_path(const Message& reply) {
  if (reply.signature != "o") return fail(fmt::format("systemd answered \"{}\" where a job was expected", reply.signature));
  dbus::Reader r(reply.body);
  return r.string();
}

struct JobRemoved {
  std::string job;
  std::string unit;
  std::string result;
};

Result<JobRemoved> parse_job_removed(const Message& m) {
  dbus::Reader r(m.body);
  TRY_VOID(r.u32());  // the job's id
  JobRemoved j;
  j.job = TRY(r.string());
  j.unit = TRY(r.string());
  j.result = TRY(r.string());
  return j;
}

class DbusUnitControl final : public UnitControl {
 public:
  explicit DbusUnitControl(dbus::Connection c) : conn_(std::move(c)) {}

  Result<void> start_unit(const std::string& unit, const UnitProperties& properties) override {
    const auto deadline = std::chrono::steady_clock::now() + kSystemdJobTimeout;
    Message reply = TRY(conn_.call(start_call(unit, properties), deadline));
    if (reply.error_name == kUnitExists) {
      // Likely a failed unit of an earlier container by that name.
      if (auto r = reset_failed(unit); !r) log::warn("unable to reset failed unit: {}", r.error().what());
      reply = TRY(conn_.call(start_call(unit, properties), deadline));
    }
    if (reply.type == MessageType::error)
      return fail(fmt::format("unable to start unit \"{}\": {}", unit, dbus::error_text(reply)));
    const std::string job = TRY(read_object_path(reply));
    auto done = wait_job(job, deadline);
    if (!done) {
      (void)reset_failed(unit);
      if (done.error().err() == ETIMEDOUT) return fail(fmt::format("Timeout waiting for systemd to create {}", unit));
      return std::unexpected(done.error());
    }
    if (*done != "done") {
      (void)reset_failed(unit);
      return fail(fmt::format("error creating systemd unit `{}`: got `{}`", unit, *done));
    }
    return {};
  }

  Result<void> stop_unit(const std::string& unit) override {
    const auto deadline = std::chrono::steady_clock::now() + kSystemdJobTimeout;
    Writer w;
    w.string(unit);
    w.string("replace");
    Message reply = TRY(conn_.call(manager_call("StopUnit", "ss", w.data()), deadline));
    if (reply.type == MessageType::error && reply.error_name != kNoSuchUnit)
      return fail(fmt::format("unable to stop unit \"{}\": {}", unit, dbus::error_text(reply)));
    if (reply.type != MessageType::error) {
      auto done = wait_job(TRY(read_object_path(reply)), deadline);
      if (!done && done.error().err() == ETIMEDOUT)
        return fail(fmt::format("Timed out while waiting for systemd to remove {}", unit));
      if (!done) return std::unexpected(done.error());
      if (*done != "done") log::warn("error removing unit `{}`: got `{}`. Continuing...", unit, *done);
    }
    (void)reset_failed(unit);  // a failed unit stays listed until reset
    return {};
  }

  Result<void> set_unit_properties(const std::string& unit, const UnitProperties& properties) override {
    if (properties.empty()) return {};
    Writer w;
    w.string(unit);
    w.boolean(true);  // runtime: gone at reboot, like the unit
    write_properties(w, properties);
    Message reply = TRY(conn_.call(manager_call("SetUnitProperties", "sba(sv)", w.data()), deadline()));
    if (reply.type == MessageType::error)
      return fail(fmt::format("unable to set unit properties: {}", dbus::error_text(reply)));
    return {};
  }

  int version() override {
    if (!version_) version_ = query_version();
    return *version_;
  }

 private:
  static dbus::Deadline deadline() { return std::chrono::steady_clock::now() + kSystemdJobTimeout; }

  static Message start_call(const std::string& unit, const UnitProperties& properties) {
    Writer w;
    w.string(unit);
    w.string("replace");
    write_properties(w, properties);
    auto aux = w.begin_array(8);  // no auxiliary units
    w.end_array(aux);
    return manager_call("StartTransientUnit", "ssa(sv)a(sa(sv))", w.data());
  }

  Result<void> reset_failed(const std::string& unit) {
    Writer w;
    w.string(unit);
    Message reply = TRY(conn_.call(manager_call("ResetFailedUnit", "s", w.data()), deadline()));
    if (reply.type == MessageType::error && reply.error_name != kNoSuchUnit)
      return fail(fmt::format("reset failed unit \"{}\": {}", unit, dbus::error_text(reply)));
    return {};
  }

  // The job's result: "done", "canceled", "timeout", "failed", ...
  Result<std::string> wait_job(const std::string& job, dbus::Deadline deadline) {
    std::string result;
    auto match = [&](const Message& m) {
      if (m.interface != kManager || m.member != "JobRemoved" || m.signature != "uoss") return false;
      auto j = parse_job_removed(m);
      if (!j || j->job != job) return false;
      result = j->result;
      return true;
    };
    TRY_VOID(conn_.wait_signal(match, deadline));
    return result;
  }

  int query_version() {
    Writer w;
    w.string(kManager);
    w.string("Version");
    Message m;
    m.path = kObject;
    m.interface = "org.freedesktop.DBus.Properties";
    m.member = "Get";
    m.destination = kService;
    m.signature = "ss";
    m.body = w.data();
    auto reply = conn_.call(std::move(m), deadline());
    if (!reply || reply->type == MessageType::error || reply->signature != "v") {
      log::warn("unable to get systemd version");
      return -1;
    }
    dbus::Reader r(reply->body);
    auto sig = r.signature();
    auto text = sig && *sig == "s" ? r.string() : Result<std::string>(fail("not a string"));
    return text ? parse_systemd_version(*text) : -1;
  }

  dbus::Connection conn_;
  std::optional<int> version_;
};

}  // namespace

void write_properties(Writer& w, const UnitProperties& properties) {
  auto a = w.begin_array(8);
  for (const auto& p : properties) {
    w.begin_struct();
    w.string(p.name);
    std::visit(ValueWriter{w}, p.value);
  }
  w.end_array(a);
}

Result<std::unique_ptr<UnitControl>> connect_systemd(const std::filesystem::path& socket) {
  const auto deadline = std::chrono::steady_clock::now() + kSystemdJobTimeout;
  auto conn = dbus::Connection::open(socket, deadline);
  if (!conn) return std::unexpected(std::move(conn).error().context("failed to connect to systemd over D-Bus"));
  return std::make_unique<DbusUnitControl>(std::move(*conn));
}

}  // namespace nucleus::cgroups
