// What `nucleus features` reports.
#pragma once

#include <oci/features.hpp>

namespace nucleus::cli {

oci::Features nucleus_features();

}  // namespace nucleus::cli
