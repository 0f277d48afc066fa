#include "init/rootfs_walk.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace nucleus::init {

namespace {

constexpr int kMaxSymlinks = 40;  // the kernel's MAXSYMLINKS

std::deque<std::string> components(std::string_view path) {
  std::deque<std::string> out;
  while (!path.empty()) {
    auto slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty() && part != ".") out.emplace_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

Result<std::string> read_link(int dir_fd, const std::string& name, std::string_view display) {
  std::string target(PATH_MAX, '\0');
  ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
  if (n < 0) return fail_errno(fmt::format("readlink \"{}\" in the container rootfs", display));
  target.resize(static_cast<std::size_t>(n));
  return target;
}

// The directories walked so far; the root itself is never popped.
class Walk {
 public:
  Walk(int root_fd, std::string_view path) : root_fd_(root_fd), display_(path) {}

  Result<UniqueFd> open(std::deque<std::string> todo, int flags) {
    int links = 0;
    while (!todo.empty()) {
      std::string name = std::move(todo.front());
      todo.pop_front();
      if (name == "..") {
        if (!dirs_.empty()) dirs_.pop_back();
        continue;
      }
      bool last = todo.empty();
      struct stat st {};
      if (::fstatat(current(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (!last || errno != ENOENT || !(flags & O_CREAT)) return fail_here();
        return open_last(name, flags);
      }
      if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
        if (++links > kMaxSymlinks) return fail_here(ELOOP);
        std::string target = TRY(read_link(current(), name, display_));
        if (!target.empty() && target.front() == '/') dirs_.clear();
        auto more = components(target);
        todo.insert(todo.begin(), more.begin(), more.end());
        continue;
      }
      if (last) return open_last(name, flags);
      UniqueFd next(::openat(current(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!next) return fail_here();
      dirs_.push_back(std::move(next));
    }
    // The path named a directory we already hold (or the root).
    UniqueFd fd(::openat(current(), ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC));
    if (!fd) return fail_here();
    return fd;
  }

 private:
  int current() const { return dirs_.empty() ? root_fd_ : dirs_.back().get(); }

  Result<UniqueFd> open_last(const std::string& name, int flags) {
    UniqueFd fd(::openat(current(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd) return fail_here();
    return fd;
  }

  std::unexpected<Error> fail_here(int err = errno) const {
    return fail_errno(fmt::format("open \"{}\" in the container rootfs", display_), err);
  }

  int root_fd_;
  std::string_view display_;
  std::vector<UniqueFd> dirs_;
};

}  // namespace

Result<UniqueFd> open_in_root_by_walk(int root_fd, std::string_view path, int flags) {
  return Walk(root_fd, path).open(components(path), flags);
}

}  // namespace nucleus::init
