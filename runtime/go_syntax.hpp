// Go's spellings of values, as runc's callers write them and read them back:
// strconv's bools, integers and quoting, and time.ParseDuration.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nucleus::cli {

// strconv.ParseBool: 1 t T TRUE true True 0 f F FALSE false False.
std::optional<bool> parse_go_bool(std::string_view s);
// strconv.ParseInt(s, 0, 64) / ParseUint(s, 0, 64): decimal, 0x, 0o, 0b or a
// leading 0 for octal; underscores between digits; no sign for the unsigned.
std::optional<std::int64_t> parse_go_int(std::string_view s);
std::optional<std::uint64_t> parse_go_uint(std::string_view s);
// time.ParseDuration: "300ms", "-1.5h", "2h45m", units ns us µs ms s m h.
std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view s);
// strconv.Quote for the texts in error and log messages: "a\"b\n".
std::string go_quote(std::string_view s);

}  // namespace nucleus::cli
