// Go's spellings as runc's callers pass them (flags, update values, the
// timeouts): strconv's bools, integers and quoting, time.ParseDuration. An
// integer read back from its decimal form is the same integer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "go_syntax.hpp"
#include "nucleus/utf8.hpp"

using namespace nucleus::cli;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_go_bool(text);
  (void)parse_go_duration(text);
  if (auto i = parse_go_int(text); i && parse_go_int(std::to_string(*i)) != i) std::abort();
  if (auto u = parse_go_uint(text); u && parse_go_uint(std::to_string(*u)) != u) std::abort();
  // The quoted form is printable valid UTF-8: it goes into messages as is.
  const std::string quoted = go_quote(text);
  for (std::size_t i = 0; i < quoted.size();) {
    const std::size_t n = nucleus::utf8_length(quoted, i);
    if (n == 0 || (n == 1 && (quoted[i] < 0x20 || quoted[i] == 0x7f))) std::abort();
    i += n;
  }
  return 0;
}
