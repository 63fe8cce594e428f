// Line diffs: one longest-common-subsequence alignment, shown whole or as unified hunks.
#pragma once

#include <string>
#include <vector>

namespace lwgw::util {

/// Every line of `a` and `b` aligned, each prefixed with ` ` (in both), `-` (only in `a`) or
/// `+` (only in `b`); a removal comes before the addition that replaces it.
std::vector<std::string> line_diff(const std::vector<std::string>& a,
                                   const std::vector<std::string>& b);

/// A unified diff (`--- label_a`, `+++ label_b`, hunks with 3 lines of context) from text `a`
/// to text `b`; empty when they are equal. A missing final newline is marked like diff(1).
std::string unified_diff(const std::string& a, const std::string& b, const std::string& label_a,
                         const std::string& label_b);

}  // namespace lwgw::util
