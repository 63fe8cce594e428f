// "Did you mean": edit distance and the closest candidate.
#include "lwgw/util/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace lwgw::util {

namespace {
char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}
}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  // d[i][j]: distance between the first i characters of a and the first j of b.
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  if (word.empty()) return std::nullopt;
  const std::size_t limit = word.size() <= 3 ? 1 : 2;
  const std::string* best = nullptr;
  std::size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    const std::size_t dist = edit_distance(word, c);
    // A candidate that shares nothing with the word is no suggestion, however short both are.
    if (dist < best_distance && dist < c.size()) {
      best = &c;
      best_distance = dist;
    }
  }
  if (best) return *best;
  if (word.size() < 2) return std::nullopt;
  auto begins = [&](const std::string& c) {
    return c.size() > word.size() &&
           std::equal(word.begin(), word.end(), c.begin(),
                      [](char x, char y) { return lower(x) == lower(y); });
  };
  if (std::count_if(candidates.begin(), candidates.end(), begins) != 1) return std::nullopt;
  return *std::find_if(candidates.begin(), candidates.end(), begins);
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const auto c = closest(word, candidates);
  return c ? "; did you mean '" + *c + "'?" : std::string();
}

}  // namespace lwgw::util
