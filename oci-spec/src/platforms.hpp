// Well-formedness of the non-Linux platform sections of config.json
// (solaris, windows, vm, zos, freebsd), which nucleus does not model.
#pragma once

#include "codec.hpp"

namespace oci::detail {

Status check_platform_sections(const json::Value& config);

}  // namespace oci::detail
