// setup / teardown: plan every file (pure edits), refuse what cannot be edited safely, then back
// up once, write atomically and record exactly what changed in the manifest.
#include "lwgw/setup_engine.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ostream>
#include <set>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "lwgw/config.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/daemon.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/http_client.hpp"
#include "lwgw/process.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/toml_edit.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::setup {

namespace stdfs = std::filesystem;
using json = nlohmann::ordered_json;
using ojson = nlohmann::ordered_json;

namespace {

const std::set<std::string> kEnvClis = {"codex", "opencode", "gemini-cli"};

// ---- manifest ------------------------------------------------------------------------------

struct FileRecord {
  FileKind kind = FileKind::kJson;
  std::string cli;  // owner of a block / owned file
  bool created = false;
  std::optional<int> original_mode;
  std::string backup;
  std::string written_sha;
  bool secret = false;
  bool added_newline = false;
  std::vector<std::string> created_dirs;  // directories setup created for it, deepest first
  std::vector<Edit> edits;
};

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

struct Manifest {
  std::map<std::string, json> clis;  // cli -> {"mode": "proxy"|"direct", "at": …}
  std::map<std::string, FileRecord> files;

  static stdfs::path path(const Paths& p) { return p.state_dir / "setup-manifest.json"; }

  static Manifest load(const Paths& p) {
    Manifest m;
    auto text = fs::read_file(path(p));
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
    for (auto& [k, v] : files.items()) {
      FileRecord r;
      r.kind = kind_from(v.value("kind", "json"));
      r.cli = v.value("cli", "");
      r.created = v.value("created", false);
      if (v.contains("original_mode")) r.original_mode = v["original_mode"].get<int>();
      r.backup = v.value("backup", "");
      r.written_sha = v.value("written_sha256", "");
      r.secret = v.value("secret", false);
      r.added_newline = v.value("added_newline", false);
      r.created_dirs = v.value("created_dirs", std::vector<std::string>{});
      for (const auto& e : v.value("edits", json::array())) r.edits.push_back(edit_from_json(e));
      m.files[k] = r;
    }
    return m;
  }

  void save(const Paths& p) const {
    json j;
    j["version"] = 1;
    j["clis"] = json::object();
    for (auto& [k, v] : clis) j["clis"][k] = v;
    j["files"] = json::object();
    for (auto& [k, r] : files) {
      json f;
      f["kind"] = kind_name(r.kind);
      if (!r.cli.empty()) f["cli"] = r.cli;
      f["created"] = r.created;
      if (r.original_mode) f["original_mode"] = *r.original_mode;
      if (!r.backup.empty()) f["backup"] = r.backup;
      f["written_sha256"] = r.written_sha;
      f["secret"] = r.secret;
      if (r.added_newline) f["added_newline"] = true;
      if (!r.created_dirs.empty()) f["created_dirs"] = r.created_dirs;
      f["edits"] = json::array();
      for (const auto& e : r.edits) f["edits"].push_back(edit_to_json(e));
      j["files"][k] = f;
    }
    fs::ensure_dir(p.state_dir, 0700);
    fs::atomic_write(path(p), j.dump(2) + "\n", 0600, true);
  }
};

// Exclusive lock on $XDG_STATE_HOME/lwgw/setup.lock for the lifetime of the object.
class SetupLock {
 public:
  explicit SetupLock(const Paths& p) {
    fs::ensure_dir(p.state_dir, 0700);
    auto file = p.state_dir / "setup.lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw failure("cannot open " + file.string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw failure("another `lwgw setup` or `lwgw teardown` is running (" + file.string() +
                    " is locked); try again when it has finished");
    }
  }
  ~SetupLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  SetupLock(const SetupLock&) = delete;
  SetupLock& operator=(const SetupLock&) = delete;

 private:
  int fd_ = -1;
};

// ---- planning ------------------------------------------------------------------------------

struct FileOp {
  stdfs::path path;
  FileKind kind = FileKind::kJson;
  std::string cli;
  std::vector<Edit> edits;  // json / toml
  std::string content;      // block body / owned file content
  bool secret = false;
  bool yaml = false;  // block in a YAML file: sanity-check it first
  std::string key;    // the key the edits carry, replaced by key_hint in text to paste
  std::string key_hint;
};

struct Planned {
  FileOp op;
  std::optional<std::string> before;
  std::string after;
  FileRecord record;
  bool had_record = false;
  std::vector<std::string> changed_keys;
  bool changed() const { return !before || *before != after; }
};

