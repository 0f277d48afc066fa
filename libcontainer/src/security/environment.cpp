// process.env as runc hands it to execve: validated, de-duplicated, and with
// HOME filled in from the container's /etc/passwd when the config lacks it.
#include <algorithm>
#include <charconv>
#include <fstream>
#include <string_view>

#include "security/process_setup.hpp"

namespace nucleus {
namespace {

Result<void> check_entry(std::string_view entry) {
  auto eq = entry.find('=');
  if (eq == std::string_view::npos)
    return fail(fmt::format("invalid environment variable: \"{}\"", entry));
  if (eq == 0) return fail(fmt::format("environment variable name can't be empty: \"{}\"", entry));
  if (entry.substr(0, eq).find('\0') != std::string_view::npos)
    return fail("environment variable name can't contain null(\\x00)");
  if (entry.substr(eq + 1).find('\0') != std::string_view::npos)
    return fail("environment variable value can't contain null(\\x00)");
  return {};
}

std::string_view name_of(std::string_view entry) { return entry.substr(0, entry.find('=')); }

// The sixth field of the first passwd line whose third field is `uid`.
std::optional<std::string> home_of(unsigned uid, const std::string& passwd_path) {
  std::ifstream in(passwd_path);
  std::string line;
  while (std::getline(in, line)) {
    std::string_view rest(line);
    std::string_view fields[7];
    std::size_t n = 0;
    for (; n < 7; ++n) {
      auto colon = rest.find(':');
      fields[n] = rest.substr(0, colon);
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
    if (n < 5) continue;  // fewer than six fields: malformed
    unsigned value = 0;
    auto f = fields[2];
    auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), value);
    if (ec != std::errc() || ptr != f.data() + f.size() || f.empty() || value != uid) continue;
    return std::string(fields[5]);
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<std::string>> build_process_environment(const std::vector<std::string>& env,
                                                           unsigned uid,
                                                           const std::string& passwd_path) {
  std::vector<std::string> out;
  out.reserve(env.size() + 1);
  for (const auto& entry : env) {
    TRY_VOID(check_entry(entry));
    auto name = name_of(entry);
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const std::string& e) { return name_of(e) == name; });
    if (same != out.end())
      *same = entry;  // Go's os.Setenv: the last value wins, in place
    else
      out.push_back(entry);
  }
  auto home = std::find_if(out.begin(), out.end(),
                           [](const std::string& e) { return name_of(e) == "HOME"; });
  if (home == out.end() || *home == "HOME=") {
    std::string value = "HOME=" + home_of(uid, passwd_path).value_or("/");
    if (home == out.end())
      out.push_back(std::move(value));
    else
      *home = std::move(value);
  }
  return out;
}

}  // namespace nucleus
