// The argument layer: runc's command-line grammar (Go's flag package as
// urfave/cli drives it) on top of Boost.Program_options, which holds the
// option definitions, converts the values and keeps them in a variables_map.
//
// What runc callers depend on, and this layer does:
//   --f v, --f=v, -f v, -f=v      single- and double-dash long names alike
//   -b v, --b=v                   short names are just more names
//   --bool, --bool=false          bools take a value only after '='
//   create ID --bundle B          flags after positionals (unless the verb stops)
//   -e A -e B                     repeated list flags; commas do not split
//   --                            ends the flags
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/any.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/value_semantic.hpp>
#include <boost/program_options/variables_map.hpp>

namespace nucleus::cli {

namespace po = boost::program_options;

// How a verb treats a dash-word after its first positional argument. runc HEAD
// stops parsing flags there for exec and ps, so `exec c ls -l` passes -l on.
enum class AfterPositional { flags, positionals };

// A Go-style unsigned integer flag value (strconv.ParseUint base 0: "10",
// "0x1f", "017"); a minus sign is a parse error, as in Go.
struct GoUint {
  std::uint64_t value = 0;
};
// A Go-style signed integer flag value (strconv.ParseInt base 0).
struct GoInt {
  std::int64_t value = 0;
};
// A Go time.Duration flag value: "5s", "1m30s", "500ms", "-1.5h".
struct GoDuration {
  std::chrono::nanoseconds value{0};
};

// Boost.Program_options calls these (found by ADL) to convert a flag's text.
void validate(boost::any& out, const std::vector<std::string>& tokens, GoUint*, int);
void validate(boost::any& out, const std::vector<std::string>& tokens, GoInt*, int);
void validate(boost::any& out, const std::vector<std::string>& tokens, GoDuration*, int);

// Option value kinds for `desc.add_options()(name, kind(), help)`.
po::typed_value<bool>* flag();                       // --x, --x=true|false
po::typed_value<std::string>* text();                // --x value
po::typed_value<std::vector<std::string>>* texts();  // --x a --x b
po::typed_value<std::vector<GoUint>>* uints();      // --x 1 --x 2
po::typed_value<GoUint>* uint_value(std::uint64_t default_value);
po::typed_value<GoInt>* int_value(std::int64_t default_value);
po::typed_value<GoDuration>* duration_value(std::chrono::nanoseconds default_value);

// A usage error, worded like Go's flag package ("flag provided but not
// defined: -bogus"); the caller prints "Incorrect Usage" and the help.
struct UsageError {
  std::string message;
};

class ParsedArgs {
 public:
  // Bools default to false, texts to "", lists to {}, numbers to their default.
  bool flag(const std::string& name) const;
  std::string text(const std::string& name) const;
  std::optional<std::string> optional_text(const std::string& name) const;  // nullopt: not given
  std::vector<std::string> texts(const std::string& name) const;
  std::vector<std::uint64_t> uints(const std::string& name) const;
  std::uint64_t uint(const std::string& name) const;
  std::int64_t integer(const std::string& name) const;
  std::chrono::nanoseconds duration(const std::string& name) const;
  // Was the flag on the command line (not merely defaulted)?
  bool given(const std::string& name) const;

  std::vector<std::string> positionals;
  bool help = false;  // -h/--help was given
  po::variables_map values;
};

// Parse `args` (the words after the verb, or after the program name for the
// global flags) against `desc`. -h/--help is recognised for every description.
// With AfterPositional::positionals, the first positional and everything after
// it are positionals.
std::expected<ParsedArgs, UsageError> parse_args(std::span<const char* const> args,
                                                 const po::options_description& desc,
                                                 AfterPositional after);

}  // namespace nucleus::cli
