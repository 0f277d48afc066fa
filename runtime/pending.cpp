#include "pending.hpp"

#include "command.hpp"

namespace nucleus::cli::pending {

Result<void> checkpoint_container(const RuntimeOptions&, const CheckpointOptions&) {
  return not_implemented("checkpoint");
}
Result<int> restore_container(const RuntimeOptions&, const oci::Config&, const CreateOptions&,
                              const RestoreOptions&) {
  return not_implemented("restore");
}

}  // namespace nucleus::cli::pending
