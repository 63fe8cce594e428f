// Pure edits of the files setup touches: JSON merges, TOML splices, marked blocks, YAML checks.
#include <toml++/toml.h>
#include <algorithm>
#include <functional>
#include <sstream>

#include "lwgw/setup/edits.hpp"
#include "lwgw/toml_edit.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::setup {

using ojson = nlohmann::ordered_json;

ojson edit_to_json(const Edit& e) {
  ojson j;
  j["cli"] = e.cli;
  j["path"] = e.path;
  if (e.value)
    j["value"] = *e.value;
  else
    j["delete"] = true;
  if (e.known) {
    if (e.previous)
      j["previous"] = *e.previous;
    else
      j["previous_absent"] = true;
  }
  j["parents_existed"] = e.parents_existed;
  if (e.previous_after) j["previous_after"] = *e.previous_after;
  return j;
}

Edit edit_from_json(const ojson& j) {
  Edit e;
  e.cli = j.value("cli", "");
  e.path = j.value("path", std::vector<std::string>{});
  if (j.contains("value")) e.value = j["value"];
  if (j.contains("previous")) {
    e.previous = j["previous"];
    e.known = true;
  } else if (j.value("previous_absent", false)) {
    e.known = true;
  }
  e.parents_existed = j.value("parents_existed", 0);
  if (j.contains("previous_after")) e.previous_after = j["previous_after"];
  return e;
}

// JSON ----------------------------------------------------------------------------------------

namespace {

std::pair<int, int> line_col(const std::string& text, size_t off) {
  int line = 1, col = 1;
  for (size_t i = 0; i < off && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return {line, col};
}

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

ojson* json_parent(ojson& doc, const std::vector<std::string>& path, bool create) {
  ojson* cur = &doc;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(path[i]);
    if (it == cur->end()) {
      if (!create) return nullptr;
      (*cur)[path[i]] = ojson::object();
      it = cur->find(path[i]);
    }
    if (!it->is_object()) {
      std::string where;
      for (size_t k = 0; k <= i; ++k) where += (k ? "." : "") + path[k];
      throw Malformed("`" + where + "` is not an object; lwgw needs to add keys inside it", 0);
    }
    cur = &*it;
  }
  return cur;
}

int existing_depth(const ojson& doc, const std::vector<std::string>& path) {
  const ojson* cur = &doc;
  int depth = 0;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    auto it = cur->find(path[i]);
    if (it == cur->end() || !it->is_object()) break;
    cur = &*it;
    ++depth;
  }
  return depth;
}

void json_set(ojson& doc, const std::vector<std::string>& path, const ojson& v) {
  ojson* parent = json_parent(doc, path, true);
  (*parent)[path.back()] = v;
}

// The key before `path`'s last key in its object: null when it is the first, nullopt when the
// key is not there.
std::optional<ojson> json_key_before(const ojson& doc, const std::vector<std::string>& path) {
  const ojson* cur = &doc;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (!cur->is_object()) return std::nullopt;
    auto it = cur->find(path[i]);
    if (it == cur->end()) return std::nullopt;
    cur = &*it;
  }
  if (!cur->is_object()) return std::nullopt;
  ojson before;  // null
  for (auto it = cur->begin(); it != cur->end(); ++it) {
    if (it.key() == path.back()) return before;
    before = it.key();
  }
  return std::nullopt;
}

// Sets a key that is not in its object right after the key `after` (null: first); when `after`
// is gone, last.
void json_insert_after(ojson& doc, const std::vector<std::string>& path, const ojson& v,
                       const ojson& after) {
  ojson* parent = json_parent(doc, path, true);
  const bool anchored =
      parent && parent->is_object() &&
      (after.is_null() || (after.is_string() && parent->contains(after.get<std::string>())));
  if (!anchored || parent->contains(path.back())) {
    json_set(doc, path, v);
    return;
  }
  ojson rebuilt = ojson::object();
  if (after.is_null()) rebuilt[path.back()] = v;
  for (auto it = parent->begin(); it != parent->end(); ++it) {
    rebuilt[it.key()] = std::move(it.value());
    if (after.is_string() && it.key() == after.get<std::string>()) rebuilt[path.back()] = v;
  }
  *parent = std::move(rebuilt);
}

void json_erase(ojson& doc, const std::vector<std::string>& path) {
  ojson* parent = json_parent(doc, path, false);
  if (parent) parent->erase(path.back());
}

