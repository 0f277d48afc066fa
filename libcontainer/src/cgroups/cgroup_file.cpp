#include "cgroups/cgroup_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <system_error>
#include <thread>

#include "nucleus/unique_fd.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

Result<std::string> read_file(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    int err = errno;
    return fail_errno(fmt::format("open \"{}\"", path.native()), err);
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      int err = errno;
      if (err == EINTR) continue;
      return fail_errno(fmt::format("read \"{}\"", path.native()), err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<std::string> read_value_or_empty(const fs::path& path) {
  auto text = read_file(path);
  if (!text) {
    if (text.error().err() == ENOENT) return std::string();
    return std::unexpected(std::move(text).error());
  }
  return std::string(trim(*text));
}

Result<void> write_file(const fs::path& path, std::string_view value) {
  // O_TRUNC is accepted by cgroupfs and keeps plain files (test trees) exact.
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  ssize_t n = -1;
  if (fd) {
    do {
      n = ::write(fd.get(), value.data(), value.size());
    } while (n < 0 && errno == EINTR);
  }
  if (n < 0) {
    int err = errno;
    return fail_errno(fmt::format("write \"{}\" to \"{}\"", trim(value), path.native()), err);
  }
  if (static_cast<size_t>(n) != value.size())
    return fail(fmt::format("write \"{}\" to \"{}\": short write", trim(value), path.native()), EIO);
  return {};
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t\r\n";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

Result<void> make_dirs(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST) return {};
  int err = errno;
  if (err == ENOENT && dir.has_relative_path()) {
    TRY_VOID(make_dirs(dir.parent_path()));
    if (::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST) return {};
    err = errno;
  }
  return fail_errno(fmt::format("mkdir \"{}\"", dir.native()), err);
}

Result<std::vector<fs::directory_entry>> dir_entries(const fs::path& dir) {
  std::vector<fs::directory_entry> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) out.push_back(*it);
  if (ec && ec.value() != ENOENT) return fail_errno(fmt::format("read dir \"{}\"", dir.native()), ec.value());
  return out;
}

namespace {

// The subdirs of dir (child cgroups); none when dir is gone.
Result<std::vector<fs::path>> child_cgroups(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : TRY(dir_entries(dir))) {
    std::error_code ec;
    if (entry.symlink_status(ec).type() == fs::file_type::directory) out.push_back(entry.path());
  }
  return out;
}

Result<void> append_procs(const fs::path& dir, std::vector<pid_t>& out) {
  auto text = read_file(dir / "cgroup.procs");
  if (!text) {
    if (text.error().err() == ENOENT || text.error().err() == ENODEV) return {};
    return std::unexpected(std::move(text).error());
  }
  std::string_view rest = *text;
  while (!rest.empty()) {
    auto eol = rest.find('\n');
    auto line = trim(rest.substr(0, eol));
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (line.empty()) continue;
    pid_t pid = 0;
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), pid);
    if (ec != std::errc() || p != line.data() + line.size())
      return fail(fmt::format("read \"{}\": bad pid \"{}\"", (dir / "cgroup.procs").native(), line));
    out.push_back(pid);
  }
  return {};
}

Result<void> collect_procs(const fs::path& dir, std::vector<pid_t>& out) {
  TRY_VOID(append_procs(dir, out));
  for (const auto& child : TRY(child_cgroups(dir))) TRY_VOID(collect_procs(child, out));
  return {};
}

bool has_processes(const fs::path& dir) {
  auto procs = read_value_or_empty(dir / "cgroup.procs");
  return procs && !procs->empty();
}

}  // namespace

Result<std::vector<pid_t>> read_procs_recursive(const fs::path& dir) {
  std::vector<pid_t> out;
  TRY_VOID(collect_procs(dir, out));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<void> remove_cgroup_tree(const fs::path& dir, std::chrono::milliseconds busy_timeout) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + busy_timeout;
  auto delay = std::chrono::milliseconds(1);
  for (;;) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
    int err = errno;
    if (err != EBUSY && err != ENOTEMPTY && err != EEXIST)
      return fail_errno(fmt::format("remove cgroup \"{}\"", dir.native()), err);
    // cgroupfs says EBUSY while child cgroups exist (a plain dir: ENOTEMPTY).
    auto children = TRY(child_cgroups(dir));
    if (!children.empty()) {
      for (const auto& child : children) TRY_VOID(remove_cgroup_tree(child, busy_timeout));
      continue;
    }
    // Anything else in a plain dir is not ours to remove, and live
    // processes will not leave by waiting.
    if (err != EBUSY || clock::now() >= deadline || has_processes(dir))
      return fail_errno(fmt::format("remove cgroup \"{}\"", dir.native()), err);
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(50));
  }
}

}  // namespace nucleus::cgroups
