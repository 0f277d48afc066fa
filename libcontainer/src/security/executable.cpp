// Resolving process.args[0] before the exec FIFO is opened, so a missing
// binary fails `create`. Behaviour and messages are those of runc 1.1, which
// uses Go 1.19's exec.LookPath: callers (podman) map "permission denied" to
// exit 126 and "executable file not found in"/"no such file" to 127.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string_view>

#include "security/process_setup.hpp"

namespace nucleus {
namespace {

// Go's strconv.Quote for the common cases: the name is shown quoted.
std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (u < 0x20 || u == 0x7f)
          out += fmt::format("\\x{:02x}", u);
        else
          out += c;
    }
  }
  out += '"';
  return out;
}

Error exec_error(std::string_view name, std::string_view detail, int err = 0) {
  if (detail.empty()) return Error(fmt::format("exec: {}", go_quote(name)), err);
  return Error(fmt::format("exec: {}: {}", go_quote(name), detail), err);
}

// Go's findExecutable: stat errors are reported as "stat <file>", a directory
// or a file nobody may execute as "permission denied".
Result<void> check_executable(const std::string& file, std::string_view name) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    return std::unexpected(exec_error(name, fmt::format("stat {}", file), errno));
  if (S_ISDIR(st.st_mode)) return std::unexpected(exec_error(name, "", EACCES));
  // As the user the process now runs as (the init has switched already).
  if (::faccessat(AT_FDCWD, file.c_str(), X_OK, AT_EACCESS) == 0) return {};
  int err = errno;
  // Seccomp or old kernels: fall back to the mode bits, as Go does.
  if ((err == ENOSYS || err == EPERM) && (st.st_mode & 0111) != 0) return {};
  return std::unexpected(exec_error(name, "", err == ENOSYS ? EACCES : err));
}

// The value of the last PATH= entry, as Go's os.Getenv sees it after runc
// has set each entry in turn.
std::optional<std::string_view> path_from(const std::vector<std::string>& env) {
  std::optional<std::string_view> path;
  for (const auto& e : env)
    if (e.starts_with("PATH=")) path = std::string_view(e).substr(5);
  return path;
}

std::string join(std::string_view dir, std::string_view file) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out += '/';
  out += file;
  return out;
}

}  // namespace

Result<std::string> resolve_executable(const std::string& arg0,
                                       const std::vector<std::string>& env) {
  if (arg0.find('/') != std::string::npos) {
    TRY_VOID(check_executable(arg0, arg0));
    return arg0;
  }
  auto path = path_from(env).value_or("");
  // An empty PATH has no elements (Go's filepath.SplitList).
  std::size_t pos = 0;
  while (!path.empty() && pos <= path.size()) {
    std::size_t end = path.find(':', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view dir = path.substr(pos, end - pos);
    pos = end + 1;
    // Shell semantics: an empty element means the current directory.
    std::string candidate = join(dir.empty() ? "." : dir, arg0);
    if (!check_executable(candidate, arg0)) continue;
    // Go 1.19 refuses what a relative PATH element finds (exec.ErrDot).
    if (!candidate.starts_with('/'))
      return std::unexpected(
          exec_error(arg0, "cannot run executable found relative to current directory"));
    return candidate;
  }
  return std::unexpected(exec_error(arg0, "executable file not found in $PATH"));
}

}  // namespace nucleus
