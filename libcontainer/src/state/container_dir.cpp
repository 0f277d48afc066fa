#include "state/container_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdint>

#include "nucleus/log.hpp"
#include "state/atomic_file.hpp"

namespace nucleus {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDoesNotExist = "container does not exist";

Result<void> mkdir_all(const fs::path& dir, mode_t mode) {
  fs::path partial;
  for (const fs::path& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), mode) == 0) continue;
    if (errno != EEXIST) return fail_errno(fmt::format("mkdir {}", partial.string()));
    struct stat st {};
    if (::stat(partial.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return fail_errno(fmt::format("mkdir {}", partial.string()), ENOTDIR);
  }
  return {};
}

Result<void> lock_exclusive(int fd, const fs::path& path) {
  int rc;
  do rc = ::flock(fd, LOCK_EX);
  while (rc != 0 && errno == EINTR);
  if (rc != 0) return fail_errno(fmt::format("lock {}", path.string()));
  return {};
}

bool same_inode(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// Remove everything inside `dirfd` without following symlinks.
Result<void> remove_contents(int dirfd, const fs::path& display) {
  // A fresh open file description, so the caller's fd offset is untouched.
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail_errno(fmt::format("open {}", display.string()));
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return fail_errno(fmt::format("open {}", display.string()));
  }
  Result<void> result;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (::unlinkat(fd, e->d_name, 0) == 0 || errno == ENOENT) continue;
    if (errno != EISDIR && errno != EPERM) {
      result = fail_errno(fmt::format("remove {}", (display / name).string()));
      break;
    }
    UniqueFd sub(::openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) result = fail_errno(fmt::format("open {}", (display / name).string()));
    if (result) result = remove_contents(sub.get(), display / name);
    if (result && ::unlinkat(fd, e->d_name, AT_REMOVEDIR) != 0)
      result = fail_errno(fmt::format("remove {}", (display / name).string()));
    if (!result) break;
  }
  ::closedir(d);
  return result;
}

constexpr std::string_view kCreatingPrefix = ".creating@";

std::string creating_name() {
  std::uint64_t r = 0;
  if (::getrandom(&r, sizeof r, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof r))
    r = static_cast<std::uint64_t>(::getpid()) << 32 ^ static_cast<std::uint64_t>(::time(nullptr));
  // '@' never appears in a valid id, so list_ids() skips these.
  return fmt::format("{}{:016x}", kCreatingPrefix, r);
}

// A fresh temporary directory under root_fd, locked. One removed by a
// concurrent delete's remove_abandoned() before we opened or locked it is
// made again.
Result<std::pair<std::string, UniqueFd>> make_locked_temp(int root_fd, const fs::path& root) {
  for (int attempt = 0;; ++attempt) {
    std::string tmp = creating_name();
    if (::mkdirat(root_fd, tmp.c_str(), 0711) != 0) return fail_errno(fmt::format("mkdir {}", (root / tmp).string()));
    UniqueFd fd(::openat(root_fd, tmp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd && errno != ENOENT) {
      int err = errno;
      ::unlinkat(root_fd, tmp.c_str(), AT_REMOVEDIR);
      return fail_errno(fmt::format("open {}", (root / tmp).string()), err);
    }
    struct stat st {};
    if (fd) {
      TRY_VOID(lock_exclusive(fd.get(), root / tmp));
      if (::fstat(fd.get(), &st) != 0) return fail_errno(fmt::format("stat {}", (root / tmp).string()));
      if (st.st_nlink > 0) return std::pair{std::move(tmp), std::move(fd)};
    }
    if (attempt == 8) return fail(fmt::format("mkdir {}: removed again and again", (root / tmp).string()));
  }
}

Result<UniqueFd> open_root(const fs::path& root) {
  UniqueFd fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return fail_errno(fmt::format("open {}", root.string()));
  return fd;
}

Result<std::string> read_all_at(int dirfd, const char* name, const fs::path& display) {
  UniqueFd fd(::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd && errno == ENOENT) return fail(kDoesNotExist);
  if (!fd) return fail_errno(fmt::format("open {}", display.string()));
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno(fmt::format("read {}", display.string()));
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

bool ContainerDir::valid_id(std::string_view id) {
  if (id.empty() || id == "." || id == "..") return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '+' || c == ',' || c == '-' || c == '.';
  });
}

ContainerDir::ContainerDir(std::string id, fs::path path, UniqueFd root_fd, UniqueFd dir_fd,
                           bool undo_on_destroy)
    : id_(std::move(id)),
      path_(std::move(path)),
      root_fd_(std::move(root_fd)),
      dir_fd_(std::move(dir_fd)),
      undo_on_destroy_(undo_on_destroy) {}

ContainerDir::ContainerDir(ContainerDir&& other) noexcept
    : id_(std::move(other.id_)),
      path_(std::move(other.path_)),
      root_fd_(std::move(other.root_fd_)),
      dir_fd_(std::move(other.dir_fd_)),
      undo_on_destroy_(std::exchange(other.undo_on_destroy_, false)),
      removed_(other.removed_) {}

ContainerDir& ContainerDir::operator=(ContainerDir&& other) noexcept {
  if (this != &other) {
    release();
    id_ = std::move(other.id_);
    path_ = std::move(other.path_);
    root_fd_ = std::move(other.root_fd_);
    dir_fd_ = std::move(other.dir_fd_);
    undo_on_destroy_ = std::exchange(other.undo_on_destroy_, false);
    removed_ = other.removed_;
  }
  return *this;
}

