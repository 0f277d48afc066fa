// The state JSON written to each hook's stdin (and the seccomp agent's
// message), from field values that may hold any bytes — a bundle path or an
// annotation is whatever the host gave. What a hook reads must parse back to
// the same state, with invalid UTF-8 read as U+FFFD (as runc writes it).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

#include "nucleus/utf8.hpp"
#include "oci/parse.hpp"

namespace {

oci::State state_from(FuzzedDataProvider& in) {
  oci::State s;
  s.oci_version = in.ConsumeRandomLengthString();
  s.id = in.ConsumeRandomLengthString();
  s.status = in.PickValueInArray({"creating", "created", "running", "stopped"});
  if (in.ConsumeBool()) s.pid = in.ConsumeIntegralInRange(0, std::numeric_limits<int>::max());
  s.bundle = in.ConsumeRandomLengthString();
  for (auto n = in.ConsumeIntegralInRange(0, 8); n > 0; --n) {
    auto key = in.ConsumeRandomLengthString();
    s.annotations[key] = in.ConsumeRandomLengthString();
  }
  return s;
}

// The state as a reader sees it: each string with its invalid UTF-8 replaced.
oci::State as_read(const oci::State& s) {
  oci::State r = s;
  r.oci_version = nucleus::utf8_coerce(s.oci_version);
  r.id = nucleus::utf8_coerce(s.id);
  r.bundle = nucleus::utf8_coerce(s.bundle);
  r.annotations.clear();
  for (const auto& [k, v] : s.annotations)
    r.annotations[nucleus::utf8_coerce(k)] = nucleus::utf8_coerce(v);
  return r;
}

[[noreturn]] void fail(const char* what, const std::string& json) {
  std::fprintf(stderr, "%s:\n%s\n", what, json.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const oci::State state = state_from(in);
  const std::string json = oci::to_json(state);
  auto read = oci::parse_state(json);
  // Keys that differ only in invalid bytes collapse into one when read.
  const oci::State expected = as_read(state);
  if (!read) fail("a hook cannot parse its state", json);
  if (expected.annotations.size() == state.annotations.size() && !(*read == expected))
    fail("a hook reads another state", json);

  oci::ContainerProcessState process;
  process.oci_version = state.oci_version;
  process.fds = {"seccompFd"};
  process.pid = in.ConsumeIntegral<int>();
  process.metadata = in.ConsumeRemainingBytesAsString();
  process.state = state;
  const std::string message = oci::to_json(process);
  if (!oci::json::parse(message)) fail("the seccomp agent's message is not JSON", message);
  return 0;
}