std::string where(const std::string& label, const Malformed& m) {
  std::string s = label;
  if (m.line > 0) s += ":" + std::to_string(m.line);
  if (m.column > 0) s += ":" + std::to_string(m.column);
  return s + ": " + m.what();
}

std::string dotted(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& p : path) s += (s.empty() ? "" : ".") + p;
  return s;
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
    if (still_ours(*it)) {
      merged.previous = it->previous;
      merged.known = it->known;
      merged.parents_existed = it->parents_existed;
    }
    *it = merged;
  }
  return out;
}

Planned plan_setup_file(const FileOp& op, const Manifest& m, const std::string& label) {
  Planned p;
  p.op = op;
  p.before = fs::read_file(op.path);
  const std::string text = p.before.value_or("");
  auto rec = m.files.find(op.path.string());
  p.had_record = rec != m.files.end();
  if (p.had_record) {
    p.record = rec->second;
  } else {
    p.record.kind = op.kind;
    p.record.created = !p.before;
    if (p.before)
      if (auto mode = fs::file_mode(fs::write_target(op.path))) p.record.original_mode = *mode;
  }
  p.record.cli = op.cli;
  p.record.secret = p.record.secret || op.secret;
  try {
    switch (op.kind) {
      case FileKind::kJson: {
        if (auto c = find_json_comment(text)) {
          std::vector<Edit> es = op.edits;
          std::string snippet = json_apply("{}", es);
          for (size_t pos; !op.key.empty() && (pos = snippet.find(op.key)) != std::string::npos;)
            snippet.replace(pos, op.key.size(), op.key_hint);
          throw Malformed(
              "has comments (JSONC), which rewriting it would lose; lwgw leaves it untouched. "
              "Merge this into its top-level object yourself:\n" +
                  snippet,
              c->first, c->second);
        }
        ojson doc;
        if (auto err = parse_json(text, doc)) throw *err;
        auto own = [&](const Edit& e) {
          auto cur = json_get(doc, e.path);
          return e.value ? (cur && *cur == *e.value) : !cur;
        };
        p.record.edits = merge_edits(p.record.edits, op.edits, own);
        for (const auto& e : op.edits)
          if (!own(e)) p.changed_keys.push_back(dotted(e.path));
        p.after = json_apply(text, p.record.edits);
        break;
      }
      case FileKind::kToml: {
        try {
          toml_edit::validate(text);
        } catch (const toml_edit::ParseError& e) {
          throw Malformed(std::string("not valid TOML (") + e.what() + ")", e.line, e.column);
        }
        auto own = [&](const Edit& e) {
          auto cur = toml_edit::raw_value(text, {e.path.begin(), e.path.end() - 1}, e.path.back());
          return e.value ? (cur && *cur == e.value->get<std::string>()) : !cur;
        };
        p.record.edits = merge_edits(p.record.edits, op.edits, own);
        for (const auto& e : op.edits)
          if (!own(e)) p.changed_keys.push_back(dotted(e.path));
        p.after = toml_apply(text, p.record.edits);
        break;
      }
      case FileKind::kBlock: {
        if (op.yaml)
          if (auto err = check_yaml(text)) throw *err;
        bool added = false;
        p.after = block_set(text, op.content, &added);
        if (!block_body(text)) p.record.added_newline = added;
        if (p.after != text) p.changed_keys.push_back("lwgw block");
        break;
      }
      case FileKind::kOwned:
        p.after = op.content;
        break;
    }
  } catch (const Malformed& e) {
    throw config_error(
        where(label, e) +
        (op.kind == FileKind::kJson && std::string(e.what()).find("JSONC") != std::string::npos
             ? ""
             : "; the file was left untouched"));
  }
  return p;
}

// ---- the context of one run ----------------------------------------------------------------

struct Run {
  Context& ctx;
  Manifest manifest;
  bool dry_run;
  std::ostream& out;
  int code = 0;

  std::string label(const stdfs::path& p) { return display_path(p, ctx.paths().home); }

  void error(const std::string& msg, Exit e) {
    *ctx.io.err << "lwgw: error: " << redact(msg) << "\n";
    if (code == 0) code = static_cast<int>(e);
  }

  stdfs::path backup_path(const stdfs::path& file) {
    std::string name = file.string();
    for (char& c : name)
      if (c == '/') c = '_';
    std::string stamp = utc_now_iso();
    stamp.erase(std::remove(stamp.begin(), stamp.end(), ':'), stamp.end());
    return ctx.paths().state_dir / "backups" / (stamp + name);
  }

