// Boost's typed_value<std::vector<T>>::notify, instantiated here, trips g++
// 12's -Wnull-dereference inside libstdc++ (a false positive after inlining).
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "args.hpp"

#include <map>

#include <boost/program_options/errors.hpp>
#include <boost/program_options/option.hpp>
#include <boost/program_options/parsers.hpp>
#include <fmt/format.h>

#include "go_syntax.hpp"

namespace nucleus::cli {

namespace {

std::unexpected<UsageError> usage_error(std::string message) {
  return std::unexpected(UsageError{std::move(message)});
}

// Convert one flag value with `parse`, or throw what Boost expects.
template <typename Parsed>
Parsed single_value(boost::any& out, const std::vector<std::string>& tokens, auto parse) {
  po::validators::check_first_occurrence(out);
  const std::string& s = po::validators::get_single_string(tokens);
  const auto parsed = parse(s);
  if (!parsed) throw po::invalid_option_value(s);
  return Parsed{*parsed};
}

bool takes_value(const po::option_description& d) { return d.semantic()->max_tokens() > 0; }
bool is_list(const po::option_description& d) { return d.semantic()->is_composing(); }

// Long names first, then the one-letter short name ("b" finds "bundle,b").
const po::option_description* find_option(const po::options_description& desc,
                                          const std::string& name) {
  if (const auto* d = desc.find_nothrow(name, false)) return d;
  if (name.size() == 1) return desc.find_nothrow("-" + name, false);
  return nullptr;
}

// What one flag occurrence looked like, for Go-worded error messages.
struct Written {
  std::string name;  // as typed, without dashes
  std::string value;
};

class Collector {
 public:
  explicit Collector(const po::options_description& desc) : parsed_(&desc) {}

  void add(const po::option_description& d, std::string typed_name, std::string value) {
    const std::string& key = d.long_name();
    if (!is_list(d)) {  // Go: the last occurrence of a scalar flag wins
      std::erase_if(parsed_.options, [&](const po::option& o) { return o.string_key == key; });
    }
    po::option o(key, {value});
    o.original_tokens = {"-" + typed_name};
    parsed_.options.push_back(std::move(o));
    written_[key] = Written{std::move(typed_name), std::move(value)};
  }

  std::expected<void, UsageError> store(po::variables_map& vm) const {
    try {
      po::store(parsed_, vm);
    } catch (const po::error_with_option_name& e) {
      std::string key = e.get_option_name();
      key.erase(0, key.find_first_not_of('-'));
      if (const auto it = written_.find(key); it != written_.end())
        return usage_error(fmt::format("invalid value {} for flag -{}: parse error",
                                       go_quote(it->second.value), it->second.name));
      return usage_error(e.what());
    } catch (const po::error& e) {
      return usage_error(e.what());
    }
    return {};
  }

