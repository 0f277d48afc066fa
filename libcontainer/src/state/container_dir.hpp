// <root>/<id>/: a container's state directory, held locked for the lifetime
// of the object so that verbs on one id serialise while verbs on different
// ids never wait on each other.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nucleus/error.hpp"
#include "nucleus/unique_fd.hpp"
#include "state/container_record.hpp"

namespace nucleus {

class ContainerDir {
 public:
  static constexpr const char* kStateFile = "state.json";
  // What create is about to make (the cgroups), written before it makes it:
  // a create killed before state.json exists leaves delete enough to undo it.
  static constexpr const char* kJournalFile = "creating.json";

  // Make <root> (0700, with parents) if needed and <root>/<id> exclusively.
  // The directory appears under its name already locked (it is made under a
  // temporary name and renamed), so no other verb sees it half-made.
  // Errors: "container with id exists: <id>", "invalid container id format".
  // Until commit(), the destructor removes the directory again.
  static Result<ContainerDir> create(const std::filesystem::path& root, const std::string& id);

  // A state root in $XDG_RUNTIME_DIR: made (0700, with parents) if needed and
  // set sticky, as the XDG spec asks so that tmpfiles cleaners leave it.
  static Result<void> make_sticky_root(const std::filesystem::path& root);

  // Open and lock an existing <root>/<id>, waiting for the holder. Error
  // "container does not exist" when it is missing or was deleted while we
  // waited. The lock is per open: a second open of one id in the same
  // process, while the first object lives, waits forever.
  static Result<ContainerDir> open(const std::filesystem::path& root, const std::string& id);

  // Remove what creates killed between making their temporary directory and
  // naming it left under root: those nobody holds locked (issue 12).
  static void remove_abandoned(const std::filesystem::path& root);

  // Ids under root, sorted; a missing root is an empty list.
  static Result<std::vector<std::string>> list_ids(const std::filesystem::path& root);

  // runc's rule: [A-Za-z0-9_+,.-]+ and not "." or "..".
  static bool valid_id(std::string_view id);

  ContainerDir(ContainerDir&& other) noexcept;
  ContainerDir& operator=(ContainerDir&& other) noexcept;
  ContainerDir(const ContainerDir&) = delete;
  ContainerDir& operator=(const ContainerDir&) = delete;
  // Removes an uncommitted directory made by create(), then unlocks. The
  // unlock is explicit so a copy of the fd inherited by a cloned child cannot
  // keep the lock alive after this process is done with it.
  ~ContainerDir();

  const std::string& id() const { return id_; }
  const std::filesystem::path& path() const { return path_; }
  // The locked directory fd (O_RDONLY|O_DIRECTORY, close-on-exec), for *at calls.
  int fd() const { return dir_fd_.get(); }

  // Keep the directory: the create succeeded.
  void commit() { undo_on_destroy_ = false; }

  // state.json, replaced atomically (temp file + rename).
  Result<void> write_record(const ContainerRecord& record);
  // Error "container does not exist" when there is no state.json yet;
  // a corrupt file is an error naming it.
  Result<ContainerRecord> read_record() const;

  // creating.json (kJournalFile): the same record, written before the
  // cgroups are made; read by delete when state.json never came.
  Result<void> write_journal(const ContainerRecord& record);
  Result<ContainerRecord> read_journal() const;

  // Remove the directory and everything in it. The lock stays held (on the
  // now unlinked directory) until the object is destroyed; waiters then see
  // "container does not exist".
  Result<void> remove();

 private:
  ContainerDir(std::string id, std::filesystem::path path, UniqueFd root_fd, UniqueFd dir_fd,
               bool undo_on_destroy);
  void release();
  Result<void> write_record_file(const char* name, const ContainerRecord& record);
  Result<ContainerRecord> read_record_file(const char* name) const;

  std::string id_;
  std::filesystem::path path_;
  UniqueFd root_fd_;  // O_PATH on <root>, for removing <id>
  UniqueFd dir_fd_;
  bool undo_on_destroy_ = false;
  bool removed_ = false;
};

}  // namespace nucleus