bool same(const ojson& a, const ojson& b) {
  return a == b;
}

std::string dump(const ojson& doc, int indent) {
  return doc.dump(indent, ' ', false) + "\n";
}

}  // namespace

std::optional<std::pair<int, int>> find_json_comment(const std::string& text) {
  bool in_str = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_str) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_str = false;
      continue;
    }
    if (c == '"') in_str = true;
    if (c == '/' && i + 1 < text.size() && (text[i + 1] == '/' || text[i + 1] == '*'))
      return line_col(text, i);
  }
  return std::nullopt;
}

std::optional<Malformed> parse_json(const std::string& text, ojson& out) {
  if (blank(text)) {
    out = ojson::object();
    return std::nullopt;
  }
  try {
    out = ojson::parse(text);
  } catch (const ojson::parse_error& e) {
    size_t off = e.byte > 0 ? e.byte - 1 : 0;
    auto [line, col] = line_col(text, off);
    std::string what = e.what();
    auto p = what.find(": ", what.find("column"));
    std::string detail = p == std::string::npos ? what : what.substr(p + 2);
    auto lr = detail.find("; last read");
    if (lr != std::string::npos) detail = detail.substr(0, lr);
    return Malformed("not valid JSON (" + detail + ")", line, col);
  } catch (const ojson::exception& e) {  // out_of_range: a number too large for a double
    std::string what = e.what();
    auto p = what.find("] ");
    return Malformed(
        "not valid JSON (" + (p == std::string::npos ? what : what.substr(p + 2)) + ")", 0);
  }
  if (!out.is_object()) return Malformed("the top level is not a JSON object", 1, 1);
  return std::nullopt;
}

int json_indent(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t n = line.find_first_not_of(' ');
    if (n != std::string::npos && n > 0 && line[n] == '"') return static_cast<int>(n);
  }
  return 2;
}

std::optional<ojson> json_get(const ojson& doc, const std::vector<std::string>& path) {
  const ojson* cur = &doc;
  for (const auto& p : path) {
    if (!cur->is_object()) return std::nullopt;
    auto it = cur->find(p);
    if (it == cur->end()) return std::nullopt;
    cur = &*it;
  }
  return *cur;
}

std::string json_apply(const std::string& text, std::vector<Edit>& edits) {
  ojson doc;
  if (auto err = parse_json(text, doc)) throw *err;
  bool changed = false;
  for (auto& e : edits) {
    auto cur = json_get(doc, e.path);
    if (!e.known) {
      e.known = true;
      if (cur) e.previous = *cur;
      e.parents_existed = existing_depth(doc, e.path);
      if (cur && !e.value) e.previous_after = json_key_before(doc, e.path);
    }
    if (e.value) {
      if (!cur || !same(*cur, *e.value)) {
        json_set(doc, e.path, *e.value);
        changed = true;
      }
    } else if (cur) {
      json_erase(doc, e.path);
      changed = true;
    }
  }
  return changed ? dump(doc, json_indent(text)) : text;
}

std::string json_revert(const std::string& text, const std::vector<Edit>& edits) {
  ojson doc;
  if (auto err = parse_json(text, doc)) throw *err;
  bool changed = false;
  for (auto it = edits.rbegin(); it != edits.rend(); ++it) {
    const Edit& e = *it;
    auto cur = json_get(doc, e.path);
    bool ours = e.value ? (cur && same(*cur, *e.value)) : !cur;
    if (!ours) continue;  // the user changed it since: theirs now
    if (e.previous) {
      if (!cur || !same(*cur, *e.previous)) {
        if (!cur && e.previous_after)
          json_insert_after(doc, e.path, *e.previous, *e.previous_after);
        else
          json_set(doc, e.path, *e.previous);
        changed = true;
      }
    } else if (cur) {
      json_erase(doc, e.path);
      changed = true;
    }
    // Objects lwgw created on the way, now empty, go too (deepest first).
    for (size_t depth = e.path.size() - 1; depth > static_cast<size_t>(e.parents_existed);
         --depth) {
      std::vector<std::string> sub(e.path.begin(), e.path.begin() + static_cast<long>(depth));
      auto v = json_get(doc, sub);
      if (v && v->is_object() && v->empty()) {
        json_erase(doc, sub);
        changed = true;
      } else {
        break;
      }
    }
  }
  return changed ? dump(doc, json_indent(text)) : text;
}