 private:
  po::parsed_options parsed_;
  std::map<std::string, Written> written_;
};

// Parse one dash-word at args[i] (advancing i past a separate value).
std::expected<void, UsageError> parse_flag(std::span<const char* const> args, std::size_t& i,
                                           const po::options_description& desc,
                                           Collector& collector, bool& help) {
  const std::string_view word = args[i];
  std::string_view body = word.substr(word[1] == '-' ? 2 : 1);
  if (body.empty() || body[0] == '-' || body[0] == '=')
    return usage_error(fmt::format("bad flag syntax: {}", word));
  const std::size_t eq = body.find('=');
  std::string name(body.substr(0, eq));
  std::optional<std::string> value;
  if (eq != std::string_view::npos) value = std::string(body.substr(eq + 1));

  const po::option_description* d = find_option(desc, name);
  if (!d && (name == "help" || name == "h")) {  // every verb has -h/--help
    help = true;
    return {};
  }
  if (!d) return usage_error(fmt::format("flag provided but not defined: -{}", name));
  if (!takes_value(*d)) {  // a bool: a value only after '=', never the next word
    const auto b = value ? parse_go_bool(*value) : std::optional<bool>(true);
    if (!b)
      return usage_error(
          fmt::format("invalid boolean value {} for -{}: parse error", go_quote(*value), name));
    collector.add(*d, std::move(name), *b ? "true" : "false");
    return {};
  }
  if (!value) {
    if (i + 1 >= args.size()) return usage_error(fmt::format("flag needs an argument: -{}", name));
    value = args[++i];
  }
  collector.add(*d, std::move(name), std::move(*value));
  return {};
}

}  // namespace

void validate(boost::any& out, const std::vector<std::string>& tokens, GoUint*, int) {
  out = single_value<GoUint>(out, tokens, parse_go_uint);
}
void validate(boost::any& out, const std::vector<std::string>& tokens, GoInt*, int) {
  out = single_value<GoInt>(out, tokens, parse_go_int);
}
void validate(boost::any& out, const std::vector<std::string>& tokens, GoDuration*, int) {
  out = single_value<GoDuration>(out, tokens, parse_go_duration);
}

po::typed_value<bool>* flag() { return po::value<bool>()->zero_tokens()->default_value(false); }
po::typed_value<std::string>* text() { return po::value<std::string>(); }
po::typed_value<std::vector<std::string>>* texts() {
  return po::value<std::vector<std::string>>()->composing();
}
po::typed_value<std::vector<GoUint>>* uints() {
  return po::value<std::vector<GoUint>>()->composing();
}
po::typed_value<GoUint>* uint_value(std::uint64_t default_value) {
  return po::value<GoUint>()->default_value(GoUint{default_value}, std::to_string(default_value));
}
po::typed_value<GoInt>* int_value(std::int64_t default_value) {
  return po::value<GoInt>()->default_value(GoInt{default_value}, std::to_string(default_value));
}
po::typed_value<GoDuration>* duration_value(std::chrono::nanoseconds default_value) {
  return po::value<GoDuration>()->default_value(GoDuration{default_value},
                                                std::to_string(default_value.count()) + "ns");
}

std::expected<ParsedArgs, UsageError> parse_args(std::span<const char* const> args,
                                                 const po::options_description& desc,
                                                 AfterPositional after) {
  ParsedArgs out;
  Collector collector(desc);
  bool only_positionals = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view word = args[i];
    if (only_positionals || word.size() < 2 || word[0] != '-') {  // "-" alone is a positional
      out.positionals.emplace_back(word);
      only_positionals = only_positionals || after == AfterPositional::positionals;
      continue;
    }
    if (word == "--") {
      only_positionals = true;
      continue;
    }
    if (auto r = parse_flag(args, i, desc, collector, out.help); !r) return std::unexpected(r.error());
  }
  if (auto r = collector.store(out.values); !r) return std::unexpected(r.error());
  return out;
}

bool ParsedArgs::flag(const std::string& name) const {
  const auto it = values.find(name);
  return it != values.end() && it->second.as<bool>();
}

std::string ParsedArgs::text(const std::string& name) const {
  return optional_text(name).value_or(std::string());
}

std::optional<std::string> ParsedArgs::optional_text(const std::string& name) const {
  const auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.as<std::string>();
}

std::vector<std::string> ParsedArgs::texts(const std::string& name) const {
  const auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return {};
  return it->second.as<std::vector<std::string>>();
}

std::vector<std::uint64_t> ParsedArgs::uints(const std::string& name) const {
  std::vector<std::uint64_t> out;
  const auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return out;
  for (const GoUint& v : it->second.as<std::vector<GoUint>>()) out.push_back(v.value);
  return out;
}

std::uint64_t ParsedArgs::uint(const std::string& name) const {
  return values.at(name).as<GoUint>().value;
}

std::int64_t ParsedArgs::integer(const std::string& name) const {
  return values.at(name).as<GoInt>().value;
}

std::chrono::nanoseconds ParsedArgs::duration(const std::string& name) const {
  return values.at(name).as<GoDuration>().value;
}

bool ParsedArgs::given(const std::string& name) const {
  const auto it = values.find(name);
  return it != values.end() && !it->second.defaulted() && !it->second.empty();
}

}  // namespace nucleus::cli
