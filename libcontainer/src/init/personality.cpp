#include "init/personality.hpp"

#include <sys/personality.h>

#include <fmt/format.h>

namespace nucleus::init {

Result<unsigned long> personality_value(const oci::Personality& p) {
  if (!p.flags.empty()) return fail(fmt::format("personality flag \"{}\" is not supported", p.flags.front()));
  if (p.domain == "LINUX") return static_cast<unsigned long>(PER_LINUX);
  if (p.domain == "LINUX32") return static_cast<unsigned long>(PER_LINUX32);
  return fail(fmt::format("personality domain \"{}\" is not supported", p.domain));
}

Result<void> apply_personality(const std::optional<oci::Personality>& p) {
  if (!p) return {};
  unsigned long value = TRY(personality_value(*p));
  if (::personality(value) < 0) return fail_errno(fmt::format("set personality {}", p->domain));
  return {};
}

}  // namespace nucleus::init
