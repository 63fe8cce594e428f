// The shared helpers: trimming, case, trailing slashes, the line diff, libcurl header lines.
#include <doctest/doctest.h>

#include "lwgw/http_client.hpp"
#include "lwgw/util/diff.hpp"
#include "lwgw/util/text.hpp"

using namespace lwgw;

TEST_CASE("util: trim, trim_right, lower, trim_trailing_slashes") {
  CHECK(util::trim(" \t a b \r\n") == "a b");
  CHECK(util::trim(" \t\r\n").empty());
  CHECK(util::trim("").empty());
  CHECK(util::trim("xxaxx", "x") == "a");
  CHECK(util::trim_right("  a \t\r", " \t\r") == "  a");
  CHECK(util::trim_right("body\r\n\n", "\r\n") == "body");
  CHECK(util::trim_right("\n\n", "\r\n").empty());
  CHECK(util::lower("Content-TYPE: Ü") == "content-type: Ü");
  CHECK(util::trim_trailing_slashes("https://gw.example/v1//") == "https://gw.example/v1");
  CHECK(util::trim_trailing_slashes("https://gw.example") == "https://gw.example");
  CHECK(util::trim_trailing_slashes("/").empty());
}

TEST_CASE("util: line_diff shows every line, unified_diff hunks of the same alignment") {
  CHECK(util::line_diff({"a", "b", "c"}, {"a", "x", "c"}) ==
        std::vector<std::string>{" a", "-b", "+x", " c"});
  CHECK(util::line_diff({}, {"n"}) == std::vector<std::string>{"+n"});
  CHECK(util::line_diff({"o"}, {}) == std::vector<std::string>{"-o"});
  CHECK(util::unified_diff("a\nb\nc\n", "a\nx\nc\n", "a/f", "b/f") ==
        "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n");
  CHECK(util::unified_diff("same\n", "same\n", "a", "b").empty());
  CHECK(util::unified_diff("x\n", "", "a/f", "/dev/null") ==
        "--- a/f\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n");
}

TEST_CASE("util: case-insensitive equality and search without allocating") {
  CHECK(lwgw::util::iequals("Content-Type", "content-TYPE"));
  CHECK_FALSE(lwgw::util::iequals("Content-Type", "Content-Typ"));
  CHECK(lwgw::util::icontains("claude-cli/2.1.197 (external, CLI)", "claude"));
  CHECK(lwgw::util::icontains("Codex_Exec/0.171", "codex"));
  CHECK_FALSE(lwgw::util::icontains("curl/8", "claude"));
  CHECK_FALSE(lwgw::util::icontains("", "a"));
}

TEST_CASE("http: libcurl's header lines are classified once, for every caller") {
  using lwgw::http::HeaderLine;
  auto status = lwgw::http::parse_header_line("HTTP/1.1 402 Payment Required\r\n");
  CHECK(status.kind == HeaderLine::Kind::kStatus);
  CHECK(status.status == 402);
  CHECK(status.reason == "Payment Required");
  CHECK(status.text == "HTTP/1.1 402 Payment Required");
  auto field = lwgw::http::parse_header_line("X-Request-Id: \t req_1 \r\n");
  CHECK(field.kind == HeaderLine::Kind::kField);
  CHECK(field.name == "X-Request-Id");
  CHECK(field.value == "req_1 ");  // trailing whitespace is the value's own
  CHECK(lwgw::http::parse_header_line("\r\n").kind == HeaderLine::Kind::kEnd);
  CHECK(lwgw::http::parse_header_line("garbage").kind == HeaderLine::Kind::kOther);
  CHECK(lwgw::http::parse_header_line("HTTP/2 200\r\n").reason.empty());
}
