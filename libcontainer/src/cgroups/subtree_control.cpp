#include "cgroups/subtree_control.hpp"

#include <unistd.h>

#include <algorithm>

#include <fmt/ranges.h>

#include "cgroups/cgroup_file.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

bool is_cgroup2_dir(const fs::path& dir) {
  return ::access((dir / "cgroup.controllers").c_str(), F_OK) == 0;
}

bool contains(const std::vector<std::string>& list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

// The cgroup2 ancestors of dir (not dir itself), the mount root first.
std::vector<fs::path> ancestors(const fs::path& dir) {
  std::vector<fs::path> chain;
  for (fs::path p = dir.parent_path(); p.has_relative_path() && is_cgroup2_dir(p); p = p.parent_path())
    chain.push_back(p);
  std::reverse(chain.begin(), chain.end());
  return chain;
}

// Enable what `level` lacks of wanted (of all it has, when wanted is empty).
Result<void> enable_at(const fs::path& level, const std::vector<std::string>& wanted) {
  const auto have = split_words(TRY(read_file(level / "cgroup.subtree_control")));
  const auto can = split_words(TRY(read_file(level / "cgroup.controllers")));
  std::vector<std::string> missing;
  for (const auto& c : can) {
    if ((wanted.empty() || contains(wanted, c)) && !contains(have, c)) missing.push_back("+" + c);
  }
  if (missing.empty()) return {};
  if (write_file(level / "cgroup.subtree_control", fmt::format("{}", fmt::join(missing, " ")))) return {};
  // One refused controller fails the whole write: the others one by one.
  for (const auto& m : missing) (void)write_file(level / "cgroup.subtree_control", m);
  return {};
}

}  // namespace

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t')) ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\n' && text[j] != '\t') ++j;
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

Result<std::vector<std::string>> available_controllers(const fs::path& dir) {
  fs::path p = dir.parent_path();
  while (p.has_relative_path() && !is_cgroup2_dir(p)) p = p.parent_path();
  if (!is_cgroup2_dir(p)) return fail(fmt::format("\"{}\" is not in a cgroup2 hierarchy", dir.native()), ENOENT);
  return split_words(TRY(read_file(p / "cgroup.controllers")));
}

Result<void> enable_controllers(const fs::path& dir, const std::vector<std::string>& wanted) {
  const auto chain = ancestors(dir);
  if (chain.empty()) return {};
  // Usually done already (by create, or for an earlier container): one read.
  if (!wanted.empty()) {
    const auto parent = split_words(TRY(read_file(chain.back() / "cgroup.subtree_control")));
    if (std::all_of(wanted.begin(), wanted.end(), [&](const std::string& c) { return contains(parent, c); }))
      return {};
  }
  for (const auto& level : chain) TRY_VOID(enable_at(level, wanted));
  return {};
}

Result<std::vector<std::string>> enabled_controllers(const fs::path& dir) {
  const fs::path parent = dir.parent_path();
  if (!is_cgroup2_dir(parent)) return std::vector<std::string>{};
  return split_words(TRY(read_file(parent / "cgroup.subtree_control")));
}

}  // namespace nucleus::cgroups
