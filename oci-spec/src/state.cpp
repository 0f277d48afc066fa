// state.json as hooks see it (State), `runc state` output (RuntimeState) and
// what a seccomp agent receives (ContainerProcessState).
#include <algorithm>
#include <array>

#include "codec.hpp"

namespace oci {
namespace detail {

// clang-format off
OCI_FIELDS(State, field("ociVersion", &T::oci_version, kRequired), field("id", &T::id, kRequired),
           field("status", &T::status, kRequired), field("pid", &T::pid),
           field("bundle", &T::bundle, kRequired), field("annotations", &T::annotations));
OCI_FIELDS(RuntimeState, field("ociVersion", &T::oci_version, kRequired),
           field("id", &T::id, kRequired), field("pid", &T::pid, kRequired),
           field("status", &T::status, kRequired), field("bundle", &T::bundle, kRequired),
           field("rootfs", &T::rootfs, kRequired), field("created", &T::created, kRequired),
           field("annotations", &T::annotations), field("owner", &T::owner, kRequired));
OCI_FIELDS(ContainerProcessState, field("ociVersion", &T::oci_version, kRequired),
           field("fds", &T::fds, kRequired), field("pid", &T::pid, kRequired),
           field("metadata", &T::metadata), field("state", &T::state, kRequired));
// clang-format on

}  // namespace detail

namespace {

constexpr std::array<std::string_view, 4> kStatuses = {"creating", "created", "running", "stopped"};

// The schema's constraints beyond types: the status enum and pid >= 0.
template <typename S>
SpecResult<S> check_state(SpecResult<S> s) {
  if (!s) return s;
  if (std::find(kStatuses.begin(), kStatuses.end(), s->status) == kStatuses.end())
    return std::unexpected(SpecError{
        "status", fmt::format("expected one of creating, created, running, stopped, got {}",
                              json::Value(s->status).describe())});
  int pid = 0;
  if constexpr (std::is_same_v<S, State>) pid = s->pid.value_or(0);
  else pid = s->pid;
  if (pid < 0) return std::unexpected(SpecError{"pid", fmt::format("must not be negative, got {}", pid)});
  return s;
}

}  // namespace

SpecResult<State> parse_state(std::string_view text) {
  return check_state(detail::parse_document<State>(text));
}
std::string to_json(const State& s) { return detail::encode_document(s, {}); }

SpecResult<RuntimeState> parse_runtime_state(std::string_view text) {
  return check_state(detail::parse_document<RuntimeState>(text));
}
std::string to_json(const RuntimeState& s) { return detail::encode_document(s, {.indent = 2}); }

std::string to_json(const ContainerProcessState& s) { return detail::encode_document(s, {}); }

}  // namespace oci
