// The container's init: what the child of clone3 runs, in-process (no
// re-exec), until it execs the user's program.
#pragma once

#include <signal.h>

#include <filesystem>
#include <string>

#include <oci/config.hpp>

#include "init/namespaces.hpp"
#include "init/sync.hpp"

namespace nucleus {
class SeccompFilter;
}

namespace nucleus::init {

class MountFds;

// Everything the init needs, prepared by the runtime before the clone.
struct InitConfig {
  const oci::Config* config = nullptr;  // validated; has process, root and linux
  std::string id;
  std::filesystem::path bundle;
  std::filesystem::path rootfs;  // absolute, canonical
  bool no_pivot = false;
  bool no_new_keyring = false;
  unsigned listen_fds = 0;    // fds 3.. passed for socket activation
  unsigned preserve_fds = 0;  // --preserve-fds, after the listen fds
  int fifo_fd = -1;           // O_PATH on <state dir>/exec.fifo
  sigset_t signal_mask{};     // the mask to restore (the runtime blocks signals around the clone)
  const MountFds* idmapped_mounts = nullptr;  // detached trees the runtime made (idmap.hpp)
  const MountFds* bind_sources = nullptr;     // in a user namespace (bind_sources.hpp)
  const SeccompFilter* seccomp = nullptr;     // linux.seccomp, built by the runtime; null without one
  bool rootless_euid = false;                 // the runtime is a user, not root
  // The runtime is itself in a user namespace (rootless podman's): no mknod,
  // and the mounts it sees are locked, even when the container has no user
  // namespace of its own.
  bool runtime_in_user_namespace = false;
};

// Whether the runtime must run prestart/createRuntime hooks mid-init (both
// sides decide alike, so the round trip happens only when needed).
bool has_runtime_create_hooks(const oci::Config& config);

// Runs the init sequence. Never returns: it execs the user's program, or
// reports its error (to the runtime over `sync` while it listens, else on
// stderr) and exits.
[[noreturn]] void container_init(const InitConfig& config, const NamespacePlan& plan,
                                 const SyncChannel& sync);

}  // namespace nucleus::init
