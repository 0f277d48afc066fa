// How state, list and ps print containers: runc's JSON and table layouts.
#pragma once

#include <sys/types.h>

#include <span>
#include <string>
#include <vector>

#include <oci/state.hpp>

#include "nucleus/container.hpp"

namespace nucleus::cli {

oci::RuntimeState to_runtime_state(const ContainerState& s);

// `list`: a table (Go tabwriter: min width 12, padding 3) with the header
// ID PID STATUS BUNDLE CREATED OWNER.
std::string list_table(std::span<const ContainerState> containers);
// `list -f json`: a compact array and a newline, or "null" with none (runc).
std::string list_json(std::span<const ContainerState> containers);
// `list -q`: one id per line.
std::string list_ids(std::span<const ContainerState> containers);

// `ps -f json`: "[1,2]\n".
std::string pids_json(std::span<const pid_t> pids);
// `ps` table: the header and the lines of the host's `ps` output whose PID
// column is one of `pids`. An error when there is no PID column or a line's
// pid is not a number.
Result<std::string> filter_ps_output(std::string_view ps_output, std::span<const pid_t> pids);

}  // namespace nucleus::cli
