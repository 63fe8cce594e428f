// Line diffs: an LCS alignment over the changed middle, rendered whole or as unified hunks.
#include "lwgw/util/diff.hpp"

#include <algorithm>

namespace lwgw::util {

namespace {

enum class Op { kSame, kRemoved, kAdded };

struct Step {
  Op op;
  size_t index;  // into a (same, removed) or b (added)
};

using Lines = std::vector<std::string>;

// The alignment of a[a0, a0+n) with b[b0, b0+m) by a longest common subsequence; on a tie the
// removal goes first.
void align(const Lines& a, size_t a0, size_t n, const Lines& b, size_t b0, size_t m,
           std::vector<Step>& out) {
  std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      lcs[i][j] =
          a[a0 + i] == b[b0 + j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[a0 + i] == b[b0 + j]) {
      out.push_back({Op::kSame, a0 + i});
      ++i;
      ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push_back({Op::kRemoved, a0 + i++});
    } else {
      out.push_back({Op::kAdded, b0 + j++});
    }
  }
}

// The lines of `s`; an unterminated last line carries diff(1)'s "No newline" marker.
Lines split_lines(const std::string& s) {
  Lines v;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) {
      v.push_back(s.substr(pos) + "\n\\ No newline at end of file");
      break;
    }
    v.push_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return v;
}

// The steps from a to b: common prefix and suffix kept as they are, the (small) middle aligned,
// or all of it removed and added when the middle is too large for the LCS table.
std::vector<Step> steps(const Lines& a, const Lines& b) {
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre &&
         a[a.size() - 1 - suf] == b[b.size() - 1 - suf])
    ++suf;
  const size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  std::vector<Step> out;
  for (size_t i = 0; i < pre; ++i) out.push_back({Op::kSame, i});
  if (n * m <= 4000000) {
    align(a, pre, n, b, pre, m, out);
  } else {
    for (size_t i = 0; i < n; ++i) out.push_back({Op::kRemoved, pre + i});
    for (size_t j = 0; j < m; ++j) out.push_back({Op::kAdded, pre + j});
  }
  for (size_t i = 0; i < suf; ++i) out.push_back({Op::kSame, a.size() - suf + i});
  return out;
}

std::string render(const Step& s, const Lines& a, const Lines& b) {
  switch (s.op) {
    case Op::kSame:
      return " " + a[s.index];
    case Op::kRemoved:
      return "-" + a[s.index];
    case Op::kAdded:
      return "+" + b[s.index];
  }
  return "";
}

constexpr size_t kContext = 3;

// One hunk starting at the change `k`: it runs while changes are at most 2*kContext equal lines
// apart. Appends it to `out` and returns the index after it.
size_t hunk(const std::vector<Step>& ops, size_t k, const Lines& a, const Lines& b,
            std::string& out) {
  const size_t start = k >= kContext ? k - kContext : 0;
  size_t last_change = k;
  for (size_t j = k + 1; j < ops.size(); ++j) {
    if (ops[j].op == Op::kSame) continue;
    if (j - last_change - 1 > 2 * kContext) break;
    last_change = j;
  }
  const size_t end = std::min(ops.size(), last_change + kContext + 1);
  size_t a_line = 0, b_line = 0;  // lines of a and b before `start`
  for (size_t q = 0; q < start; ++q) {
    if (ops[q].op != Op::kAdded) ++a_line;
    if (ops[q].op != Op::kRemoved) ++b_line;
  }
  size_t a_cnt = 0, b_cnt = 0;
  std::string body;
  for (size_t q = start; q < end; ++q) {
    if (ops[q].op != Op::kAdded) ++a_cnt;
    if (ops[q].op != Op::kRemoved) ++b_cnt;
    body += render(ops[q], a, b) + "\n";
  }
  auto range = [](size_t line, size_t cnt) {
    size_t first = cnt == 0 ? line : line + 1;
    return std::to_string(first) + (cnt == 1 ? "" : "," + std::to_string(cnt));
  };
  out += "@@ -" + range(a_line, a_cnt) + " +" + range(b_line, b_cnt) + " @@\n" + body;
  return end;
}

}  // namespace

std::vector<std::string> line_diff(const Lines& a, const Lines& b) {
  std::vector<Step> ops;
  align(a, 0, a.size(), b, 0, b.size(), ops);
  std::vector<std::string> out;
  out.reserve(ops.size());
  for (const auto& s : ops) out.push_back(render(s, a, b));
  return out;
}

std::string unified_diff(const std::string& a, const std::string& b, const std::string& label_a,
                         const std::string& label_b) {
  if (a == b) return "";
  const Lines la = split_lines(a), lb = split_lines(b);
  const std::vector<Step> ops = steps(la, lb);
  std::string out = "--- " + label_a + "\n+++ " + label_b + "\n";
  size_t k = 0;
  while (k < ops.size()) {
    while (k < ops.size() && ops[k].op == Op::kSame) ++k;
    if (k == ops.size()) break;
    k = hunk(ops, k, la, lb, out);
  }
  return out;
}

}  // namespace lwgw::util
