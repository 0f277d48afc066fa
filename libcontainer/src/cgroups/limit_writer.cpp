#include "cgroups/limit_writer.hpp"

#include "cgroups/cgroup_file.hpp"
#include "nucleus/log.hpp"

namespace nucleus::cgroups {

namespace fs = std::filesystem;

namespace {

// What to write back for the text a file showed: memory.oom_control reads
// "oom_kill_disable 1\nunder_oom 0\n..." but takes only the flag.
std::vector<std::string> restore_lines(const fs::path& file, std::string_view shown) {
  std::vector<std::string> lines;
  while (!shown.empty()) {
    auto eol = shown.find('\n');
    auto line = trim(shown.substr(0, eol));
    shown = eol == std::string_view::npos ? std::string_view() : shown.substr(eol + 1);
    if (file.filename() == "memory.oom_control") {
      if (line.starts_with("oom_kill_disable ")) return {std::string(line.substr(17))};
      continue;
    }
    if (!line.empty()) lines.emplace_back(line);
  }
  return lines;
}

}  // namespace

Result<void> LimitWriter::write(const fs::path& dir, std::string_view file, std::string_view value) {
  const fs::path path = dir / file;
  std::string old;
  if (keep_undo_) old = TRY(read_file(path));
  TRY_VOID(write_file(path, value));
  if (keep_undo_) journal_.emplace_back(path, std::move(old));
  return {};
}

void LimitWriter::undo() {
  for (auto it = journal_.rbegin(); it != journal_.rend(); ++it) {
    for (const auto& line : restore_lines(it->first, it->second)) {
      if (auto r = write_file(it->first, line); !r) log::warn("restoring the old limit: {}", r.error().what());
    }
  }
  journal_.clear();
}

}  // namespace nucleus::cgroups