  void show_diff(const stdfs::path& path, const std::optional<std::string>& before,
                 const std::optional<std::string>& after) {
    std::string l = label(path);
    std::string d = unified_diff(before.value_or(""), after.value_or(""),
                                 before ? "a/" + l : "/dev/null", after ? "b/" + l : "/dev/null");
    if (!d.empty()) out << d;
  }

  // Writes a planned change: backup once, atomic write, manifest record.
  void commit(Planned& p) {
    if (!p.changed()) return;
    if (dry_run) {
      show_diff(p.op.path, p.before, p.after);
      return;
    }
    if (!p.had_record && p.before) {
      auto b = backup_path(p.op.path);
      fs::ensure_dir(b.parent_path(), 0700);
      fs::atomic_write(b, *p.before, 0600, true);
      p.record.backup = b.string();
    }
    if (!p.had_record && !p.before) {
      const stdfs::path home = ctx.paths().home;
      for (auto d = fs::write_target(p.op.path).parent_path();
           !d.empty() && d != home && d != d.root_path() && !stdfs::exists(d); d = d.parent_path())
        p.record.created_dirs.push_back(d.string());
    }
    mode_t mode = p.op.secret ? 0600 : 0644;
    fs::atomic_write(p.op.path, p.after, mode, p.op.secret);
    p.record.written_sha = sha256_hex(p.after);
    manifest.files[p.op.path.string()] = p.record;
    manifest.save(ctx.paths());
  }

  // Removes the directories setup created for a file, when they are empty now.
  static void remove_dirs(const FileRecord& rec) {
    for (const auto& d : rec.created_dirs) {
      std::error_code ec;
      if (stdfs::is_empty(d, ec) && !ec) stdfs::remove(d, ec);
    }
  }

  // Undoes the edits of `clis` in one recorded file. Returns what happened, for the report.
  std::string undo(const std::string& key, const std::set<std::string>& clis) {
    FileRecord rec = manifest.files.at(key);
    const stdfs::path path = key;
    const std::string l = label(path);
    std::vector<Edit> mine, rest;
    for (const auto& e : rec.edits) (clis.count(e.cli) ? mine : rest).push_back(e);
    const bool whole = (rec.kind == FileKind::kBlock || rec.kind == FileKind::kOwned)
                           ? clis.count(rec.cli) > 0
                           : rest.empty();
    if (!whole && mine.empty()) return "";
    auto current = fs::read_file(path);
    auto forget = [&] {
      if (whole)
        manifest.files.erase(key);
      else
        manifest.files[key].edits = rest;
      if (!dry_run) manifest.save(ctx.paths());
    };
    if (!current) {
      forget();
      return l + " is gone already";
    }
    // Untouched since lwgw wrote it: put the original bytes back exactly.
    if (whole && sha256_hex(*current) == rec.written_sha) {
      std::optional<std::string> original;
      if (!rec.created && !rec.backup.empty()) original = fs::read_file(rec.backup);
      if (rec.created || original) {
        if (dry_run) {
          show_diff(path, current, original);
        } else if (rec.created) {
          fs::remove_file(path);
          remove_dirs(rec);
        } else {
          fs::atomic_write(path, *original, static_cast<mode_t>(rec.original_mode.value_or(0644)),
                           true);
        }
        forget();
        return rec.created ? "removed " + l + " (setup had created it)"
                           : "restored " + l + " as it was before setup";
      }
    }
    // Changed since: take out only what lwgw put in, keep everything else.
    std::string next;
    try {
      switch (rec.kind) {
        case FileKind::kJson:
          if (auto c = find_json_comment(*current))
            throw Malformed(
                "has comments now; lwgw will not rewrite it. Remove lwgw's keys "
                "by hand",
                c->first, c->second);
          next = json_revert(*current, mine);
          break;
        case FileKind::kToml:
          next = toml_revert(*current, mine);
          break;
        case FileKind::kBlock:
          next = block_remove(*current, rec.added_newline);
          break;
        case FileKind::kOwned:
          next = *current;  // edited by the user: theirs now
          break;
      }
    } catch (const Malformed& e) {
      throw config_error(where(l, e) + "; the file was left untouched");
    }
    ojson probe;
    bool empty = next.find_first_not_of(" \t\r\n") == std::string::npos ||
                 (rec.kind == FileKind::kJson && !parse_json(next, probe) && probe.empty());
    std::string what;
    if (whole && rec.created && empty) {
      if (dry_run)
        show_diff(path, current, std::nullopt);
      else {
        fs::remove_file(path);
        remove_dirs(rec);
      }
      what = "removed " + l + " (setup had created it; nothing else was left in it)";
    } else if (next != *current) {
      if (dry_run) {
        show_diff(path, current, next);
      } else {
        bool restore_mode = whole && rec.secret && !rec.created && rec.original_mode;
        fs::atomic_write(path, next, static_cast<mode_t>(rec.original_mode.value_or(0644)),
                         restore_mode);
        if (!whole) manifest.files[key].written_sha = sha256_hex(next);
      }
      what = "removed lwgw's settings from " + l + " (kept your changes made since setup)";
    } else {
      what = rec.kind == FileKind::kOwned ? "left " + l + " alone (you edited it since setup)"
                                          : "nothing of lwgw's left in " + l;
    }
    forget();
    return what;
  }
};

