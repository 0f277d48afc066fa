// cgroup2 controllers: which a dir can have, and enabling them down the
// tree. A controller's files appear in a cgroup only once its parent lists
// it in cgroup.subtree_control, which needs the same in every ancestor.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nucleus/error.hpp"

namespace nucleus::cgroups {

std::vector<std::string> split_words(std::string_view text);

// cgroup.controllers of dir's parent (or of its nearest existing ancestor,
// for a dir not made yet): the controllers dir can be given.
Result<std::vector<std::string>> available_controllers(const std::filesystem::path& dir);

// Enable `wanted` (every available one when empty, as runc and crun do for a
// new container) in cgroup.subtree_control of each cgroup2 ancestor of dir,
// from the top down, skipping a level that already has them. Refusals are
// not errors here (a populated parent cannot enable domain controllers):
// callers learn it from enabled().
Result<void> enable_controllers(const std::filesystem::path& dir, const std::vector<std::string>& wanted);

// The controllers dir's parent gives dir (its cgroup.subtree_control).
Result<std::vector<std::string>> enabled_controllers(const std::filesystem::path& dir);

}  // namespace nucleus::cgroups