ContainerDir::~ContainerDir() { release(); }

void ContainerDir::release() {
  if (!dir_fd_) return;
  if (undo_on_destroy_ && !removed_) {
    if (auto undone = remove(); !undone) log::warn("undo container create: {}", undone.error().what());
  }
  undo_on_destroy_ = false;
  ::flock(dir_fd_.get(), LOCK_UN);
  dir_fd_.reset();
  root_fd_.reset();
}

Result<ContainerDir> ContainerDir::create(const fs::path& root, const std::string& id) {
  if (!valid_id(id)) return fail("invalid container id format");
  TRY_VOID(mkdir_all(root, 0700));
  UniqueFd root_fd = TRY(open_root(root));
  struct stat st {};
  if (::fstatat(root_fd.get(), id.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
    return fail(fmt::format("container with id exists: {}", id));

  auto [tmp, dir_fd] = TRY(make_locked_temp(root_fd.get(), root));
  // From here on the object owns the directory and undoes it on failure.
  ContainerDir dir(id, root / tmp, std::move(root_fd), std::move(dir_fd), true);
  // Publish under the real name only if nothing holds it (atomically).
  if (::renameat2(dir.root_fd_.get(), tmp.c_str(), dir.root_fd_.get(), id.c_str(),
                  RENAME_NOREPLACE) != 0) {
    int err = errno;
    if (err == EEXIST) return fail(fmt::format("container with id exists: {}", id));
    return fail_errno(fmt::format("rename {} to {}", dir.path_.string(), id), err);
  }
  dir.path_ = root / id;
  return dir;
}

Result<void> ContainerDir::make_sticky_root(const fs::path& root) {
  TRY_VOID(mkdir_all(root, 0700));
  if (::chmod(root.c_str(), 01700) != 0) return fail_errno(fmt::format("chmod {}", root.string()));
  return {};
}

Result<ContainerDir> ContainerDir::open(const fs::path& root, const std::string& id) {
  if (!valid_id(id)) return fail("invalid container id format");
  UniqueFd probe(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!probe && errno == ENOENT) return fail(kDoesNotExist);
  if (!probe) return fail_errno(fmt::format("open {}", root.string()));
  // Retry when, while we waited for the lock, the id was deleted and made anew.
  for (int attempt = 0; attempt < 8; ++attempt) {
    UniqueFd dir_fd(::openat(probe.get(), id.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir_fd && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)) return fail(kDoesNotExist);
    if (!dir_fd) return fail_errno(fmt::format("open {}", (root / id).string()));
    TRY_VOID(lock_exclusive(dir_fd.get(), root / id));
    struct stat held {}, named {};
    if (::fstat(dir_fd.get(), &held) != 0) return fail_errno(fmt::format("stat {}", (root / id).string()));
    if (held.st_nlink == 0) return fail(kDoesNotExist);  // removed while we waited
    if (::fstatat(probe.get(), id.c_str(), &named, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return fail(kDoesNotExist);
      return fail_errno(fmt::format("stat {}", (root / id).string()));
    }
    if (same_inode(held, named))
      return ContainerDir(id, root / id, std::move(probe), std::move(dir_fd), false);
  }
  return fail(fmt::format("open {}: directory keeps being replaced", (root / id).string()));
}

void ContainerDir::remove_abandoned(const fs::path& root) {
  DIR* d = ::opendir(root.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    if (!std::string_view(e->d_name).starts_with(kCreatingPrefix)) continue;
    UniqueFd fd(::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd || ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;  // gone, or its create is alive
    if (remove_contents(fd.get(), root / e->d_name)) ::unlinkat(::dirfd(d), e->d_name, AT_REMOVEDIR);
  }
  ::closedir(d);
}

Result<std::vector<std::string>> ContainerDir::list_ids(const fs::path& root) {
  std::vector<std::string> ids;
  DIR* d = ::opendir(root.c_str());
  if (d == nullptr && errno == ENOENT) return ids;
  if (d == nullptr) return fail_errno(fmt::format("open {}", root.string()));
  while (dirent* e = ::readdir(d)) {
    if (!valid_id(e->d_name)) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
      ids.emplace_back(e->d_name);
  }
  ::closedir(d);
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<void> ContainerDir::write_record_file(const char* name, const ContainerRecord& record) {
  if (removed_) return fail(kDoesNotExist);
  return write_file_atomic(fd(), name, encode_record(record), 0600, (path_ / name).string());
}

Result<ContainerRecord> ContainerDir::read_record_file(const char* name) const {
  fs::path file = path_ / name;
  std::string text = TRY(read_all_at(fd(), name, file));
  auto record = decode_record(text);
  if (!record)
    return std::unexpected(std::move(record).error().context(fmt::format("corrupt state file {}", file.string())));
  return record;
}

Result<void> ContainerDir::write_record(const ContainerRecord& record) { return write_record_file(kStateFile, record); }
Result<ContainerRecord> ContainerDir::read_record() const { return read_record_file(kStateFile); }
Result<void> ContainerDir::write_journal(const ContainerRecord& record) {
  return write_record_file(kJournalFile, record);
}
Result<ContainerRecord> ContainerDir::read_journal() const { return read_record_file(kJournalFile); }

Result<void> ContainerDir::remove() {
  if (removed_) return {};
  TRY_VOID(remove_contents(fd(), path_));
  std::string name = path_.filename().string();
  if (::unlinkat(root_fd_.get(), name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    return fail_errno(fmt::format("remove {}", path_.string()));
  removed_ = true;
  return {};
}

}  // namespace nucleus
