// The --pid-file callers read after the runtime exits (go-runc parses it with
// Atoi, so no trailing newline), replaced atomically.
#pragma once

#include <sys/types.h>

#include <filesystem>

#include "nucleus/error.hpp"

namespace nucleus {

Result<void> write_pid_file(const std::filesystem::path& path, pid_t pid);

}  // namespace nucleus
