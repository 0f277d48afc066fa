// Writes limit files and, for a live container, remembers what each held so
// that a failed update can put it back.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nucleus/error.hpp"

namespace nucleus::cgroups {

class LimitWriter {
 public:
  explicit LimitWriter(bool keep_undo) : keep_undo_(keep_undo) {}

  // One write of value to dir/file (errors name both; err() is the errno).
  Result<void> write(const std::filesystem::path& dir, std::string_view file, std::string_view value);

  // Put back, newest first, what the written files held. Best effort: keyed
  // files (io.max, blkio.throttle.*) get their old lines back, but a key the
  // update added keeps its new value.
  void undo();

 private:
  bool keep_undo_;
  std::vector<std::pair<std::filesystem::path, std::string>> journal_;
};

}  // namespace nucleus::cgroups
