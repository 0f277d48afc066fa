#include "security/seccomp_notify.hpp"

#include <oci/parse.hpp>

#include "state/console_socket.hpp"

namespace nucleus {

std::string seccomp_agent_message(const oci::Seccomp& profile, pid_t pid, const oci::State& state) {
  oci::ContainerProcessState message;
  message.oci_version = std::string(oci::kSpecVersion);
  message.fds = {"seccompFd"};  // the spec's name for the one fd attached
  message.pid = static_cast<int>(pid);
  message.metadata = profile.listener_metadata;
  message.state = state;
  return oci::to_json(message);
}

Result<void> send_to_seccomp_agent(const oci::Seccomp& profile, pid_t pid, const oci::State& state,
                                   int listener) {
  auto sent = [&]() -> Result<void> {
    UniqueFd agent = TRY(connect_unix_socket(profile.listener_path, "seccomp agent"));
    return send_payload_with_fd(agent.get(), listener, seccomp_agent_message(profile, pid, state));
  }();
  if (!sent) return std::unexpected(std::move(sent).error().context("linux.seccomp.listenerPath"));
  return {};
}

}  // namespace nucleus
