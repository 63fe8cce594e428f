// Planning one file per kind (JSON merge, TOML splice, marked block, owned file).
#include "plan.hpp"

#include <algorithm>
#include <functional>

#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/toml_edit.hpp"

namespace lwgw::setup {

namespace {

using ojson = nlohmann::ordered_json;

std::string dotted(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& p : path) s += (s.empty() ? "" : ".") + p;
  return s;
}

// Whether setup created the object or table `e` sits in: one of its recorded edits found fewer
// of the leading parts there (the first key lwgw put in; later ones saw the table existing).
bool in_created_container(const std::vector<Edit>& recorded, const Edit& e) {
  const size_t depth = e.path.size() - 1;
  if (depth == 0) return false;
  return std::any_of(recorded.begin(), recorded.end(), [&](const Edit& r) {
    return r.known && r.path.size() > depth && static_cast<size_t>(r.parents_existed) < depth &&
           std::equal(e.path.begin(), e.path.begin() + static_cast<long>(depth), r.path.begin());
  });
}

// The edits to apply: the recorded ones (their `previous` still holds what was there before
// lwgw), with this run's edits replacing those of the same key.
std::vector<Edit> merge_edits(const std::vector<Edit>& recorded, const std::vector<Edit>& wanted,
                              const std::function<bool(const Edit&)>& still_ours) {
  std::vector<Edit> out = recorded;
  for (const auto& w : wanted) {
    auto it = std::find_if(out.begin(), out.end(), [&](const Edit& e) { return e.path == w.path; });
    if (it == out.end()) {
      out.push_back(w);
      continue;
    }
    Edit merged = w;
    // A key the user changed since is theirs to get back at teardown, unless it sits in an
    // object or table lwgw created: that container is lwgw's and goes whole (a stray
    // `[model_providers.lwgw]` with the user's old `wire_api` would be left otherwise).
    if (still_ours(*it) || in_created_container(recorded, *it)) {
      merged.previous = it->previous;
      merged.known = it->known;
      merged.parents_existed = it->parents_existed;
    }
    *it = merged;
  }
  return out;
}

// Merges the edits into the record and names the keys that change.
void merge_into(Planned& p, const std::function<bool(const Edit&)>& ours) {
  p.record.edits = merge_edits(p.record.edits, p.op.edits, ours);
  for (const auto& e : p.op.edits)
    if (!ours(e)) p.changed_keys.push_back(dotted(e.path));
}

// JSONC: rewriting would lose the comments, so the user gets the block to paste instead.
Malformed jsonc_refusal(const FileOp& op, std::pair<int, int> comment) {
  std::vector<Edit> es = op.edits;
  std::string snippet = json_apply("{}", es);
  const PasteHint& h = op.paste_hint;
  for (size_t pos; !h.key.empty() && (pos = snippet.find(h.key)) != std::string::npos;)
    snippet.replace(pos, h.key.size(), h.shown_as);
  Malformed m(
      "has comments (JSONC), which rewriting it would lose; lwgw leaves it untouched. "
      "Merge this into its top-level object yourself:\n" +
          snippet,
      comment.first, comment.second);
  m.self_explaining = true;
  return m;
}

void plan_json(Planned& p, const std::string& text) {
  if (auto c = find_json_comment(text)) throw jsonc_refusal(p.op, *c);
  ojson doc;
  if (auto err = parse_json(text, doc)) throw *err;
  merge_into(p, [&](const Edit& e) {
    auto cur = json_get(doc, e.path);
    return e.value ? (cur && *cur == *e.value) : !cur;
  });
  p.after = json_apply(text, p.record.edits);
}

void plan_toml(Planned& p, const std::string& text) {
  try {
    toml_edit::validate(text);
  } catch (const toml_edit::ParseError& e) {
    throw Malformed(std::string("not valid TOML (") + e.what() + ")", e.line, e.column);
  }
  merge_into(p, [&](const Edit& e) {
    auto cur = toml_edit::raw_value(text, {e.path.begin(), e.path.end() - 1}, e.path.back());
    return e.value ? (cur && *cur == e.value->get<std::string>()) : !cur;
  });
  p.after = toml_apply(text, p.record.edits);
}

void plan_block(Planned& p, const std::string& text) {
  if (p.op.yaml)
    if (auto err = check_yaml(text)) throw *err;
  bool added = false;
  p.after = block_set(text, p.op.content, &added);
  if (!block_body(text)) p.record.added_newline = added;
  if (p.after != text) p.changed_keys.push_back("lwgw block");
}

// The record: the manifest's when it knows the file, else a new one describing the file now.
void start_record(Planned& p, const Manifest& m) {
  auto rec = m.files.find(p.op.path.string());
  p.had_record = rec != m.files.end();
  if (p.had_record) {
    p.record = rec->second;
  } else {
    p.record.kind = p.op.kind;
    p.record.created = !p.before;
    if (p.before)
      if (auto mode = fs::file_mode(fs::write_target(p.op.path))) p.record.original_mode = *mode;
  }
  p.record.cli = p.op.owner;
  p.record.secret = p.record.secret || p.op.secret;
}

}  // namespace

std::string where(const std::string& label, const Malformed& m) {
  std::string s = label;
  if (m.line > 0) s += ":" + std::to_string(m.line);
  if (m.column > 0) s += ":" + std::to_string(m.column);
  return s + ": " + m.what();
}

Planned plan_file(const FileOp& op, const Manifest& m, const std::string& label) {
  Planned p;
  p.op = op;
  p.before = fs::read_file(op.path);
  const std::string text = p.before.value_or("");
  start_record(p, m);
  try {
    switch (op.kind) {
      case FileKind::kJson:
        plan_json(p, text);
        break;
      case FileKind::kToml:
        plan_toml(p, text);
        break;
      case FileKind::kBlock:
        plan_block(p, text);
        break;
      case FileKind::kOwned:
        p.after = op.content;
        break;
    }
  } catch (const Malformed& e) {
    throw config_error(where(label, e) +
                       (e.self_explaining ? "" : "; the file was left untouched"));
  }
  return p;
}

}  // namespace lwgw::setup
