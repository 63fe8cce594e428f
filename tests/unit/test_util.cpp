// The shared helpers: trimming, lower case, trailing slashes, the two renderings of a line diff.
#include <doctest/doctest.h>

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
