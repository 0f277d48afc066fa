// Every test document shipped with the runtime-spec schemas: the good ones
// parse (and round-trip), the bad ones are rejected with an error that names
// the offending property. The directory comes from $OCI_SCHEMA_TEST_DIR; a
// missing directory fails the test rather than skipping it.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "oci/parse.hpp"

namespace fs = std::filesystem;

namespace {

fs::path schema_test_dir() {
  const char* dir = std::getenv("OCI_SCHEMA_TEST_DIR");
  REQUIRE(dir != nullptr);
  INFO("OCI_SCHEMA_TEST_DIR=" << dir);
  REQUIRE(fs::is_directory(dir));
  return dir;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> docs(const std::string& kind, const std::string& verdict) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(schema_test_dir() / kind / verdict))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  REQUIRE_FALSE(out.empty());
  return out;
}

// Parse with the document kind's parser and check that what we write parses
// back to the same struct. The error text when rejected, "" when accepted.
std::string parse_doc(const std::string& kind, const std::string& text) {
  auto round_trip = [](auto parsed, auto parse) -> std::string {
    if (!parsed) return parsed.error().what();
    auto again = parse(oci::to_json(*parsed));
    REQUIRE(again.has_value());
    CHECK(*again == *parsed);
    return "";
  };
  if (kind == "config") return round_trip(oci::parse_config(text), [](auto t) { return oci::parse_config(t); });
  if (kind == "state") return round_trip(oci::parse_state(text), [](auto t) { return oci::parse_state(t); });
  REQUIRE(kind == "features");
  return round_trip(oci::parse_features(text), [](auto t) { return oci::parse_features(t); });
}

// Rejected by the parser or, for configs, by validate().
std::string reject_reason(const std::string& kind, const std::string& text) {
  std::string error = parse_doc(kind, text);
  if (!error.empty() || kind != "config") return error;
  auto ok = oci::validate(oci::parse_config(text).value());
  return ok ? "" : ok.error().what();
}

}  // namespace

TEST_CASE("schema test documents: good ones parse and round-trip") {
  for (std::string kind : {"config", "state", "features"}) {
    for (const auto& path : docs(kind, "good")) {
      INFO(path);
      CHECK(parse_doc(kind, slurp(path)) == "");
    }
  }
}

TEST_CASE("schema test documents: the Linux ones also pass validate()") {
  // Schema-valid is not always runnable: moving a network device needs a
  // network namespace, which that example leaves out.
  const std::map<std::string, std::string> verdicts = {
      {"minimal.json", ""},
      {"minimal-for-start.json", ""},
      {"spec-example.json", ""},
      {"linux-rdma.json", ""},
      {"linux-netdevice.json", "linux.netDevices: requires a network namespace"},
  };
  for (const auto& [name, verdict] : verdicts) {
    INFO(name);
    auto c = oci::parse_config(slurp(schema_test_dir() / "config/good" / name));
    REQUIRE(c.has_value());
    auto ok = oci::validate(*c);
    CHECK((ok ? std::string() : ok.error().what()) == verdict);
  }
}

TEST_CASE("schema test documents: bad ones are rejected, naming the property") {
  // What each bad document is about: the error must name that path (or, for
  // broken JSON, say so).
  const std::map<std::string, std::string> expected = {
      {"config/bad/freebsd-vnet-disable.json", "freebsd.jail.vnet: "},
      {"config/bad/invalid-json.json", "invalid JSON"},
      {"config/bad/linux-hugepage.json", "linux.resources.hugepageLimits[0].pageSize: "},
      {"config/bad/linux-netdevice.json", "linux.netDevices.eth0.name: expected a string, got 23"},
      {"config/bad/linux-rdma.json", "linux.resources.rdma.mlx5_1.hcaHandles: expected an integer"},
      {"features/bad/missing-ociVersionMax.json", "ociVersionMax: required property missing"},
      {"state/bad/invalid-json.json", "invalid JSON"},
  };
  std::size_t seen = 0;
  for (std::string kind : {"config", "state", "features"}) {
    for (const auto& path : docs(kind, "bad")) {
      INFO(path);
      std::string error = reject_reason(kind, slurp(path));
      CHECK_FALSE(error.empty());
      std::string key = kind + "/bad/" + path.filename().string();
      auto it = expected.find(key);
      if (it == expected.end()) {
        // A document added upstream: it must still fail with a located error.
        CHECK_THAT(error, Catch::Contains(": "));
        continue;
      }
      ++seen;
      CHECK_THAT(error, Catch::Contains(it->second));
    }
  }
  CHECK(seen == expected.size());
}
