#include "logging.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>
#include <oci/json.hpp>

#include "go_syntax.hpp"
#include "nucleus/unique_fd.hpp"

namespace nucleus::cli {

namespace {

struct LogState {
  UniqueFd file;  // --log; invalid: records go to stderr
  LogFormat format = LogFormat::text;
};

LogState& state() {
  static LogState s;
  return s;
}

std::string_view level_name(log::Level level) {
  switch (level) {
    case log::Level::debug: return "debug";
    case log::Level::info: return "info";
    case log::Level::warning: return "warning";
    case log::Level::error: return "error";
  }
  return "error";
}

// logrus quotes a text-format value unless it is made only of these.
bool needs_quoting(std::string_view s) {
  for (char c : s) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '/' || c == '@' || c == '^' ||
                       c == '+';
    if (!plain) return true;
  }
  return false;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere left to report a failing log write
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void sink(log::Level level, std::string_view message) {
  if (level == log::Level::debug && !log::debug_enabled) return;
  LogState& s = state();
  const std::string record = format_log_record(s.format, level, message, std::time(nullptr));
  if (!s.file) {
    write_all(STDERR_FILENO, record);
    return;
  }
  write_all(s.file.get(), record);
  if (level == log::Level::error) write_all(STDERR_FILENO, fmt::format("{}\n", message));
}

}  // namespace

std::string rfc3339_utc(std::time_t when) {
  struct tm tm {};
  ::gmtime_r(&when, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string format_log_record(LogFormat format, log::Level level, std::string_view message,
                              std::time_t when) {
  const std::string time = rfc3339_utc(when);
  if (format == LogFormat::json) {
    // logrus's JSON formatter sorts the keys: level, msg, time.
    const oci::json::Value record(oci::json::Object{
        {"level", oci::json::Value(level_name(level))},
        {"msg", oci::json::Value(message)},
        {"time", oci::json::Value(time)},
    });
    return oci::json::write(record) + '\n';
  }
  const std::string msg = needs_quoting(message) ? go_quote(message) : std::string(message);
  return fmt::format("time={} level={} msg={}\n", go_quote(time), level_name(level), msg);
}

void install_log_sink() { log::set_sink(sink); }

Result<void> configure_logging(const LogSettings& settings) {
  LogState& s = state();
  s.format = settings.format;
  log::debug_enabled = settings.debug;
  if (settings.file) {
    const int fd = ::open(settings.file->c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return fail_errno(fmt::format("open log file {}", go_quote(*settings.file)));
    s.file.reset(fd);
  }
  return {};
}

}  // namespace nucleus::cli
