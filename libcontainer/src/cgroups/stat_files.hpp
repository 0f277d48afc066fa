// Reading the cgroup files that hold numbers: one value ("42", "max"), flat
// keyed ("oom_kill 1\n..."), lists ("0-3,7"), with runc's conventions so that
// `events` prints what runc prints: "max" is UINT64_MAX, and a negative value
// (a kernel accounting bug some memory counters show) is 0.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "nucleus/error.hpp"

namespace nucleus::cgroups {

// A counter as runc's GetCgroupParamUint reads it; `what` names the file.
Result<std::uint64_t> parse_counter(std::string_view text, std::string_view what);
// A signed value (cpuset.sched_relax_domain_level is -1 by default).
Result<std::int64_t> parse_signed(std::string_view text, std::string_view what);

// The whole file as one counter.
Result<std::uint64_t> read_counter(const std::filesystem::path& file);
// As read_counter; nullopt when the file does not exist (ENOENT).
Result<std::optional<std::uint64_t>> read_counter_if_present(const std::filesystem::path& file);

// Calls fn(key, value) for each "key value" line; a line with other than two
// fields is an error naming the file.
Result<void> for_each_keyed(std::string_view text, std::string_view what,
                            const std::function<Result<void>(std::string_view, std::uint64_t)>& fn);
// The value of `key` in flat-keyed text; "" when absent.
std::string_view keyed_value(std::string_view text, std::string_view key);
// The counter under `key` in a flat-keyed file; 0 when the key is absent.
Result<std::uint64_t> read_keyed_counter(const std::filesystem::path& file, std::string_view key);

// "0-3,7" -> {0,1,2,3,7} (cpuset.cpus, cpuset.mems).
Result<std::vector<std::uint16_t>> parse_id_list(std::string_view text, std::string_view what);

// The whitespace-separated fields of s.
std::vector<std::string_view> fields(std::string_view s);
// The lines of text, without their newlines; no trailing empty line.
std::vector<std::string_view> lines(std::string_view text);

// The huge page sizes ("1GB", "2MB", sorted) that dir has a
// "hugetlb.<size><suffix>" file for; none when dir is gone.
Result<std::vector<std::string>> hugetlb_sizes(const std::filesystem::path& dir, std::string_view suffix);

// Whether dir exists (runc's PathExists before reading a controller).
bool dir_exists(const std::filesystem::path& dir);

}  // namespace nucleus::cgroups
