// Comment-preserving TOML edits by splicing text at positions toml++ reports.
#include "lwgw/toml_edit.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <cstdio>

namespace lwgw::toml_edit {

namespace {

toml::table parse(std::string_view text) {
  try {
    return toml::parse(text, std::string_view{});
  } catch (const toml::parse_error& e) {
    throw ParseError(std::string(e.description()), static_cast<int>(e.source().begin.line),
                     static_cast<int>(e.source().begin.column));
  }
}

// Byte offset of a 1-based (line, column) position; columns count code points.
size_t offset_of(std::string_view text, toml::source_position pos) {
  size_t off = 0;
  for (uint32_t line = 1; line < pos.line && off < text.size(); ++off)
    if (text[off] == '\n') ++line;
  for (uint32_t col = 1; col < pos.column && off < text.size(); ++col) {
    ++off;
    while (off < text.size() && (static_cast<unsigned char>(text[off]) & 0xC0) == 0x80) ++off;
  }
  return off;
}

size_t line_start(std::string_view text, size_t off) {
  while (off > 0 && text[off - 1] != '\n') --off;
  return off;
}

size_t line_end_incl_newline(std::string_view text, size_t off) {
  size_t nl = text.find('\n', off);
  return nl == std::string_view::npos ? text.size() : nl + 1;
}

bool blank_or_comment(std::string_view line) {
  size_t i = line.find_first_not_of(" \t\r\n");
  return i == std::string_view::npos || line[i] == '#';
}

const toml::table* find_table(const toml::table& root, const std::vector<std::string>& path) {
  const toml::table* t = &root;
  for (const auto& part : path) {
    const toml::node* n = t->get(part);
    if (!n || !n->is_table()) return nullptr;
    t = n->as_table();
  }
  return t;
}

// Byte offset of the `[` that starts the header defining `t` (a table or an element of an array
// of tables), when it was defined by one.
std::optional<size_t> any_header_offset(std::string_view text, const toml::table& t) {
  if (t.is_inline()) return std::nullopt;
  auto src = t.source();
  if (src.begin.line == 0) return std::nullopt;
  size_t off = offset_of(text, src.begin);
  if (off < text.size() && text[off] == '[') return off;
  return std::nullopt;
}

// The key path a `[a."b c".d]` header line names, read by toml++ from the line alone; nullopt
// for an array-of-tables header (`[[…]]`).
std::optional<std::vector<std::string>> header_path(std::string_view text, size_t off) {
  if (off + 1 < text.size() && text[off + 1] == '[') return std::nullopt;
  size_t end = text.find('\n', off);
  std::string_view line = text.substr(off, end == std::string_view::npos ? end : end - off);
  toml::table doc;
  try {
    doc = toml::parse(line, std::string_view{});
  } catch (const toml::parse_error&) {
    return std::nullopt;
  }
  std::vector<std::string> path;
  const toml::table* cur = &doc;
  while (cur->size() == 1 && cur->begin()->second.is_table()) {
    path.push_back(std::string(cur->begin()->first.str()));
    cur = cur->begin()->second.as_table();
  }
  if (!cur->empty()) return std::nullopt;
  return path;
}

// Byte offset where the header line of the table at `path` starts, when the table has a
// `[header]` of its own. A table only implied by a deeper header (`[a.b.c]` implies `a.b`)
// reports that header's position, so the header's own path must be `path`.
std::optional<size_t> header_offset(std::string_view text, const toml::table& t,
                                    const std::vector<std::string>& path) {
  auto off = any_header_offset(text, t);
  if (!off || header_path(text, *off) != path) return std::nullopt;
  return off;
}

// Every header line start in the document (tables and arrays of tables), sorted.
void collect_headers(std::string_view text, const toml::table& t, std::vector<size_t>& out) {
  if (auto h = any_header_offset(text, t)) out.push_back(*h);
  for (auto&& [k, v] : t) {
    if (auto* sub = v.as_table()) collect_headers(text, *sub, out);
    if (auto* arr = v.as_array())
      for (auto&& el : *arr)
        if (auto* st = el.as_table()) collect_headers(text, *st, out);
  }
}

// Offset just after the last entry of the section [begin, end), or `begin` when it has none.
size_t after_last_entry(std::string_view text, size_t begin, size_t end) {
  size_t insert = begin;
  for (size_t pos = begin; pos < end;) {
    size_t next = line_end_incl_newline(text, pos);
    if (next > end) next = end;
    if (!blank_or_comment(text.substr(pos, next - pos))) insert = next;
    pos = next;
  }
  return insert;
}

std::string format_path(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& p : path) s += (s.empty() ? "" : ".") + format_key(p);
  return s;
}

// Inserts `line` (no newline) at `off`, which is a line start or the end of the text. At the end
// of a text without a final newline the line goes after a newline and gets none itself, so the
// file keeps its style and remove() takes back exactly what was added.
std::string insert_line(std::string_view text, size_t off, const std::string& line) {
  std::string out(text.substr(0, off));
  if (off == text.size() && !text.empty() && text.back() != '\n') return out + "\n" + line;
  out += line + "\n";
  out += text.substr(off);
  return out;
}

}  // namespace

