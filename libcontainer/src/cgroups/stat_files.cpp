#include "cgroups/stat_files.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "cgroups/cgroup_file.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

std::vector<std::string_view> fields(std::string_view s) {
  std::vector<std::string_view> out;
  constexpr std::string_view ws = " \t\r\n";
  for (;;) {
    auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return out;
    s.remove_prefix(b);
    auto e = s.find_first_of(ws);
    out.push_back(s.substr(0, e));
    if (e == std::string_view::npos) return out;
    s.remove_prefix(e);
  }
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    auto eol = text.find('\n');
    out.push_back(text.substr(0, eol));
    if (eol == std::string_view::npos) break;
    text.remove_prefix(eol + 1);
  }
  return out;
}

Result<std::uint64_t> parse_counter(std::string_view text, std::string_view what) {
  auto t = trim(text);
  if (t == "max") return std::numeric_limits<std::uint64_t>::max();
  std::uint64_t value = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec == std::errc() && p == t.data() + t.size() && !t.empty()) return value;
  std::int64_t negative = 0;
  auto [q, ec2] = std::from_chars(t.data(), t.data() + t.size(), negative);
  bool all = q == t.data() + t.size() && t.starts_with('-');
  if (all && (ec2 == std::errc() || ec2 == std::errc::result_out_of_range)) return 0;
  return fail(fmt::format("read \"{}\": not a number: \"{}\"", what, t), EINVAL);
}

Result<std::int64_t> parse_signed(std::string_view text, std::string_view what) {
  auto t = trim(text);
  std::int64_t value = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || p != t.data() + t.size() || t.empty())
    return fail(fmt::format("read \"{}\": not a number: \"{}\"", what, t), EINVAL);
  return value;
}

Result<std::uint64_t> read_counter(const fs::path& file) {
  auto text = TRY(read_file(file));
  return parse_counter(text, file.native());
}

Result<std::optional<std::uint64_t>> read_counter_if_present(const fs::path& file) {
  auto text = read_file(file);
  if (!text) {
    if (text.error().err() == ENOENT) return std::nullopt;
    return std::unexpected(std::move(text).error());
  }
  return TRY(parse_counter(*text, file.native()));
}

Result<void> for_each_keyed(std::string_view text, std::string_view what,
                            const std::function<Result<void>(std::string_view, std::uint64_t)>& fn) {
  for (auto line : lines(text)) {
    auto f = fields(line);
    if (f.empty()) continue;
    if (f.size() != 2)
      return fail(fmt::format("read \"{}\": expected \"key value\", got \"{}\"", what, trim(line)), EINVAL);
    std::uint64_t value = TRY(parse_counter(f[1], what));
    TRY_VOID(fn(f[0], value));
  }
  return {};
}

std::string_view keyed_value(std::string_view text, std::string_view key) {
  for (auto line : lines(text)) {
    if (line.starts_with(key) && line.size() > key.size() && line[key.size()] == ' ')
      return trim(line.substr(key.size() + 1));
  }
  return {};
}

Result<std::uint64_t> read_keyed_counter(const fs::path& file, std::string_view key) {
  auto text = TRY(read_file(file));
  auto value = keyed_value(text, key);
  if (value.empty()) return 0;
  return parse_counter(value, file.native());
}

Result<std::vector<std::uint16_t>> parse_id_list(std::string_view text, std::string_view what) {
  std::vector<std::uint16_t> out;
  auto bad = [&] { return fail(fmt::format("read \"{}\": bad list \"{}\"", what, trim(text)), EINVAL); };
  auto t = trim(text);
  while (!t.empty()) {
    auto comma = t.find(',');
    auto item = t.substr(0, comma);
    t = comma == std::string_view::npos ? std::string_view() : t.substr(comma + 1);
    auto dash = item.find('-');
    std::uint16_t lo = 0, hi = 0;
    auto first = item.substr(0, dash);
    if (std::from_chars(first.data(), first.data() + first.size(), lo).ptr != first.data() + first.size() ||
        first.empty())
      return bad();
    hi = lo;
    if (dash != std::string_view::npos) {
      auto second = item.substr(dash + 1);
      if (std::from_chars(second.data(), second.data() + second.size(), hi).ptr !=
              second.data() + second.size() ||
          second.empty() || hi < lo)
        return bad();
    }
    for (unsigned id = lo; id <= hi; ++id) out.push_back(static_cast<std::uint16_t>(id));
  }
  return out;
}

Result<std::vector<std::string>> hugetlb_sizes(const fs::path& dir, std::string_view suffix) {
  constexpr std::string_view prefix = "hugetlb.";
  std::vector<std::string> out;
  for (const auto& entry : TRY(dir_entries(dir))) {
    const std::string file = entry.path().filename().native();
    std::string_view name = file;
    if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) || !name.ends_with(suffix))
      continue;
    auto size = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (size.find('.') == std::string_view::npos) out.emplace_back(size);  // not "2MB.rsvd"
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool dir_exists(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir, ec);
}

}  // namespace nucleus::cgroups