// TOML ----------------------------------------------------------------------------------------

namespace {

std::vector<std::string> table_of(const std::vector<std::string>& path) {
  return {path.begin(), path.end() - 1};
}

int toml_existing_depth(const std::string& text, const std::vector<std::string>& table) {
  toml::table root = toml::parse(text, std::string_view{});
  const toml::table* t = &root;
  int depth = 0;
  std::vector<std::string> prefix;
  for (const auto& part : table) {
    const toml::node* n = t->get(part);
    prefix.push_back(part);
    // The edited table itself, when only implied by a deeper header, gets a header from lwgw,
    // which teardown takes; tables above it never get one.
    if (!n || !n->is_table() ||
        (prefix.size() == table.size() && toml_edit::implied_only(text, prefix)))
      break;
    t = n->as_table();
    ++depth;
  }
  return depth;
}

std::string toml_guard(const std::function<std::string()>& f) {
  try {
    return f();
  } catch (const toml_edit::ParseError& e) {
    throw Malformed(std::string("not valid TOML (") + e.what() + ")", e.line, e.column);
  } catch (const Malformed&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw Malformed(std::string("cannot edit safely: ") + e.what() + "; edit it by hand", 0);
  }
}

// Removes a `[a.b]` header whose section holds nothing but blank lines, with one blank line
// before it (the separator toml_edit::set adds when it appends a table).
std::string remove_empty_table(const std::string& text, const std::vector<std::string>& table) {
  std::string header = "[";
  for (size_t i = 0; i < table.size(); ++i)
    header += (i ? "." : "") + toml_edit::format_key(table[i]);
  header += "]";
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  bool final_nl = !text.empty() && text.back() == '\n';
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string t = util::trim_right(lines[i], " \t\r");
    t.erase(0, t.find_first_not_of(" \t"));
    if (t != header) continue;
    size_t j = i + 1;
    while (j < lines.size() && blank(lines[j])) ++j;
    if (j < lines.size() && lines[j].find_first_not_of(" \t") != std::string::npos &&
        lines[j][lines[j].find_first_not_of(" \t")] != '[')
      return text;  // the table still has entries
    size_t from = (i > 0 && blank(lines[i - 1])) ? i - 1 : i;
    lines.erase(lines.begin() + static_cast<long>(from), lines.begin() + static_cast<long>(i) + 1);
    std::string out;
    for (size_t k = 0; k < lines.size(); ++k)
      out += lines[k] + (k + 1 < lines.size() || final_nl ? "\n" : "");
    return out;
  }
  return text;
}

}  // namespace

std::vector<std::string> codex_chat_providers(const std::string& text) {
  std::vector<std::string> out;
  toml::table root;
  try {
    root = toml::parse(text, std::string_view{});
  } catch (const toml::parse_error&) {
    return out;
  }
  if (auto* providers = root["model_providers"].as_table())
    for (auto&& [id, v] : *providers)
      if (auto* p = v.as_table())
        if (auto w = (*p)["wire_api"].value<std::string>(); w && *w == "chat")
          out.emplace_back(id.str());
  return out;
}

std::string toml_apply(const std::string& text, std::vector<Edit>& edits) {
  return toml_guard([&] {
    std::string out = text;
    for (auto& e : edits) {
      const auto table = table_of(e.path);
      auto cur = toml_edit::raw_value(out, table, e.path.back());
      if (!e.known) {
        e.known = true;
        if (cur) e.previous = *cur;
        e.parents_existed = toml_existing_depth(out, table);
      }
      if (e.value) {
        std::string lit = e.value->get<std::string>();
        if (!cur || *cur != lit) out = toml_edit::set(out, table, e.path.back(), lit);
      } else if (cur) {
        out = toml_edit::remove(out, table, e.path.back());
      }
    }
    return out;
  });
}