void validate(std::string_view text) {
  (void)parse(text);
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string format_key(std::string_view key) {
  bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  return bare ? std::string(key) : quote(key);
}

std::string set(std::string_view text, const std::vector<std::string>& table,
                const std::string& key, const std::string& literal) {
  const toml::table root = parse(text);
  const std::string entry = format_key(key) + " = " + literal;
  std::string out;
  const toml::table* t = find_table(root, table);
  if (t && t->contains(key)) {
    const toml::node* v = t->get(key);
    if (v->is_table() && !v->as_table()->is_inline())
      throw std::runtime_error("'" + key + "' is a table, not a value");
    size_t b = offset_of(text, v->source().begin);
    size_t e = offset_of(text, v->source().end);
    out = std::string(text.substr(0, b)) + literal + std::string(text.substr(e));
  } else if (t && t->is_inline()) {
    throw std::runtime_error("[" + format_path(table) + "] is an inline table; edit it by hand");
  } else {
    std::vector<size_t> headers;
    collect_headers(text, root, headers);
    std::sort(headers.begin(), headers.end());
    auto section_end = [&](size_t begin) {
      auto it = std::upper_bound(headers.begin(), headers.end(), begin);
      return it == headers.end() ? text.size() : *it;
    };
    if (table.empty()) {
      size_t end = headers.empty() ? text.size() : headers.front();
      out = insert_line(text, after_last_entry(text, 0, end), entry);
    } else if (auto h = t ? header_offset(text, *t, table) : std::nullopt) {
      size_t body = line_end_incl_newline(text, *h);
      out = insert_line(text, after_last_entry(text, body, section_end(*h)), entry);
    } else {
      // A new table after a blank line; without a final newline in the text, none at the end.
      out = std::string(text);
      const bool final_newline = out.empty() || out.back() == '\n';
      if (!final_newline) out += '\n';
      if (!out.empty()) out += '\n';
      out += "[" + format_path(table) + "]\n" + entry + (final_newline ? "\n" : "");
    }
  }
  // Never hand back a document that does not parse: the edit must be provably safe.
  try {
    (void)parse(out);
  } catch (const ParseError& e) {
    throw std::runtime_error("could not set " + key + " safely (" + e.what() + ")");
  }
  return out;
}

std::string remove(std::string_view text, const std::vector<std::string>& table,
                   const std::string& key) {
  const toml::table root = parse(text);
  const toml::table* t = find_table(root, table);
  if (!t || !t->contains(key)) return std::string(text);
  if (t->is_inline())
    throw std::runtime_error("[" + format_path(table) + "] is an inline table; edit it by hand");
  for (auto&& [k, v] : *t) {
    if (k.str() != key) continue;
    if (v.is_table() && !v.as_table()->is_inline())
      throw std::runtime_error("'" + key + "' is a table, not a value");
    size_t kb = offset_of(text, k.source().begin);
    size_t ve = offset_of(text, v.source().end);
    size_t b = line_start(text, kb);
    size_t e = line_end_incl_newline(text, ve);
    std::string_view before = text.substr(b, kb - b);
    std::string_view after = text.substr(ve, e - ve);
    bool alone =
        before.find_first_not_of(" \t") == std::string_view::npos && blank_or_comment(after);
    if (!alone) throw std::runtime_error("'" + key + "' shares its line with other entries");
    // The last line of a text without a final newline takes the newline before it along (the
    // mirror of insert_line), so the text before it keeps its own ending.
    if (e == text.size() && text.back() != '\n' && b > 0) --b;
    std::string out = std::string(text.substr(0, b)) + std::string(text.substr(e));
    (void)parse(out);
    return out;
  }
  return std::string(text);
}

bool implied_only(std::string_view text, const std::vector<std::string>& table) {
  const toml::table root = parse(text);
  const toml::table* t = find_table(root, table);
  if (!t || table.empty()) return false;
  auto off = any_header_offset(text, *t);
  return off && header_path(text, *off) != table;
}

std::optional<std::string> raw_value(std::string_view text, const std::vector<std::string>& table,
                                     const std::string& key) {
  const toml::table root = parse(text);
  const toml::table* t = find_table(root, table);
  if (!t || !t->contains(key)) return std::nullopt;
  const toml::node* v = t->get(key);
  size_t b = offset_of(text, v->source().begin);
  size_t e = offset_of(text, v->source().end);
  return std::string(text.substr(b, e - b));
}

}  // namespace lwgw::toml_edit
