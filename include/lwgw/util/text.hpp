// Small text helpers shared across lwgw: trimming, ASCII case, trailing slashes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lwgw::util {

/// Space, tab, CR and LF.
inline constexpr std::string_view kWhitespace = " \t\r\n";

/// Returns `s` without leading and trailing characters from `chars`.
std::string trim(std::string_view s, std::string_view chars = kWhitespace);
/// Returns `s` without trailing characters from `chars`.
std::string trim_right(std::string_view s, std::string_view chars = kWhitespace);
/// Returns `s` in ASCII lower case (other bytes unchanged).
std::string lower(std::string s);
/// `c` in ASCII lower case.
constexpr char lower_char(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
/// True when `a` equals `b` ignoring ASCII case (header names, tokens).
bool iequals(std::string_view a, std::string_view b);
/// True when `hay` contains `lower_needle` (given in lower case) ignoring ASCII case; allocates
/// nothing.
bool icontains(std::string_view hay, std::string_view lower_needle);
/// Returns `s` without its trailing slashes (`https://gw/` → `https://gw`, `/` → ``).
std::string trim_trailing_slashes(std::string s);

/// The words of `v` with `sep` between them.
std::string join(const std::vector<std::string>& v, std::string_view sep = ", ");

}  // namespace lwgw::util
