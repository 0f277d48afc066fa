#include "nucleus/protected_exe.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "nucleus/unique_fd.hpp"

extern char** environ;

namespace nucleus {

namespace {

constexpr const char* kMarker = "_NUCLEUS_PROTECTED_EXE";
constexpr const char* kSelf = "/proc/self/exe";
constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

bool sealed(int fd) {
  int seals = ::fcntl(fd, F_GET_SEALS);
  return seals >= 0 && (seals & kSeals) == kSeals;
}

bool read_only_mount(int fd) {
  struct statvfs st {};
  return ::fstatvfs(fd, &st) == 0 && (st.f_flag & ST_RDONLY) != 0;
}

// A clone of the binary's mount holding only the binary, read-only and
// attached nowhere.
Result<UniqueFd> read_only_view() {
  UniqueFd tree(::open_tree(AT_FDCWD, kSelf, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
  if (!tree) return fail_errno("open_tree /proc/self/exe");
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
    return fail_errno("make the clone of /proc/self/exe read-only");
  return tree;
}

Result<void> copy_all(int from, int to) {
  struct stat st {};
  if (::fstat(from, &st) != 0) return fail_errno("stat /proc/self/exe");
  off_t offset = 0;
  while (offset < st.st_size) {
    ssize_t n = ::sendfile(to, from, &offset, static_cast<std::size_t>(st.st_size - offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail_errno("copy /proc/self/exe into a memfd", n < 0 ? errno : EIO);
  }
  return {};
}

Result<UniqueFd> sealed_copy() {
  UniqueFd self(::open(kSelf, O_RDONLY | O_CLOEXEC));
  if (!self) return fail_errno("open /proc/self/exe");
  UniqueFd copy(::memfd_create("nucleus", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!copy) return fail_errno("memfd_create");
  TRY_VOID(copy_all(self.get(), copy.get()));
  if (::fchmod(copy.get(), 0500) != 0) return fail_errno("chmod the memfd copy");
  if (::fcntl(copy.get(), F_ADD_SEALS, kSeals) != 0) return fail_errno("seal the memfd copy");
  return copy;
}

std::vector<char*> environment_with_marker() {
  static char marker[] = "_NUCLEUS_PROTECTED_EXE=1";
  std::vector<char*> env;
  for (char** e = environ; *e; ++e) env.push_back(*e);
  env.push_back(marker);
  env.push_back(nullptr);
  return env;
}

}  // namespace

Result<void> run_from_protected_view(char* const argv[]) {
  bool marked = std::getenv(kMarker) != nullptr;
  if (marked) ::unsetenv(kMarker);
  UniqueFd self(::open(kSelf, O_RDONLY | O_CLOEXEC));
  if (!self) return fail_errno("open /proc/self/exe");
  if (sealed(self.get()) || (marked && read_only_mount(self.get()))) return {};
  if (marked) return fail("re-executed from a protected view of the runtime binary, which is writable");
  self.reset();
  auto view = read_only_view();
  if (!view) {
    // No mounts allowed (a user namespace, an old kernel): copy instead.
    auto copy = sealed_copy();
    if (!copy) return std::unexpected(copy.error().context("protect the runtime binary (CVE-2019-5736)"));
    view = std::move(copy);
  }
  std::vector<char*> env = environment_with_marker();
  ::execveat(view->get(), "", argv, env.data(), AT_EMPTY_PATH);
  return fail_errno("re-execute from a protected view of the runtime binary");
}

}  // namespace nucleus
