#include "state/pid_file.hpp"

#include <fcntl.h>

#include "nucleus/unique_fd.hpp"
#include "state/atomic_file.hpp"

namespace nucleus {

Result<void> write_pid_file(const std::filesystem::path& path, pid_t pid) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  std::string name = path.filename().string();
  if (name.empty() || name == "." || name == "..")
    return fail(fmt::format("write pid file \"{}\": not a file name", path.string()));
  UniqueFd dirfd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dirfd) return fail_errno(fmt::format("open directory of pid file \"{}\"", path.string()));
  // 0666 less the umask, as runc creates it.
  return write_file_atomic(dirfd.get(), name, fmt::format("{}", pid), 0666, path.string());
}

}  // namespace nucleus
