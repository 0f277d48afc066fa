// A scratch directory for the init's filesystem tests, removed with all it
// holds; `fd` is an O_PATH fd on it, as the init holds its rootfs.
#pragma once

#include <fcntl.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "nucleus/unique_fd.hpp"

namespace nucleus::init::testing {

struct TempRoot {
  std::filesystem::path dir;
  UniqueFd fd;

  explicit TempRoot(const std::string& purpose) {
    std::string tmpl = "/tmp/nucleus-" + purpose + "-XXXXXX";
    dir = ::mkdtemp(tmpl.data());
    fd.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  ~TempRoot() { std::filesystem::remove_all(dir); }
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;

  UniqueFd open_dir() const {
    return UniqueFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
};

}  // namespace nucleus::init::testing
