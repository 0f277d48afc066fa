// Replace a file's contents so that readers see the old or the new file,
// never a partial one: write a temp file beside it, then rename over it.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "nucleus/error.hpp"

namespace nucleus {

// Write `content` to `name` inside directory `dirfd`. `display` names the
// target in errors (usually its full path). The temp file is removed on failure.
Result<void> write_file_atomic(int dirfd, const std::string& name, std::string_view content,
                               mode_t mode, const std::string& display);

}  // namespace nucleus
