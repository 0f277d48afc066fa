// runc's logging, behind nucleus::log's sink: records in logrus's text or JSON
// format go to the --log file, or to stderr when there is none. Errors are
// also printed to stderr as a plain line when --log is set (callers such as
// conmon read stderr; the containerd shim reads the file).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "nucleus/error.hpp"
#include "nucleus/log.hpp"

namespace nucleus::cli {

enum class LogFormat { text, json };

struct LogSettings {
  std::optional<std::string> file;  // --log; nullopt: stderr
  LogFormat format = LogFormat::text;
  bool debug = false;
};

// Install the sink (before any flag is parsed it is text on stderr).
void install_log_sink();
// Apply the global flags: open the --log file (O_APPEND|O_CREAT|O_CLOEXEC,
// 0644), choose the format and whether debug records are written.
Result<void> configure_logging(const LogSettings& settings);

// One record with its trailing newline, e.g.
//   time="2026-11-28T14:58:21Z" level=error msg="container does not exist"
//   {"level":"error","msg":"container does not exist","time":"2026-11-28T14:58:21Z"}
std::string format_log_record(LogFormat format, log::Level level, std::string_view message,
                              std::time_t when);
// RFC 3339 in UTC with second precision: 2026-11-28T14:58:21Z.
std::string rfc3339_utc(std::time_t when);

}  // namespace nucleus::cli