// ---- per-CLI operations --------------------------------------------------------------------

stdfs::path opencode_file(Context& ctx) {
  stdfs::path dir = ctx.env.get_or("OPENCODE_CONFIG_DIR", "");
  if (dir.empty()) dir = ctx.paths().xdg_config_home / "opencode";
  for (const char* n : {"opencode.json", "opencode.jsonc", "config.json"})
    if (auto st = stdfs::symlink_status(dir / n); stdfs::exists(st)) return dir / n;
  return dir / "opencode.json";
}

stdfs::path gemini_settings(Context& ctx) {
  return ctx.paths().home / ".gemini" / "settings.json";
}

std::vector<std::string> shells_for(const std::string& s) {
  if (s == "all") return {"bash", "zsh", "fish"};
  return {s};
}

}  // namespace

// ---- targets and models --------------------------------------------------------------------

Target resolve_target(Context& ctx, bool direct, bool persist_token, bool stored_vk_only) {
  Target t;
  t.self_exe = ctx.self_exe;
  Config& cfg = ctx.config();
  if (direct) {
    t.mode = Mode::kDirect;
    t.root = util::trim_trailing_slashes(cfg.get_string("gateway.url"));
    std::optional<std::string> key;
    if (stored_vk_only) {
      key = ctx.credentials().get(kVirtualKey);
      if (!key && ctx.env.get_or("LWGW_VK", "") != "")
        throw config_error(
            "not logged in: LWGW_VK is a key for one process and is never written to a file; "
            "run `lwgw login` to store the key first");
    } else if (auto vk = resolve_vk(ctx.credentials(), ctx.env)) {
      key = vk->key;
    }
    if (!key || key->empty()) throw config_error("not logged in: run `lwgw login`");
    t.key = *key;
  } else {
    HostPort hp = parse_listen(cfg.get_string("proxy.listen"));
    std::string host = hp.host;
    if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    t.root = "http://" + host + ":" + std::to_string(hp.port);
    auto tok = ctx.credentials().get(kLocalToken);
    if (!tok) {
      tok = generate_local_token();
      if (persist_token) ctx.credentials().set(kLocalToken, *tok);
    }
    t.key = *tok;
  }
  register_secret(t.key);
  return t;
}

std::optional<std::vector<std::string>> fetch_models(Context& ctx) {
  auto vk = ctx.credentials().get(kVirtualKey);
  if (auto env_vk = ctx.env.get("LWGW_VK"); env_vk && !env_vk->empty()) vk = env_vk;
  if (!vk) return std::nullopt;
  register_secret(*vk);
  Config& cfg = ctx.config();
  http::Request req;
  req.url =
      http::join_url(util::trim_trailing_slashes(cfg.get_string("gateway.url")), "/v1/models");
  req.headers.push_back({"Authorization", "Bearer " + *vk});
  req.connect_timeout_s = cfg.get_int("gateway.connect_timeout_s");
  req.timeout_s = 15;
  req.ca_file = cfg.get_string("gateway.ca_file");
  http::Response res = http::send(req, ctx.env);
  if (res.status != 200) return std::nullopt;
  json j = json::parse(res.body, nullptr, false);
  if (j.is_discarded() || !j.contains("data") || !j["data"].is_array()) return std::nullopt;
  std::vector<std::string> ids;
  for (const auto& m : j["data"])
    if (m.is_object() && m.contains("id") && m["id"].is_string()) ids.push_back(m["id"]);
  if (ids.empty()) return std::nullopt;
  return ids;
}

// ---- setup ---------------------------------------------------------------------------------

