// linux.personality: the execution domain set with personality(2) just before
// exec, so the user's program (and uname) sees it; LINUX32 makes `uname -m`
// report i686 on x86_64.
#pragma once

#include <optional>

#include <oci/config.hpp>

#include "nucleus/error.hpp"

namespace nucleus::init {

// "LINUX" -> PER_LINUX, "LINUX32" -> PER_LINUX32. Flags are refused: the spec
// names none yet (oci-spec rejects them already; runc ignores them).
Result<unsigned long> personality_value(const oci::Personality& p);

// personality(2) with the value, when the config sets one.
Result<void> apply_personality(const std::optional<oci::Personality>& p);

}  // namespace nucleus::init
