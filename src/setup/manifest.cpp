// Reading and writing setup-manifest.json; the SHA-256 it records of each written file.
#include "manifest.hpp"

#include <openssl/evp.h>
#include <cstdio>

#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"

namespace lwgw::setup {

namespace {

using json = nlohmann::ordered_json;

const char* kind_name(FileKind k) {
  switch (k) {
    case FileKind::kJson:
      return "json";
    case FileKind::kToml:
      return "toml";
    case FileKind::kBlock:
      return "block";
    case FileKind::kOwned:
      return "owned";
  }
  return "json";
}

FileKind kind_from(const std::string& s) {
  if (s == "toml") return FileKind::kToml;
  if (s == "block") return FileKind::kBlock;
  if (s == "owned") return FileKind::kOwned;
  return FileKind::kJson;
}

FileRecord record_from_json(const json& v) {
  FileRecord r;
  r.kind = kind_from(v.value("kind", "json"));
  r.cli = v.value("cli", "");
  r.created = v.value("created", false);
  if (v.contains("original_mode")) r.original_mode = v["original_mode"].get<int>();
  r.backup = v.value("backup", "");
  r.written_sha = v.value("written_sha256", "");
  r.changed_since = v.value("changed_since_setup", false);
  r.secret = v.value("secret", false);
  r.added_newline = v.value("added_newline", false);
  r.created_dirs = v.value("created_dirs", std::vector<std::string>{});
  for (const auto& e : v.value("edits", json::array())) r.edits.push_back(edit_from_json(e));
  return r;
}

json record_to_json(const FileRecord& r) {
  json f;
  f["kind"] = kind_name(r.kind);
  if (!r.cli.empty()) f["cli"] = r.cli;
  f["created"] = r.created;
  if (r.original_mode) f["original_mode"] = *r.original_mode;
  if (!r.backup.empty()) f["backup"] = r.backup;
  f["written_sha256"] = r.written_sha;
  if (r.changed_since) f["changed_since_setup"] = true;
  f["secret"] = r.secret;
  if (r.added_newline) f["added_newline"] = true;
  if (!r.created_dirs.empty()) f["created_dirs"] = r.created_dirs;
  f["edits"] = json::array();
  for (const auto& e : r.edits) f["edits"].push_back(edit_to_json(e));
  return f;
}

json opt_sha(const std::optional<std::string>& sha) {
  return sha ? json(*sha) : json(nullptr);
}

std::optional<std::string> sha_from(const json& v, const char* key) {
  if (!v.contains(key) || !v[key].is_string()) return std::nullopt;
  return v[key].get<std::string>();
}

std::optional<FileRecord> opt_record(const json& v, const char* key) {
  if (!v.contains(key) || !v[key].is_object()) return std::nullopt;
  return record_from_json(v[key]);
}

json intent_to_json(const Intent& in) {
  json j;
  j["before_sha256"] = opt_sha(in.before_sha);
  j["after_sha256"] = opt_sha(in.after_sha);
  j["done"] = in.done ? record_to_json(*in.done) : json(nullptr);
  j["undone"] = in.undone ? record_to_json(*in.undone) : json(nullptr);
  return j;
}

Intent intent_from_json(const json& v) {
  return Intent{sha_from(v, "before_sha256"), sha_from(v, "after_sha256"), opt_record(v, "done"),
                opt_record(v, "undone")};
}

}  // namespace

std::optional<FileRecord> settle(const Intent& in, const std::optional<std::string>& now_sha) {
  if (now_sha == in.after_sha) return in.done;
  if (now_sha == in.before_sha) return in.undone;
  return in.done ? in.done : in.undone;
}

std::filesystem::path Manifest::path(const Paths& p) {
  return p.state_dir / "setup-manifest.json";
}

Manifest Manifest::load(const Paths& p) {
  Manifest m;
  auto text = fs::read_private(path(p));
  if (!text) return m;
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw config_error(path(p).string() +
                       " is not valid JSON; lwgw cannot tell what setup changed. Move it "
                       "away to start over (backups are in " +
                       (p.state_dir / "backups").string() + ")");
  const json clis = j.value("clis", json::object());
  const json files = j.value("files", json::object());
  for (auto& [k, v] : clis.items()) m.clis[k] = v;
  for (auto& [k, v] : files.items()) m.files[k] = record_from_json(v);
  const json pending = j.value("pending", json::object());
  for (auto& [k, v] : pending.items())
    if (v.is_object()) m.pending[k] = intent_from_json(v);
  return m;
}

void Manifest::save(const Paths& p) const {
  json j;
  j["version"] = 1;
  j["clis"] = json::object();
  for (auto& [k, v] : clis) j["clis"][k] = v;
  j["files"] = json::object();
  for (auto& [k, r] : files) j["files"][k] = record_to_json(r);
  if (!pending.empty()) {
    j["pending"] = json::object();
    for (auto& [k, in] : pending) j["pending"][k] = intent_to_json(in);
  }
  fs::ensure_private_dir(p.state_dir);
  fs::write_private(path(p), j.dump(2) + "\n");
}

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    out += buf;
  }
  return out;
}

}  // namespace lwgw::setup