int run_setup(Context& ctx, const SetupRequest& r) {
  if (r.clis.empty()) throw usage_error("name the CLIs to set up, or use --all");
  if (!r.small_model.empty() &&
      std::find(r.clis.begin(), r.clis.end(), "claude-code") == r.clis.end())
    throw usage_error("--small-model is Claude Code's background model; add claude-code");
  const Paths& paths = ctx.paths();
  std::optional<SetupLock> lock;
  if (!r.dry_run) lock.emplace(paths);
  Run run{ctx, Manifest::load(paths), r.dry_run, *ctx.io.out};
  std::ostream& out = *ctx.io.out;

  const bool only_cursor = r.clis.size() == 1 && r.clis[0] == "cursor";
  std::optional<Target> target;
  if (!only_cursor) target = resolve_target(ctx, r.direct, !r.dry_run, true);
  const std::string mode_name = r.direct ? "direct" : "proxy";

  std::optional<std::vector<std::string>> models;
  if (!only_cursor) models = fetch_models(ctx);
  if (models && !r.model.empty() &&
      std::find(models->begin(), models->end(), r.model) == models->end())
    ctx.log().warn("the gateway does not list the model " + r.model +
                   " on GET /v1/models; using it anyway");

  std::string proxy_next = "start the proxy with `lwgw up`";
  if (!r.direct && !only_cursor) {
    // Say whether the CLIs will find a proxy where they are being pointed.
    if (auto live = daemon::find_running(paths, ctx.env)) {
      std::string want = ctx.config().get_string("proxy.listen");
      if (live->state.listen == want)
        proxy_next = "the proxy already runs on http://" + want;
      else
        ctx.log().warn("the running proxy listens on " + live->state.listen + ", not on " + want +
                       " (proxy.listen) where the CLIs are pointed: run `lwgw down && lwgw up`");
    }
  }
  std::string shell_next = "open a new shell (see below)";
  std::vector<std::string> env_clis_done;

  for (const auto& cli : r.clis) {
    try {
      if (cli == "cursor") {
        std::string url =
            util::trim_trailing_slashes(ctx.config().get_string("gateway.url")) + "/v1";
        out << "cursor: nothing to write (Cursor keeps these in its settings, not in a file).\n"
            << "  In Cursor: Settings > Models > API Keys:\n"
            << "    OpenAI API Key:              your virtual key (`lwgw env --api-key --direct` "
               "prints it)\n"
            << "    Override OpenAI Base URL:    " << url << "\n"
            << "  Cursor sends these requests from its own servers, so the local proxy on "
               "127.0.0.1 cannot work\n"
            << "  for it: Cursor always talks to the gateway directly.\n";
        auto vk = resolve_vk(ctx.credentials(), ctx.env);
        if (!vk) {
          out << "  not verified: not logged in (run `lwgw login` to check the key)\n";
        } else {
          register_secret(vk->key);
          KeyCheck c =
              check_key(util::trim_trailing_slashes(ctx.config().get_string("gateway.url")),
                        vk->key, ctx.config(), ctx.env);
          if (c.kind == KeyCheck::Kind::kOk)
            out << "  verified: the gateway answers GET /v1/models with your key\n";
          else if (c.kind == KeyCheck::Kind::kRejected)
            run.error("cursor: the gateway rejected the key (HTTP " + std::to_string(c.status) +
                          "): " + c.message,
                      Exit::kConfig);
          else
            ctx.log().warn("cursor: could not verify the key: " + c.message);
        }
        out << "  next: paste the two values into Cursor's settings\n";
        continue;
      }

      std::vector<FileOp> ops;
      const Target& t = *target;
      if (cli == "claude-code") {
        FileOp op{paths.claude_config_dir / "settings.json",
                  FileKind::kJson,
                  cli,
                  claude_edits(t, r.model, r.small_model),
                  "",
                  t.mode == Mode::kProxy,
                  false,
                  t.key,
                  "<the output of `lwgw env --api-key`>"};
        ops.push_back(op);
      } else if (cli == "codex") {
        auto file = paths.codex_home / "config.toml";
        auto text = fs::read_file(file).value_or("");
        auto chat = codex_chat_providers(text);
        chat.erase(std::remove(chat.begin(), chat.end(), "lwgw"), chat.end());
        for (const auto& id : chat)
          if (!r.yes)
            ctx.log().warn(run.label(file) + ": [model_providers." + id +
                           "] has wire_api = \"chat\", which current Codex rejects at start-up "
                           "(every codex command fails); set it to \"responses\", or re-run with "
                           "--yes to let lwgw do it");
        ops.push_back({file, FileKind::kToml, cli,
                       codex_edits(t, r.model, r.yes ? chat : std::vector<std::string>{}), "",
                       false, false, "", ""});
      } else if (cli == "gemini-cli") {
        auto edits = gemini_edits();
        if (!r.model.empty()) {
          Edit m;
          m.cli = cli;
          m.path = {"model", "name"};
          m.value = r.model;
          edits.push_back(m);
        }
        ops.push_back(
            {gemini_settings(ctx), FileKind::kJson, cli, edits, "", false, false, "", ""});
      } else if (cli == "opencode") {
        ops.push_back({opencode_file(ctx), FileKind::kJson, cli,
                       opencode_edits(t, models.value_or(default_models()), r.model), "", false,
                       false, "", ""});
      } else if (cli == "aider") {
        auto file = paths.home / ".aider.conf.yml";
        auto text = fs::read_file(file).value_or("");
        if (!check_yaml(text)) {
          std::vector<std::string> keys = {"openai-api-base", "openai-api-key"};
          if (!r.model.empty()) keys.push_back("model");
          for (const auto& k : keys)
            if (int line = yaml_top_level_key_line(text, k))
              throw config_error(run.label(file) + ":" + std::to_string(line) + ": `" + k +
                                 "` is already set here; remove that line (or run setup "
                                 "without --model for `model`) and run setup again; the file "
                                 "was left untouched");
        }
        ops.push_back(
            {file, FileKind::kBlock, cli, {}, aider_block(t, r.model), true, true, "", ""});
      }

      // Plan every file of this CLI before writing any of them.
      std::vector<Planned> planned;
      for (const auto& op : ops)
        planned.push_back(plan_setup_file(op, run.manifest, run.label(op.path)));
      for (auto& p : planned) {
        std::string l = run.label(p.op.path);
        if (!p.changed())
          out << cli << ": " << l << " is already set up; nothing to change\n";
        else
          out << cli << ": "
              << (r.dry_run ? (p.before ? "would update " : "would create ")
                            : (p.before ? "updated " : "created "))
              << l
              << (p.changed_keys.empty() ? ""
                                         : " (" +
                                               [&] {
                                                 std::string s;
                                                 for (const auto& k : p.changed_keys)
                                                   s += (s.empty() ? "" : ", ") + k;
                                                 return s;
                                               }() +
                                               ")")
              << "\n";
        run.commit(p);
        if (cli == "claude-code") {
          ojson doc;
          if (!parse_json(p.after, doc) && json_get(doc, {"env", "ANTHROPIC_API_KEY"}))
            ctx.log().warn(l +
                           " sets env.ANTHROPIC_API_KEY: Claude Code then sends it as "
                           "x-api-key next to lwgw's token; remove it");
        }
      }
      if (cli == "claude-code" && ctx.env.get_or("ANTHROPIC_API_KEY", "") != "")
        ctx.log().warn(
            "ANTHROPIC_API_KEY is set in your environment: Claude Code then sends it as "
            "x-api-key next to lwgw's token; unset it (lwgw never sets it)");
      if (cli == "opencode") {
        if (!models)
          out << "  models: the default list (" << default_models().size()
              << "); the gateway's own list is used when `lwgw login` has a key and the gateway "
                 "answers\n";
        if (auto bin = process::find_in_path("opencode", ctx.env)) {
          auto v = process::run({bin->string(), "--version"}, "", ctx.env);
          if (v.exit_code == 0 && v.out.rfind("1.14.", 0) == 0)
            ctx.log().warn("opencode " + v.out.substr(0, v.out.find('\n')) +
                           ": 1.14.x was reported to ignore custom providers (not reproduced with "
                           "1.14.41 or 1.18.33); if it does, use another version");
        }
      }
      if (!r.dry_run) {
        auto prev = run.manifest.clis.find(cli);
        if (kEnvClis.count(cli))
          for (const auto& [other, info] : run.manifest.clis)
            if (other != cli && kEnvClis.count(other) && info.value("mode", "") != mode_name &&
                std::find(r.clis.begin(), r.clis.end(), other) == r.clis.end())
              ctx.log().warn(other + " was set up in " + info.value("mode", "") +
                             " mode and now shares the " + mode_name +
                             "-mode key in the env file; run `lwgw setup " + other +
                             (r.direct ? " --direct" : "") + "` too");
        (void)prev;
        run.manifest.clis[cli] = json{{"mode", mode_name}, {"at", utc_now_iso()}};
        run.manifest.save(paths);
      }
      if (kEnvClis.count(cli)) {
        env_clis_done.push_back(cli);
        out << "  next: " << shell_next
            << (t.mode == Mode::kProxy ? "; " + proxy_next : std::string()) << "\n";
      } else {
        out << "  next: "
            << (t.mode == Mode::kProxy ? proxy_next : "start a new " + cli + " session")
            << (cli == "claude-code" ? " (settings.json applies to new sessions)" : "") << "\n";
      }
    } catch (const Error& e) {
      run.error(cli + ": " + e.what(), e.code());
    }
  }

  // The shell side: env files with the key, and the rc hooks that source them.
  std::set<std::string> env_clis(env_clis_done.begin(), env_clis_done.end());
  for (const auto& [c, info] : run.manifest.clis)
    if (kEnvClis.count(c)) env_clis.insert(c);
  if (!env_clis.empty() && target) {
    try {
      std::set<std::string> shells;
      for (const auto& s : shells_for(r.shell.empty() ? default_shell(ctx.env) : r.shell))
        shells.insert(s);
      const auto env_sh = paths.config_dir / "env.sh";
      const auto env_fish = paths.config_dir / "env.fish";
      const auto bashrc = paths.home / ".bashrc";
      const auto zshrc = paths.zdotdir / ".zshrc";
      const auto fish_conf = paths.xdg_config_home / "fish" / "conf.d" / "lwgw.fish";
      if (run.manifest.files.count(bashrc.string())) shells.insert("bash");
      if (run.manifest.files.count(zshrc.string())) shells.insert("zsh");
      if (run.manifest.files.count(fish_conf.string())) shells.insert("fish");
      EnvVars vars = env_vars(*target, env_clis.count("gemini-cli") > 0, ctx.env);
      std::vector<FileOp> ops;
      ops.push_back(
          {env_sh, FileKind::kOwned, "shell", {}, env_script("bash", vars), true, false, "", ""});
      if (shells.count("bash"))
        ops.push_back({bashrc,
                       FileKind::kBlock,
                       "shell",
                       {},
                       rc_source_body("bash", env_sh, paths.home),
                       false,
                       false,
                       "",
                       ""});
      if (shells.count("zsh"))
        ops.push_back({zshrc,
                       FileKind::kBlock,
                       "shell",
                       {},
                       rc_source_body("zsh", env_sh, paths.home),
                       false,
                       false,
                       "",
                       ""});
      if (shells.count("fish")) {
        ops.push_back({env_fish,
                       FileKind::kOwned,
                       "shell",
                       {},
                       env_script("fish", vars),
                       true,
                       false,
                       "",
                       ""});
        ops.push_back({fish_conf,
                       FileKind::kOwned,
                       "shell",
                       {},
                       fish_conf_file(env_fish, paths.home),
                       false,
                       false,
                       "",
                       ""});
      }
      std::vector<Planned> planned;
      for (const auto& op : ops)
        planned.push_back(plan_setup_file(op, run.manifest, run.label(op.path)));
      std::string changed;
      for (auto& p : planned)
        if (p.changed()) changed += (changed.empty() ? "" : ", ") + run.label(p.op.path);
      if (!changed.empty())
        out << "shell: " << (r.dry_run ? "would write " : "wrote ") << changed << "\n";
      for (auto& p : planned) run.commit(p);
      if (shells.count("bash")) {
        auto profile = paths.home / ".bash_profile";
        auto text = fs::read_file(profile);
        if (text && text->find(".bashrc") == std::string::npos)
          ctx.log().warn(
              "~/.bash_profile does not source ~/.bashrc, so login shells (ssh, "
              "macOS Terminal) will not see these settings; add to it: "
              "[ -f ~/.bashrc ] && . ~/.bashrc");
      }
      if (!changed.empty())
        out << "  next: open a new shell; shells and GUI apps already open keep their old "
               "environment (in this one: eval \"$(lwgw env)\")\n";
    } catch (const Error& e) {
      run.error(std::string("shell: ") + e.what(), e.code());
    }
  }
  if (models && r.model.empty() && !only_cursor) {
    std::string list;
    for (size_t i = 0; i < models->size() && i < 12; ++i) list += (i ? ", " : "") + (*models)[i];
    out << "models the gateway serves: " << list << (models->size() > 12 ? ", …" : "")
        << " (pin one with --model NAME)\n";
  }
  if (r.dry_run) out << "dry run: nothing was written\n";
  return run.code;
}

