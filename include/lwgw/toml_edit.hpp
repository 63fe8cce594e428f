// Comment-preserving TOML edits: toml++ locates, text is spliced (toml++ 3.3 cannot write
// a document back without dropping comments and reordering keys).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lwgw::toml_edit {

/// A malformed document: 1-based line and column of the problem.
struct ParseError : std::runtime_error {
  ParseError(const std::string& what, int l, int c)
      : std::runtime_error(what), line(l), column(c) {}
  int line;
  int column;
};

/// Throws ParseError when `text` is not valid TOML.
void validate(std::string_view text);

/// A TOML basic string literal for `s` ("…" with escapes).
std::string quote(std::string_view s);

/// `key` as written in TOML: bare when possible, else quoted.
std::string format_key(std::string_view key);

/// Returns `text` with `key` in table `table` (empty = root) set to the TOML literal `literal`.
/// An existing value is replaced in place (comments around it stay); a new key goes after the
/// last entry of its table's section (root keys: before the first table); a missing table is
/// appended. Throws ParseError on malformed input, std::runtime_error when the edit is unsafe
/// (the table is inline, or the key names a table).
std::string set(std::string_view text, const std::vector<std::string>& table,
                const std::string& key, const std::string& literal);

/// Returns `text` without the line(s) holding `key` in `table`; unchanged when the key is absent.
/// Throws like set() when the key shares its line with other entries.
std::string remove(std::string_view text, const std::vector<std::string>& table,
                   const std::string& key);

/// Whether the table at `table` exists only because a deeper header names it (`[a.b.c]` implies
/// `[a.b]`): it has no header or entries of its own.
bool implied_only(std::string_view text, const std::vector<std::string>& table);

/// The raw text of the value of `key` in `table`, when present (e.g. `"responses"` with quotes).
std::optional<std::string> raw_value(std::string_view text, const std::vector<std::string>& table,
                                     const std::string& key);

}  // namespace lwgw::toml_edit
