// ROOT ONLY: device rules on this machine's real cgroups, checked by what a
// process in the cgroup can open. The v2 program is proven on a scratch dir
// of the cgroup2 mount (the kernel runs a task's cgroup2 device programs on
// hybrid hosts too); the v1 writes on a scratch devices cgroup. Without root,
// or without the hierarchy, each case prints SKIPPED and passes.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "cgroups/bpf_cgroup.hpp"
#include "cgroups/cgroup_file.hpp"
#include "cgroups/device_filter.hpp"
#include "cgroups/devices.hpp"
#include "cgroups/hierarchy.hpp"
#include "devices_support.hpp"
#include "fake_host.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;

namespace {

// The mount point of the cgroup2 hierarchy (controllers empty) or of the v1
// one with this controller; empty when the host has none, or we are not root.
fs::path scratch_parent(const std::string& controller) {
  if (::geteuid() != 0) {
    WARN("SKIPPED: the real-host devices test needs root");
    return {};
  }
  auto host = discover_hierarchies("/sys/fs/cgroup", "/proc/self/mountinfo");
  if (host) {
    for (const auto& h : host->hierarchies) {
      bool wanted = controller.empty() ? h.unified() : h.controllers == std::vector<std::string>{controller};
      if (wanted) return h.mount_point;
    }
  }
  WARN("SKIPPED: no " << (controller.empty() ? "cgroup2" : controller) << " hierarchy on this host");
  return {};
}

// A cgroup made for the test, removed (after its processes are gone) at the end.
struct ScratchCgroup {
  fs::path dir;
  explicit ScratchCgroup(const fs::path& parent) : dir(parent / fmt::format("nucleus-devtest-{}", ::getpid())) {
    REQUIRE(make_dirs(dir));
  }
  ~ScratchCgroup() { (void)remove_cgroup_tree(dir, std::chrono::milliseconds(2000)); }
};

// Whether open(path) succeeded, or its errno, from a child moved into dir first.
struct Opened {
  int null_errno;
  int zero_errno;
};

int try_open(const char* path, int flags) {
  int fd = ::open(path, flags | O_CLOEXEC);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

Opened open_from(const fs::path& dir) {
  int go[2];
  REQUIRE(::pipe2(go, O_CLOEXEC) == 0);
  pid_t pid = ::fork();
  if (pid == 0) {  // a plain child: no Catch2 here
    char c;
    if (::read(go[0], &c, 1) != 1) ::_exit(255);
    int null_err = try_open("/dev/null", O_RDWR);
    int zero_err = try_open("/dev/zero", O_RDONLY);
    ::_exit((null_err == 0 ? 0 : null_err == EPERM ? 1 : 2) | (zero_err == 0 ? 0 : zero_err == EPERM ? 4 : 8));
  }
  ::close(go[0]);
  auto moved = write_file(dir / "cgroup.procs", std::to_string(pid));
  if (moved) (void)!::write(go[1], "x", 1);
  ::close(go[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(moved);
  REQUIRE(WIFEXITED(status));
  int code = WEXITSTATUS(status);
  REQUIRE(code < 16);
  return {code & 1 ? EPERM : code & 2 ? -1 : 0, code & 4 ? EPERM : code & 8 ? -1 : 0};
}

DeviceEmulator only(const std::vector<DeviceRule>& rules) {
  auto e = DeviceEmulator::from_rules(rules);
  if (!e) FAIL(e.error().what());
  return *e;
}

std::size_t programs_on(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  auto progs = attached_device_programs(fd.get(), dir);
  if (!progs) FAIL(progs.error().what());
  return progs->size();
}

}  // namespace

TEST_CASE("real host: the BPF device program decides what a task of the cgroup opens", "[cgroups][root]") {
  auto parent = scratch_parent("");
  if (parent.empty()) return;
  ScratchCgroup cg(parent);
  REQUIRE(set_devices_bpf(cg.dir, only({deny_all(), allow('c', 1, 3, "rw")})));
  CHECK(programs_on(cg.dir) == 1);
  auto first = open_from(cg.dir);
  CHECK(first.null_errno == 0);
  CHECK(first.zero_errno == EPERM);

  // Set again: the one program is replaced, not added to.
  REQUIRE(set_devices_bpf(cg.dir, only({deny_all(), allow('c', 1, 5, "r")})));
  CHECK(programs_on(cg.dir) == 1);
  auto second = open_from(cg.dir);
  CHECK(second.null_errno == EPERM);
  CHECK(second.zero_errno == 0);

  // Two attached (another tool's and ours): attach, then detach both old ones.
  auto extra = device_filter_program(only({allow_all()}));
  REQUIRE(extra);
  auto extra_prog = load_device_program(*extra, device_filter_license);
  REQUIRE(extra_prog);
  UniqueFd dir_fd(::open(cg.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(attach_device_program(dir_fd.get(), cg.dir, extra_prog->get()));
  CHECK(programs_on(cg.dir) == 2);
  REQUIRE(set_devices_bpf(cg.dir, emulate({deny_all()})));  // the container defaults
  CHECK(programs_on(cg.dir) == 1);
  auto third = open_from(cg.dir);
  CHECK(third.null_errno == 0);
  CHECK(third.zero_errno == 0);
}

TEST_CASE("real host: v1 devices cgroup, new and then updated in place", "[cgroups][root]") {
  auto parent = scratch_parent("devices");
  if (parent.empty()) return;
  ScratchCgroup cg(parent);
  CHECK(get(cg.dir / "devices.list") == "a *:* rwm");  // a new cgroup under the root

  REQUIRE(set_container_devices(cg.dir, DevicesVia::v1, {{false, "", {}, {}, "rwm"}}));
  CHECK(get(cg.dir / "devices.list") == trim(runc_default_list));

  REQUIRE(set_devices_v1(cg.dir, only({deny_all(), allow('c', 1, 3, "rw")})));
  CHECK(get(cg.dir / "devices.list") == "c 1:3 rw");
  auto first = open_from(cg.dir);
  CHECK(first.null_errno == 0);
  CHECK(first.zero_errno == EPERM);

  REQUIRE(set_devices_v1(cg.dir, only({deny_all(), allow('c', 1, 5, "r")})));
  CHECK(get(cg.dir / "devices.list") == "c 1:5 r");
  auto second = open_from(cg.dir);
  CHECK(second.null_errno == EPERM);
  CHECK(second.zero_errno == 0);

  REQUIRE(set_devices_v1(cg.dir, only({allow_all()})));
  CHECK(get(cg.dir / "devices.list") == "a *:* rwm");
}