std::string toml_revert(const std::string& text, const std::vector<Edit>& edits) {
  return toml_guard([&] {
    std::string out = text;
    std::vector<std::vector<std::string>> created;
    for (auto it = edits.rbegin(); it != edits.rend(); ++it) {
      const Edit& e = *it;
      const auto table = table_of(e.path);
      auto cur = toml_edit::raw_value(out, table, e.path.back());
      bool ours = e.value ? (cur && *cur == e.value->get<std::string>()) : !cur;
      if (!ours) continue;
      if (e.previous) {
        std::string prev = e.previous->get<std::string>();
        if (!cur || *cur != prev) out = toml_edit::set(out, table, e.path.back(), prev);
      } else if (cur) {
        out = toml_edit::remove(out, table, e.path.back());
      }
      if (static_cast<size_t>(e.parents_existed) < table.size() &&
          std::find(created.begin(), created.end(), table) == created.end())
        created.push_back(table);
    }
    for (const auto& table : created) {
      toml::table root = toml::parse(out, std::string_view{});
      const toml::table* t = &root;
      for (const auto& part : table) {
        const toml::node* sub = t ? t->get(part) : nullptr;
        t = sub ? sub->as_table() : nullptr;
      }
      // Its own section must be empty (remove_empty_table checks); tables below it may remain.
      if (t) out = remove_empty_table(out, table);
    }
    toml_edit::validate(out);
    return out;
  });
}

// Marked blocks -------------------------------------------------------------------------------

namespace {

struct Lines {
  std::vector<std::string> lines;  // without the newline
  bool final_newline = false;
};

Lines split(const std::string& text) {
  Lines l;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) {
      l.lines.push_back(text.substr(pos));
      break;
    }
    l.lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  l.final_newline = !text.empty() && text.back() == '\n';
  return l;
}

std::string rtrim(const std::string& s) {
  return util::trim_right(s, " \t\r");
}

// Line indexes of the begin and end markers; nullopt when there is no block.
std::optional<std::pair<size_t, size_t>> find_block(const Lines& l) {
  std::optional<size_t> b, e;
  for (size_t i = 0; i < l.lines.size(); ++i) {
    std::string t = rtrim(l.lines[i]);
    if (t == kBlockBegin) {
      if (b)
        throw Malformed(
            "a second `" + std::string(kBlockBegin) + "` line; keep one block and remove the other",
            static_cast<int>(i + 1));
      b = i;
    } else if (t == kBlockEnd) {
      if (!b || e)
        throw Malformed("`" + std::string(kBlockEnd) + "` without its `" + kBlockBegin +
                            "` line above; fix the block by hand",
                        static_cast<int>(i + 1));
      e = i;
    }
  }
  if (b && !e)
    throw Malformed("`" + std::string(kBlockBegin) + "` without its `" + kBlockEnd +
                        "` line; fix the block by hand",
                    static_cast<int>(*b + 1));
  if (!b) return std::nullopt;
  return std::make_pair(*b, *e);
}

std::string join(const std::vector<std::string>& lines, bool final_newline) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    if (i + 1 < lines.size() || final_newline) out += '\n';
  }
  return out;
}

}  // namespace

std::string block_set(const std::string& text, const std::string& body, bool* added_newline) {
  if (added_newline) *added_newline = false;
  std::string block = std::string(kBlockBegin) + "\n" + body;
  if (!block.empty() && block.back() != '\n') block += '\n';
  block += std::string(kBlockEnd) + "\n";
  Lines l = split(text);
  if (auto pos = find_block(l)) {
    std::string before =
        join({l.lines.begin(), l.lines.begin() + static_cast<long>(pos->first)}, true);
    if (pos->first == 0) before.clear();
    std::vector<std::string> rest(l.lines.begin() + static_cast<long>(pos->second) + 1,
                                  l.lines.end());
    std::string after = join(rest, l.final_newline);
    return before + block + after;
  }
  std::string out = text;
  if (!out.empty() && out.back() != '\n') {
    out += '\n';
    if (added_newline) *added_newline = true;
  }
  return out + block;
}

std::string block_remove(const std::string& text, bool added_newline) {
  Lines l = split(text);
  auto pos = find_block(l);
  if (!pos) return text;
  bool at_end = pos->second + 1 == l.lines.size();
  std::vector<std::string> keep(l.lines.begin(), l.lines.begin() + static_cast<long>(pos->first));
  keep.insert(keep.end(), l.lines.begin() + static_cast<long>(pos->second) + 1, l.lines.end());
  if (keep.empty()) return "";
  bool final_nl = at_end ? !added_newline : l.final_newline;
  return join(keep, final_nl);
}

std::optional<std::string> block_body(const std::string& text) {
  Lines l = split(text);
  auto pos = find_block(l);
  if (!pos) return std::nullopt;
  std::vector<std::string> body(l.lines.begin() + static_cast<long>(pos->first) + 1,
                                l.lines.begin() + static_cast<long>(pos->second));
  return join(body, true);
}

