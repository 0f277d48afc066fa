// The systemd calls of the systemd driver, behind an interface so that the
// manager can be tested with a fake: StartTransientUnit, StopUnit,
// ResetFailedUnit and SetUnitProperties on org.freedesktop.systemd1.Manager,
// each job waited for through its JobRemoved signal, as runc does.
//
// Why a client of our own (about 400 lines with the wire format) and not
// sd-bus from libsystemd: the nucleus binary is fully static, Debian ships
// no libsystemd.a, and the alternatives cost every user of the driver —
// dlopen("libsystemd.so.0") from a static glibc binary works only with the
// very glibc it was linked against and maps six more libraries (+2.6 MB
// RSS, 1.5-14 ms), and a dynamic link costs every verb the loader's work
// (+1 MB RSS, ~2.5 ms a start), cgroupfs users too. runc, too, speaks D-Bus
// itself (godbus), and needs only these few methods.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "cgroups/dbus_message.hpp"
#include "cgroups/systemd_unit.hpp"

namespace nucleus::cgroups {

// Where systemd listens for direct connections from root.
inline constexpr const char* kSystemdPrivateSocket = "/run/systemd/private";
// How long runc waits for a unit's job.
inline constexpr std::chrono::seconds kSystemdJobTimeout{30};

class UnitControl {
 public:
  virtual ~UnitControl() = default;
  // Start a transient unit and wait for its job to finish. A unit of that
  // name left over (failed) is reset and the start tried once more.
  virtual Result<void> start_unit(const std::string& unit, const UnitProperties& properties) = 0;
  // Stop the unit and wait for the job (a unit that is gone is fine), then
  // reset it in case it failed, so that systemd forgets it.
  virtual Result<void> stop_unit(const std::string& unit) = 0;
  virtual Result<void> set_unit_properties(const std::string& unit, const UnitProperties& properties) = 0;
  // The manager's Version, as a number (-1 when unknown).
  virtual int version() = 0;
};

// A connection to systemd's private socket.
Result<std::unique_ptr<UnitControl>> connect_systemd(const std::filesystem::path& socket = kSystemdPrivateSocket);

// The a(sv) of unit properties (exposed for the encoding tests).
void write_properties(dbus::Writer& w, const UnitProperties& properties);

}  // namespace nucleus::cgroups
