#include "state/process.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <charconv>
#include <string>

#include "state/console_socket.hpp"

namespace nucleus {

namespace {

Result<std::string> read_small_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno(fmt::format("open {}", path));
  std::string out;
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno(fmt::format("read {}", path));
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

Result<ProcStat> parse_proc_stat(std::string_view text) {
  std::size_t close = text.rfind(')');
  if (close == std::string_view::npos) return fail("malformed /proc stat: no command field");
  std::string_view rest = text.substr(close + 1);
  // Fields after ')' start at 3 (state); field 22 (starttime) is the 20th.
  ProcStat st;
  int field = 2;
  std::size_t pos = 0;
  while (pos < rest.size()) {
    while (pos < rest.size() && rest[pos] == ' ') ++pos;
    std::size_t end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    if (pos == end) break;
    std::string_view tok = rest.substr(pos, end - pos);
    ++field;
    if (field == 3) st.state = tok[0];
    if (field == 22) {
      auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), st.start_time);
      if (ec != std::errc{} || p != tok.data() + tok.size())
        return fail(fmt::format("malformed /proc stat: start time \"{}\"", tok));
      return st;
    }
    pos = end;
  }
  return fail("malformed /proc stat: too few fields");
}

Result<ProcStat> read_proc_stat(pid_t pid) {
  std::string path = fmt::format("/proc/{}/stat", pid);
  std::string text = TRY(read_small_file(path));
  auto st = parse_proc_stat(text);
  if (!st) return std::unexpected(std::move(st).error().context(path));
  return st;
}

Result<std::uint64_t> process_start_time(pid_t pid) {
  ProcStat st = TRY(read_proc_stat(pid));
  return st.start_time;
}

bool process_alive(pid_t pid, std::uint64_t start_time) {
  if (pid <= 0) return false;
  auto st = read_proc_stat(pid);
  if (!st) return false;
  if (st->state == 'Z' || st->state == 'X' || st->state == 'x') return false;
  return st->start_time == start_time;
}

Result<UniqueFd> pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
  long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) return fail_errno(fmt::format("pidfd_open {}", pid));
  return UniqueFd(static_cast<int>(fd));
#else
  return fail_errno(fmt::format("pidfd_open {}", pid), ENOSYS);
#endif
}

Result<void> send_pidfd(const std::filesystem::path& socket, pid_t pid) {
  UniqueFd pidfd = TRY(pidfd_open(pid));
  return send_fd_to_socket(socket, pidfd.get(), "pidfd", "pidfd socket");
}

}  // namespace nucleus
