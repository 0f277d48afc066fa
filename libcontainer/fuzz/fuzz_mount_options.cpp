// config.json "mounts[].options" as the init reads them: one option per line
// of the input, then crun's inline idmap mapping when one is given.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "init/mount_options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> options;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    options.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  const auto parsed = nucleus::init::parse_mount_options(options);
  (void)nucleus::init::parse_inline_idmap(parsed.idmap_spec);
  (void)nucleus::init::parse_inline_idmap(text);
  return 0;
}
