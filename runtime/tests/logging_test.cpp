#include <catch2/catch.hpp>

#include "logging.hpp"

using namespace nucleus::cli;
using nucleus::log::Level;

// 2026-11-28T14:58:21Z
constexpr std::time_t kWhen = 1795877901;

TEST_CASE("RFC 3339 UTC times with second precision") {
  CHECK(rfc3339_utc(0) == "1970-01-01T00:00:00Z");
  CHECK(rfc3339_utc(kWhen) == "2026-11-28T14:58:21Z");
}

TEST_CASE("JSON log records are logrus's: level, msg, time") {
  CHECK(format_log_record(LogFormat::json, Level::error, "container does not exist", kWhen) ==
        "{\"level\":\"error\",\"msg\":\"container does not exist\",\"time\":\"2026-11-28T14:58:21Z\"}\n");
  CHECK(format_log_record(LogFormat::json, Level::warning, "say \"hi\"\n", kWhen) ==
        "{\"level\":\"warning\",\"msg\":\"say \\\"hi\\\"\\n\",\"time\":\"2026-11-28T14:58:21Z\"}\n");
  CHECK(format_log_record(LogFormat::json, Level::debug, "x", kWhen).starts_with("{\"level\":\"debug\""));
}

TEST_CASE("text log records quote like logrus's text formatter") {
  CHECK(format_log_record(LogFormat::text, Level::error, "container does not exist", kWhen) ==
        "time=\"2026-11-28T14:58:21Z\" level=error msg=\"container does not exist\"\n");
  CHECK(format_log_record(LogFormat::text, Level::info, "plain-word_1.2/x@y", kWhen) ==
        "time=\"2026-11-28T14:58:21Z\" level=info msg=plain-word_1.2/x@y\n");
  CHECK(format_log_record(LogFormat::text, Level::warning, "a \"b\"", kWhen) ==
        "time=\"2026-11-28T14:58:21Z\" level=warning msg=\"a \\\"b\\\"\"\n");
}
