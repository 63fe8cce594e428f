// "Did you mean": the closest known word to a mistyped one (commands, CLI names, doctor groups).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lwgw::util {

/// Edit distance between `a` and `b`, case-insensitive: insertions, deletions, substitutions and
/// swaps of two neighbouring characters each cost 1 (optimal string alignment).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate `word` was most likely meant to be, or nullopt when none is close: the nearest
/// by edit_distance when it is at most 1 for words of up to 3 characters and at most 2 for longer
/// ones (ties: the earlier candidate), else the only candidate `word` (2+ characters) begins.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates);

/// "; did you mean 'x'?" for closest(word, candidates), or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace lwgw::util
