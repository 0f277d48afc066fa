#include "signals.hpp"

#include <csignal>
#include <cstring>

#include <fmt/format.h>

#include "go_syntax.hpp"

namespace nucleus::cli {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

}  // namespace

Result<int> parse_signal(std::string_view text) {
  const auto unknown = [&] { return fail(fmt::format("unknown signal {}", go_quote(text))); };
  if (const auto number = parse_go_int(text)) {
    if (*number < 0 || *number > SIGRTMAX) return unknown();
    return static_cast<int>(*number);
  }
  std::string name = upper(text);
  if (name.starts_with("SIG")) name.erase(0, 3);
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = ::sigabbrev_np(sig);  // "KILL", nullptr for real-time signals
    if (abbrev && name == abbrev) return sig;
  }
  return unknown();
}

}  // namespace nucleus::cli
