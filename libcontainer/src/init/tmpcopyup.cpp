#include "init/tmpcopyup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <climits>
#include <map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "nucleus/unique_fd.hpp"

namespace nucleus::init {

namespace {

struct Copier {
  int to_root;                 // the destination's top, for hard links
  std::string display;         // the destination, for errors
  std::map<std::pair<dev_t, ino_t>, std::string> linked;  // first copy of a multi-link inode

  std::string where(const std::string& rel) const { return display + "/" + rel; }

  Result<void> copy_dir(int from, int to, const std::string& rel);
  Result<void> copy_entry(int from, int to, const std::string& name, const std::string& rel);
  Result<void> copy_file(int from, int to, const std::string& name, const struct stat& st,
                         const std::string& rel);
};

Result<std::vector<std::string>> list_dir(int dir, const std::string& what) {
  int fd = ::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail_errno(fmt::format("open \"{}\"", what));
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return fail_errno(fmt::format("read \"{}\"", what));
  }
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string_view n(e->d_name);
    if (n != "." && n != "..") names.emplace_back(n);
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return fail_errno(fmt::format("read \"{}\"", what), err);
  return names;
}

// Extended attributes the target takes (tmpfs: security.*, trusted.*, and
// user.* on newer kernels); the rest are skipped, as cp -a does.
void copy_xattrs(int from, int to) {
  ssize_t size = ::flistxattr(from, nullptr, 0);
  if (size <= 0) return;
  std::string names(static_cast<std::size_t>(size), '\0');
  size = ::flistxattr(from, names.data(), names.size());
  if (size <= 0) return;
  names.resize(static_cast<std::size_t>(size));
  for (std::size_t pos = 0; pos < names.size();) {
    const char* name = names.c_str() + pos;
    pos += std::char_traits<char>::length(name) + 1;
    ssize_t len = ::fgetxattr(from, name, nullptr, 0);
    if (len < 0) continue;
    std::string value(static_cast<std::size_t>(len), '\0');
    len = ::fgetxattr(from, name, value.data(), value.size());
    if (len < 0) continue;
    (void)::fsetxattr(to, name, value.data(), static_cast<std::size_t>(len), 0);
  }
}

// Owner first (chown clears set-id bits), then mode, then times. An owner the
// user namespace does not map (EINVAL) is left as the tmpfs made it.
Result<void> copy_metadata(int to, const struct stat& st, const std::string& what) {
  if (::fchown(to, st.st_uid, st.st_gid) != 0 && errno != EINVAL)
    return fail_errno(fmt::format("chown \"{}\"", what));
  if (::fchmod(to, st.st_mode & 07777) != 0) return fail_errno(fmt::format("chmod \"{}\"", what));
  const timespec times[2] = {st.st_atim, st.st_mtim};
  if (::futimens(to, times) != 0) return fail_errno(fmt::format("set times of \"{}\"", what));
  return {};
}

Result<void> copy_data(int from, int to, const std::string& what) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno(fmt::format("read \"{}\"", what));
    if (n == 0) return {};
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(to, buf + off, static_cast<std::size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return fail_errno(fmt::format("write \"{}\"", what));
      off += w;
    }
  }
}

Result<void> Copier::copy_file(int from, int to, const std::string& name, const struct stat& st,
                               const std::string& rel) {
  UniqueFd src(::openat(from, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!src) return fail_errno(fmt::format("open \"{}\" for copying", where(rel)));
  UniqueFd dst(::openat(to, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!dst) return fail_errno(fmt::format("create \"{}\"", where(rel)));
  TRY_VOID(copy_data(src.get(), dst.get(), where(rel)));
  copy_xattrs(src.get(), dst.get());
  return copy_metadata(dst.get(), st, where(rel));
}

Result<void> copy_special(int from, int to, const std::string& name, const struct stat& st,
                          const std::string& what) {
  if (S_ISLNK(st.st_mode)) {
    std::string target(PATH_MAX, '\0');
    ssize_t n = ::readlinkat(from, name.c_str(), target.data(), target.size());
    if (n < 0) return fail_errno(fmt::format("readlink \"{}\"", what));
    target.resize(static_cast<std::size_t>(n));
    if (::symlinkat(target.c_str(), to, name.c_str()) != 0)
      return fail_errno(fmt::format("symlink \"{}\"", what));
  } else if (::mknodat(to, name.c_str(), st.st_mode, st.st_rdev) != 0) {
    return fail_errno(fmt::format("mknod \"{}\"", what));
  }
  if (::fchownat(to, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0 && errno != EINVAL)
    return fail_errno(fmt::format("chown \"{}\"", what));
  if (!S_ISLNK(st.st_mode) && ::fchmodat(to, name.c_str(), st.st_mode & 07777, 0) != 0)
    return fail_errno(fmt::format("chmod \"{}\"", what));
  const timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(to, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    return fail_errno(fmt::format("set times of \"{}\"", what));
  return {};
}

Result<void> Copier::copy_entry(int from, int to, const std::string& name, const std::string& rel) {
  struct stat st {};
  if (::fstatat(from, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return fail_errno(fmt::format("stat \"{}\"", where(rel)));
  if (S_ISDIR(st.st_mode)) {
    if (::mkdirat(to, name.c_str(), 0700) != 0) return fail_errno(fmt::format("mkdir \"{}\"", where(rel)));
    UniqueFd sub_from(::openat(from, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub_from) return fail_errno(fmt::format("open \"{}\" for copying", where(rel)));
    UniqueFd sub_to(::openat(to, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub_to) return fail_errno(fmt::format("open \"{}\"", where(rel)));
    TRY_VOID(copy_dir(sub_from.get(), sub_to.get(), rel));
    copy_xattrs(sub_from.get(), sub_to.get());
    return copy_metadata(sub_to.get(), st, where(rel));  // times last: the copy touched them
  }
  if (st.st_nlink > 1) {
    auto [it, first] = linked.try_emplace({st.st_dev, st.st_ino}, rel);
    if (!first) {
      if (::linkat(to_root, it->second.c_str(), to, name.c_str(), 0) != 0)
        return fail_errno(fmt::format("link \"{}\"", where(rel)));
      return {};
    }
  }
  if (S_ISREG(st.st_mode)) return copy_file(from, to, name, st, rel);
  return copy_special(from, to, name, st, where(rel));
}

Result<void> Copier::copy_dir(int from, int to, const std::string& rel) {
  std::vector<std::string> names = TRY(list_dir(from, where(rel)));
  for (const auto& name : names)
    TRY_VOID(copy_entry(from, to, name, rel.empty() ? name : rel + "/" + name));
  return {};
}

}  // namespace

Result<void> copy_directory_contents(int from_dir, int to_dir, const std::string& display) {
  Copier c{to_dir, display, {}};
  return c.copy_dir(from_dir, to_dir, "");
}

}  // namespace nucleus::init
