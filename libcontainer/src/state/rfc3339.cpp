#include "state/rfc3339.hpp"

#include <fmt/format.h>

namespace nucleus {

std::string format_rfc3339_seconds(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string format_rfc3339_nano(const std::timespec& t) {
  std::string s = format_rfc3339_seconds(t.tv_sec);
  if (t.tv_nsec == 0) return s;
  std::string frac = fmt::format("{:09}", t.tv_nsec);
  frac.erase(frac.find_last_not_of('0') + 1);
  s.insert(s.size() - 1, "." + frac);  // before the trailing 'Z'
  return s;
}

std::string rfc3339_nano_now() {
  std::timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return format_rfc3339_nano(t);
}

std::string rfc3339_seconds_now() { return format_rfc3339_seconds(std::time(nullptr)); }

}  // namespace nucleus
