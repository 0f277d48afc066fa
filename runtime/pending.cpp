#include "pending.hpp"

#include "command.hpp"

namespace nucleus::cli::pending {

Result<int> exec_process(const RuntimeOptions&, const ExecOptions&) {
  return not_implemented("exec");
}
Result<void> pause_container(const RuntimeOptions&, const std::string&) {
  return not_implemented("pause");
}
Result<void> resume_container(const RuntimeOptions&, const std::string&) {
  return not_implemented("resume");
}
Result<void> container_events(const RuntimeOptions&, const EventsOptions&) {
  return not_implemented("events");
}
Result<void> checkpoint_container(const RuntimeOptions&, const CheckpointOptions&) {
  return not_implemented("checkpoint");
}
Result<int> restore_container(const RuntimeOptions&, const oci::Config&, const CreateOptions&,
                              const RestoreOptions&) {
  return not_implemented("restore");
}

}  // namespace nucleus::cli::pending
