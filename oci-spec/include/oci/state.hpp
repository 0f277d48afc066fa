// The container state documents: the spec's State (runtime.md#state), which
// hooks read on stdin, runc's `state` verb output (RuntimeState), and the
// container process state a seccomp agent receives (ContainerProcessState).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace oci {

// runtime.md#state. Serialised compactly in this field order; `pid` is
// omitted when absent, `annotations` when empty.
struct State {
  std::string oci_version{};  // required
  std::string id{};           // required
  std::string status{};       // required: creating | created | running | stopped
  std::optional<int> pid{};
  std::string bundle{};  // required, absolute
  std::map<std::string, std::string> annotations{};
  bool operator==(const State&) const = default;
};

// What `runc state ID` prints (2-space indent, no trailing newline), in this
// order: ociVersion, id, pid, status, bundle, rootfs, created, annotations
// (omitted when empty), owner. `pid` is always printed (0 when stopped).
struct RuntimeState {
  std::string oci_version{};
  std::string id{};
  int pid = 0;
  std::string status{};
  std::string bundle{};
  std::string rootfs{};
  std::string created{};  // RFC 3339 with nanoseconds, UTC: 2024-01-02T03:04:05.123456789Z
  std::map<std::string, std::string> annotations{};
  std::string owner{};  // runc always prints "" here
  bool operator==(const RuntimeState&) const = default;
};

// config-linux.md#the-container-process-state: the one message a seccomp
// agent at linux.seccomp.listenerPath gets, with the fds named in `fds`
// attached. Compact, in this order, as runc writes it: `metadata` omitted
// when empty, the others always written.
struct ContainerProcessState {
  std::string oci_version{};
  std::vector<std::string> fds{};  // "seccompFd"
  int pid = 0;                     // the process the fd filters, as the runtime sees it
  std::string metadata{};          // linux.seccomp.listenerMetadata
  State state{};
  bool operator==(const ContainerProcessState&) const = default;
};

}  // namespace oci
