// Timestamps in the formats Go's time package writes, because callers parse
// runc's output with Go: RFC3339Nano for `created`, RFC3339 for log lines.
#pragma once

#include <ctime>
#include <string>

namespace nucleus {

// "2026-11-28T14:58:21.123456789Z"; trailing zeros of the fraction trimmed,
// and no fraction at all when it is zero (Go's RFC3339Nano).
std::string format_rfc3339_nano(const std::timespec& t);
// "2026-11-28T14:58:21Z" (Go's RFC3339 in UTC).
std::string format_rfc3339_seconds(std::time_t t);

std::string rfc3339_nano_now();
std::string rfc3339_seconds_now();

}  // namespace nucleus