// ---- teardown ------------------------------------------------------------------------------

int run_teardown(Context& ctx, const TeardownRequest& r) {
  if (r.clis.empty() && !r.all) throw usage_error("name the CLIs to restore, or use --all");
  const Paths& paths = ctx.paths();
  std::optional<SetupLock> lock;
  if (!r.dry_run) lock.emplace(paths);
  Run run{ctx, Manifest::load(paths), r.dry_run, *ctx.io.out};
  std::ostream& out = *ctx.io.out;

  std::vector<std::string> clis = r.clis;
  if (r.all) {
    clis.clear();
    for (const auto& n :
         std::vector<std::string>{"claude-code", "codex", "gemini-cli", "opencode", "aider"})
      if (run.manifest.clis.count(n)) clis.push_back(n);
    for (const auto& [k, rec] : run.manifest.files)
      for (const auto& e : rec.edits)
        if (std::find(clis.begin(), clis.end(), e.cli) == clis.end()) clis.push_back(e.cli);
  }
  if (clis.empty()) out << "nothing to undo: lwgw setup has not changed any file\n";
  std::set<std::string> failed;

  for (const auto& cli : clis) {
    if (cli == "cursor") {
      out << "cursor: lwgw wrote nothing for Cursor; remove the key and base URL in Cursor's "
             "settings yourself\n";
      continue;
    }
    std::vector<std::string> keys;
    for (const auto& [k, rec] : run.manifest.files) {
      bool touches = rec.cli == cli;
      for (const auto& e : rec.edits) touches = touches || e.cli == cli;
      if (touches) keys.push_back(k);
    }
    if (keys.empty() && !run.manifest.clis.count(cli)) {
      out << cli << ": not set up; nothing to undo\n";
      continue;
    }
    bool ok = true;
    for (const auto& k : keys) {
      try {
        std::string what = run.undo(k, {cli});
        if (!what.empty()) out << cli << ": " << what << "\n";
      } catch (const Error& e) {
        ok = false;
        run.error(cli + ": " + e.what(), e.code());
      }
    }
    if (!ok) failed.insert(cli);
    if (ok && !r.dry_run) {
      run.manifest.clis.erase(cli);
      run.manifest.save(paths);
    }
    if (keys.empty()) out << cli << ": nothing left to undo\n";
  }

  // The shell side follows the CLIs that need it.
  std::set<std::string> remaining;
  for (const auto& [c, info] : run.manifest.clis)
    if (kEnvClis.count(c) &&
        !(r.dry_run && !failed.count(c) && std::find(clis.begin(), clis.end(), c) != clis.end()))
      remaining.insert(c);
  std::vector<std::string> shell_files;
  for (const auto& [k, rec] : run.manifest.files)
    if (rec.cli == "shell") shell_files.push_back(k);
  if (remaining.empty()) {
    for (const auto& k : shell_files) {
      try {
        std::string what = run.undo(k, {"shell"});
        if (!what.empty()) out << "shell: " << what << "\n";
      } catch (const Error& e) {
        run.error(std::string("shell: ") + e.what(), e.code());
      }
    }
  } else if (!shell_files.empty() && !r.dry_run) {
    // Rewrite the env files for the CLIs that stay (e.g. without Gemini's variables).
    try {
      const auto& info = run.manifest.clis.at(*remaining.begin());
      Target t = resolve_target(ctx, info.value("mode", "proxy") == "direct", true, true);
      EnvVars vars = env_vars(t, remaining.count("gemini-cli") > 0, ctx.env);
      for (const auto& [file, shell] : std::vector<std::pair<stdfs::path, std::string>>{
               {paths.config_dir / "env.sh", "bash"}, {paths.config_dir / "env.fish", "fish"}}) {
        if (!run.manifest.files.count(file.string())) continue;
        FileOp op{file, FileKind::kOwned, "shell", {}, env_script(shell, vars), true, false, "",
                  ""};
        Planned p = plan_setup_file(op, run.manifest, run.label(file));
        run.commit(p);
        if (p.changed()) out << "shell: rewrote " << run.label(file) << "\n";
      }
    } catch (const Error& e) {
      ctx.log().warn(std::string("could not rewrite the env files: ") + e.what());
    }
  }
  if (r.dry_run) out << "dry run: nothing was written\n";
  return run.code;
}

}  // namespace lwgw::setup