// YAML ----------------------------------------------------------------------------------------

namespace {

// The value part of a line with its comment removed (approximate: `#` after a space, outside
// quotes). Tracks quotes within the line only.
struct ScanResult {
  std::string content;
  int flow_delta = 0;
  bool open_quote = false;
};

ScanResult scan_line(const std::string& line) {
  ScanResult r;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (quote == '"' && c == '\\') {
        ++i;
        continue;
      }
      if (c == quote) {
        if (quote == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
          ++i;
          continue;
        }
        quote = 0;
      }
      continue;
    }
    if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) break;
    if ((c == '"' || c == '\'') &&
        (i == 0 || std::string(" \t:[{,-").find(line[i - 1]) != std::string::npos))
      quote = c;
    if (c == '[' || c == '{') ++r.flow_delta;
    if (c == ']' || c == '}') --r.flow_delta;
    r.content += c;
  }
  r.open_quote = quote != 0;
  r.content = rtrim(r.content);
  return r;
}

bool is_key_line(const std::string& content) {
  if (content.empty()) return false;
  char c = content[0];
  if (c == '-' || c == '[' || c == '{' || c == '#' || c == ' ') return false;
  if (c == '"' || c == '\'') {
    size_t close = content.find(c, 1);
    return close != std::string::npos && close + 1 < content.size() && content[close + 1] == ':';
  }
  size_t colon = content.find(':');
  return colon != std::string::npos && (colon + 1 == content.size() || content[colon + 1] == ' ');
}

}  // namespace

std::optional<Malformed> check_yaml(const std::string& text) {
  Lines l = split(text);
  int flow = 0;
  int block_scalar_indent = -1;  // inside a `|` / `>` scalar: lines more indented than this
  bool seen_content = false;
  for (size_t i = 0; i < l.lines.size(); ++i) {
    const std::string& raw = l.lines[i];
    const int lineno = static_cast<int>(i + 1);
    size_t ind = raw.find_first_not_of(' ');
    if (ind == std::string::npos || raw[ind] == '\r') continue;  // blank
    if (block_scalar_indent >= 0) {
      if (static_cast<int>(ind) > block_scalar_indent) continue;
      block_scalar_indent = -1;
    }
    if (raw[ind] == '\t')
      return Malformed("a tab in the indentation (YAML allows spaces only)", lineno,
                       static_cast<int>(ind + 1));
    if (raw[ind] == '#') continue;
    ScanResult s = scan_line(raw);
    if (s.open_quote) return Malformed("a quoted string that does not end on its line", lineno);
    std::string content = s.content.substr(ind);
    if (flow == 0 && ind == 0) {
      if (content == "---") {
        if (seen_content)
          return Malformed("a second YAML document; lwgw edits single-document files only", lineno);
        continue;
      }
      if (content == "...")
        return Malformed("a YAML document end marker; lwgw cannot append after it", lineno);
      if (!is_key_line(content))
        return Malformed("the top level is not a `key: value` mapping", lineno, 1);
      seen_content = true;
    }
    flow += s.flow_delta;
    if (flow < 0) return Malformed("a closing bracket without its opening one", lineno);
    if (flow == 0) {
      auto colon = content.find(": ");
      std::string value = colon == std::string::npos ? "" : content.substr(colon + 2);
      value.erase(0, value.find_first_not_of(' '));
      if (!value.empty() && (value[0] == '|' || value[0] == '>'))
        block_scalar_indent = static_cast<int>(ind);
    }
  }
  if (flow != 0)
    return Malformed("an unclosed [ or { at the end of the file", static_cast<int>(l.lines.size()));
  return std::nullopt;
}

int yaml_top_level_key_line(const std::string& text, const std::string& key) {
  Lines l = split(text);
  bool in_block = false;
  for (size_t i = 0; i < l.lines.size(); ++i) {
    std::string t = rtrim(l.lines[i]);
    if (t == kBlockBegin) in_block = true;
    if (t == kBlockEnd) {
      in_block = false;
      continue;
    }
    if (in_block) continue;
    for (const std::string& form : {key, "\"" + key + "\"", "'" + key + "'"})
      if (t.rfind(form + ":", 0) == 0 && (t.size() == form.size() + 1 || t[form.size() + 1] == ' '))
        return static_cast<int>(i + 1);
  }
  return 0;
}

std::string yaml_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace lwgw::setup
