// Signal names as kill accepts them: a number, or a name with or without
// "SIG" in any case (KILL, sigkill, SIGKILL).
#pragma once

#include <string_view>

#include "nucleus/error.hpp"

namespace nucleus::cli {

Result<int> parse_signal(std::string_view text);

}  // namespace nucleus::cli
