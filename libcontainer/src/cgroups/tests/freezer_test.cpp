// The freezer's state machine: the v1 retry loop against a scripted
// freezer.state, and the v1/v2 state files on temp dirs.
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "cgroups/freezer.hpp"
#include "fake_host.hpp"

using namespace nucleus;
using namespace nucleus::cgroups;
using namespace nucleus::cgroups::testing;
using namespace std::chrono_literals;

namespace {

// freezer.state as a v1 kernel answers: FREEZING after each FROZEN write
// until the `sticks`-th one, THAWED after THAWED. Records every write.
class ScriptedFreezer final : public FreezerStateFile {
 public:
  explicit ScriptedFreezer(unsigned sticks) : sticks_(sticks) {}
  Result<void> write(std::string_view state) override {
    writes.emplace_back(state);
    if (state == "FROZEN") state_ = ++frozen_writes_ > sticks_ ? "FROZEN" : "FREEZING";
    else state_ = std::string(state);
    return {};
  }
  Result<std::string> read() override { return answer_override.empty() ? state_ : answer_override; }
  std::string name() const override { return "/fake/freezer.state"; }

  long count(std::string_view state) const { return std::count(writes.begin(), writes.end(), state); }
  std::vector<std::string> writes;
  std::string answer_override;  // what read() says instead, when set

 private:
  unsigned sticks_;
  unsigned frozen_writes_ = 0;
  std::string state_ = "THAWED";
};

}  // namespace

TEST_CASE("v1 freeze: FROZEN at once takes one write", "[cgroups][freezer]") {
  ScriptedFreezer f(0);
  REQUIRE(freeze_v1(f));
  CHECK(f.writes == std::vector<std::string>{"FROZEN"});
}

TEST_CASE("v1 freeze: a sticking FREEZING is asked again, with a thaw every 50th attempt", "[cgroups][freezer]") {
  ScriptedFreezer f(120);  // FROZEN on the 121st FROZEN write
  auto start = std::chrono::steady_clock::now();
  REQUIRE(freeze_v1(f));
  CHECK(f.count("FROZEN") == 121);
  CHECK(f.count("THAWED") == 2);  // before attempts 50 and 100
  CHECK(f.writes[49] == "THAWED");
  CHECK(f.writes[50] == "FROZEN");
  CHECK(f.writes.back() == "FROZEN");
  CHECK(std::chrono::steady_clock::now() - start >= 20ms);  // 10 ms after each thaw
}

TEST_CASE("v1 freeze: stuck for good, it is thawed back and says so", "[cgroups][freezer]") {
  ScriptedFreezer f(freeze_v1_attempts + 1);
  auto r = freeze_v1(f);
  REQUIRE_FALSE(r);
  CHECK(r.error().err() == EBUSY);
  CHECK(r.error().message() == "unable to freeze \"/fake/freezer.state\": still FREEZING after 1000 attempts");
  CHECK(f.count("FROZEN") == 1000);
  CHECK(f.writes.back() == "THAWED");  // never left FREEZING
}

TEST_CASE("v1 freeze: a state other than FREEZING or FROZEN is an error, thawed back", "[cgroups][freezer]") {
  ScriptedFreezer f(0);
  f.answer_override = "THAWED";  // someone thaws it meanwhile
  auto r = freeze_v1(f);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().what(), Catch::Contains("unexpected state \"THAWED\" while freezing"));
  CHECK(f.writes.back() == "THAWED");
}

TEST_CASE("v1 freeze: a missing freezer.state names the file", "[cgroups][freezer]") {
  TempDir tmp;
  auto r = freeze_v1(tmp.path());
  REQUIRE_FALSE(r);
  CHECK(r.error().err() == ENOENT);
  CHECK_THAT(r.error().what(), Catch::Contains((tmp.path() / "freezer.state").native()));
}

TEST_CASE("v1 frozen: its own freezer.state, not an ancestor's", "[cgroups][freezer]") {
  TempDir tmp;
  const auto dir = tmp.path();
  CHECK(frozen_v1(dir / "gone") == false);
  put(dir / "freezer.state", "THAWED\n");
  put(dir / "freezer.self_freezing", "0\n");
  CHECK(frozen_v1(dir) == false);
  put(dir / "freezer.state", "FROZEN\n");  // through a frozen parent
  CHECK(frozen_v1(dir) == false);
  put(dir / "freezer.self_freezing", "1\n");
  CHECK(frozen_v1(dir) == true);
  put(dir / "freezer.state", "FREEZING\n");  // on the way
  CHECK(frozen_v1(dir) == true);
  fs::remove(dir / "freezer.self_freezing");  // old kernels: FROZEN is frozen
  put(dir / "freezer.state", "FROZEN\n");
  CHECK(frozen_v1(dir) == true);
}

TEST_CASE("v2 freeze: returns once cgroup.events says frozen 1", "[cgroups][freezer]") {
  TempDir tmp;
  const auto dir = tmp.path();
  put(dir / "cgroup.freeze", "0\n");
  put(dir / "cgroup.events", "populated 1\nfrozen 0\n");
  std::thread kernel([&] {
    std::this_thread::sleep_for(60ms);
    put(dir / "cgroup.events", "populated 1\nfrozen 1\n");
  });
  auto start = std::chrono::steady_clock::now();
  auto r = freeze_v2(dir, 5000ms);
  auto took = std::chrono::steady_clock::now() - start;
  kernel.join();
  REQUIRE(r);
  CHECK(get(dir / "cgroup.freeze") == "1");
  CHECK(took >= 60ms);
  CHECK(took < 2000ms);
}

TEST_CASE("v2 freeze: never confirmed, it is thawed back and reported", "[cgroups][freezer]") {
  TempDir tmp;
  put(tmp.path() / "cgroup.freeze", "0\n");
  put(tmp.path() / "cgroup.events", "populated 1\nfrozen 0\n");
  auto r = freeze_v2(tmp.path(), 30ms);
  REQUIRE_FALSE(r);
  CHECK(r.error().err() == EBUSY);
  CHECK_THAT(r.error().what(), Catch::Contains("not frozen after 30 ms"));
  CHECK(get(tmp.path() / "cgroup.freeze") == "0");
  fs::remove(tmp.path() / "cgroup.events");
  auto gone = freeze_v2(tmp.path(), 30ms);
  REQUIRE_FALSE(gone);
  CHECK(gone.error().err() == ENOENT);
  CHECK(get(tmp.path() / "cgroup.freeze") == "0");
}

TEST_CASE("v2 frozen: cgroup.freeze is 1", "[cgroups][freezer]") {
  TempDir tmp;
  CHECK(frozen_v2(tmp.path()) == false);
  put(tmp.path() / "cgroup.freeze", "1\n");
  CHECK(frozen_v2(tmp.path()) == true);
  REQUIRE(thaw_v2(tmp.path()));
  CHECK(get(tmp.path() / "cgroup.freeze") == "0");
  CHECK(frozen_v2(tmp.path()) == false);
}
