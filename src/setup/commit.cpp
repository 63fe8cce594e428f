// Committing planned files and undoing recorded ones.
#include "commit.hpp"

#include <algorithm>

#include "lwgw/crash_point.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/util/clock.hpp"

namespace lwgw::setup {

namespace stdfs = std::filesystem;

namespace {

// Removes the directories setup created for a file, when they are empty now.
void remove_dirs(const FileRecord& rec) {
  for (const auto& d : rec.created_dirs) {
    std::error_code ec;
    if (stdfs::is_empty(d, ec) && !ec) stdfs::remove(d, ec);
  }
}

// The file's text without what lwgw put in (per kind); an owned file edited since is theirs.
std::string reverted(const FileRecord& rec, const std::vector<Edit>& mine,
                     const std::string& current) {
  switch (rec.kind) {
    case FileKind::kJson:
      if (auto c = find_json_comment(current))
        throw Malformed("has comments now; lwgw will not rewrite it. Remove lwgw's keys by hand",
                        c->first, c->second);
      return json_revert(current, mine);
    case FileKind::kToml:
      return toml_revert(current, mine);
    case FileKind::kBlock:
      return block_remove(current, rec.added_newline);
    case FileKind::kOwned:
      return current;
  }
  return current;
}

bool empty_file(const FileRecord& rec, const std::string& text) {
  nlohmann::ordered_json probe;
  return text.find_first_not_of(" \t\r\n") == std::string::npos ||
         (rec.kind == FileKind::kJson && !parse_json(text, probe) && probe.empty());
}

}  // namespace

std::string Run::label(const stdfs::path& p) {
  return display_path(p, ctx.paths().home);
}

void Run::error(const std::string& msg, Exit e) {
  *ctx.io.err << "lwgw: error: " << redact(msg) << "\n";
  if (code == 0) code = static_cast<int>(e);
}

stdfs::path Run::backup_path(const stdfs::path& file) {
  std::string name = file.string();
  std::replace(name.begin(), name.end(), '/', '_');
  std::string stamp = util::utc_now_iso();
  stamp.erase(std::remove(stamp.begin(), stamp.end(), ':'), stamp.end());
  return ctx.paths().state_dir / "backups" / (stamp + name);
}

void Run::show_diff(const stdfs::path& path, const std::optional<std::string>& before,
                    const std::optional<std::string>& after) {
  std::string l = label(path);
  std::string d = unified_diff(before.value_or(""), after.value_or(""),
                               before ? "a/" + l : "/dev/null", after ? "b/" + l : "/dev/null");
  if (!d.empty()) out << d;
}

void Run::commit(Planned& p) {
  if (!p.changed()) return;
  if (dry_run) {
    show_diff(p.op.path, p.before, p.after);
    return;
  }
  const std::string key = p.op.path.string();
  check_target(p.op.path);
  if (!p.had_record && p.before) {
    auto b = backup_path(p.op.path);
    fs::ensure_dir(b.parent_path(), 0700);
    fs::atomic_write(b, *p.before, 0600, true);
    p.record.backup = b.string();
    crash_point::reach("setup.backed_up");
  }
  if (!p.had_record && !p.before) {
    const stdfs::path home = ctx.paths().home;
    for (auto d = fs::write_target(p.op.path).parent_path();
         !d.empty() && d != home && d != d.root_path() && !stdfs::exists(d); d = d.parent_path())
      p.record.created_dirs.push_back(d.string());
  }
  // Changed by someone else since lwgw's last write: restoring the original would lose that.
  // Not for a file that is all lwgw's: this write replaces whatever was changed in it.
  if (p.had_record && p.record.kind != FileKind::kOwned &&
      sha256_hex(p.before.value_or("")) != p.record.written_sha)
    p.record.changed_since = true;
  p.record.written_sha = sha256_hex(p.after);
  std::optional<FileRecord> prior;
  if (auto it = manifest.files.find(key); it != manifest.files.end()) prior = it->second;
  announce(key, {p.before ? std::optional(sha256_hex(*p.before)) : std::nullopt,
                 p.record.written_sha, p.record, prior});
  crash_point::reach("setup.announced");
  mode_t mode = p.op.secret ? 0600 : 0644;
  fs::atomic_write(p.op.path, p.after, mode, p.op.secret);
  crash_point::reach("setup.written");
  manifest.files[key] = p.record;
  manifest.pending.erase(key);
  manifest.save(ctx.paths());
  crash_point::reach("setup.recorded");
}

void Run::check_target(const stdfs::path& path) {
  const Paths& ps = ctx.paths();
  const stdfs::path target = fs::write_target(path);
  if (auto why = fs::outside_refusal(
          target, {ps.home, ps.codex_home, ps.claude_config_dir, ps.zdotdir, ps.xdg_config_home}))
    throw config_error(label(path) + ": " + *why);
  fs::check_write(target);
}

void Run::announce(const std::string& key, const Intent& in) {
  manifest.pending[key] = in;
  manifest.save(ctx.paths());
}

void Run::recover() {
  const Paths& paths = ctx.paths();
  fs::remove_stale_temps(paths.state_dir, Manifest::path(paths).filename().string());
  fs::remove_stale_temps(paths.state_dir / "backups");
  for (const auto& [key, rec] : manifest.files) remove_temps_of(key);
  const auto pending = manifest.pending;
  for (const auto& [key, in] : pending) {
    remove_temps_of(key);
    std::optional<std::string> now;
    try {
      if (auto text = fs::read_file(key)) now = sha256_hex(*text);
    } catch (const Error& e) {
      error(label(key) + ": cannot finish an interrupted change: " + e.what(), e.code());
      continue;
    }
    const std::optional<FileRecord> rec = settle(in, now);
    if (!rec && !now)
      for (const auto& r : {in.done, in.undone})
        if (r) remove_dirs(*r);
    if (rec)
      manifest.files[key] = *rec;
    else
      manifest.files.erase(key);
    manifest.pending.erase(key);
    ctx.log().warn(label(key) + ": an earlier setup or teardown was interrupted here; " +
                   (now == in.after_sha ? "its change had been made and is recorded now"
                                        : "the file was not changed, and lwgw's record of it "
                                          "is as before that run"));
  }
  if (!pending.empty()) manifest.save(paths);
}

void Run::remove_temps_of(const std::string& key) {
  try {
    const stdfs::path target = fs::write_target(key);
    fs::remove_stale_temps(target.parent_path(), target.filename().string());
  } catch (const Error&) {
    // A link loop: nothing lwgw could have written there.
  }
}

void Run::forget(const std::string& key, bool whole, const std::vector<Edit>& rest) {
  if (whole)
    manifest.files.erase(key);
  else
    manifest.files[key].edits = rest;
  manifest.pending.erase(key);
  if (!dry_run) manifest.save(ctx.paths());
}

// A file untouched since lwgw wrote it gets its original bytes back (or goes, when setup created
// it). nullopt when that is not possible (changed since, or the backup is gone).
std::optional<std::string> Run::restore_untouched(const std::string& key, const FileRecord& rec,
                                                  const std::string& current) {
  // (An owned file is lwgw's whole: a change a later setup overwrote does not count; older
  // manifests may still say changed_since for one.)
  const bool changed = rec.changed_since && rec.kind != FileKind::kOwned;
  if (changed || sha256_hex(current) != rec.written_sha) return std::nullopt;
  const stdfs::path path = key;
  std::optional<std::string> original;
  if (!rec.created && !rec.backup.empty()) original = fs::read_file(rec.backup);
  if (!rec.created && !original) return std::nullopt;
  if (dry_run) {
    show_diff(path, current, original);
  } else {
    check_target(path);
    announce(key,
             {sha256_hex(current), original ? std::optional(sha256_hex(*original)) : std::nullopt,
              std::nullopt, rec});
    crash_point::reach("teardown.announced");
    if (rec.created) {
      fs::remove_file(path);
      crash_point::reach("teardown.removed");
      remove_dirs(rec);
    } else {
      fs::atomic_write(path, *original, static_cast<mode_t>(rec.original_mode.value_or(0644)),
                       true);
    }
    crash_point::reach("teardown.written");
  }
  forget(key, true, {});
  return rec.created ? "removed " + label(path) + " (setup had created it)"
                     : "restored " + label(path) + " as it was before setup";
}

// A file changed since: only what lwgw put in comes out, everything else stays.
std::string Run::take_out(const std::string& key, const FileRecord& rec, bool whole,
                          const std::vector<Edit>& mine, const std::vector<Edit>& rest,
                          const std::string& current) {
  const stdfs::path path = key;
  const std::string l = label(path);
  std::string next;
  try {
    next = reverted(rec, mine, current);
  } catch (const Malformed& e) {
    throw config_error(where(l, e) + "; the file was left untouched");
  }
  if (whole && rec.created && empty_file(rec, next)) {
    if (dry_run) {
      show_diff(path, current, std::nullopt);
    } else {
      check_target(path);
      announce(key, {sha256_hex(current), std::nullopt, std::nullopt, rec});
      crash_point::reach("teardown.announced");
      fs::remove_file(path);
      crash_point::reach("teardown.removed");
      remove_dirs(rec);
      crash_point::reach("teardown.written");
    }
    return "removed " + l + " (setup had created it; nothing else was left in it)";
  }
  if (next == current)
    return rec.kind == FileKind::kOwned ? "left " + l + " alone (you edited it since setup)"
                                        : "nothing of lwgw's left in " + l;
  if (dry_run) {
    show_diff(path, current, next);
  } else {
    check_target(path);
    FileRecord after = rec;
    after.edits = rest;
    after.written_sha = sha256_hex(next);
    announce(key, {sha256_hex(current), after.written_sha,
                   whole ? std::nullopt : std::optional(after), rec});
    crash_point::reach("teardown.announced");
    bool restore_mode = whole && rec.secret && !rec.created && rec.original_mode;
    fs::atomic_write(path, next, static_cast<mode_t>(rec.original_mode.value_or(0644)),
                     restore_mode);
    crash_point::reach("teardown.written");
    if (!whole) manifest.files[key].written_sha = after.written_sha;
  }
  return "removed lwgw's settings from " + l + " (kept your changes made since setup)";
}

std::string Run::undo(const std::string& key, const std::set<std::string>& clis) {
  const FileRecord rec = manifest.files.at(key);
  std::vector<Edit> mine, rest;
  for (const auto& e : rec.edits) (clis.count(e.cli) ? mine : rest).push_back(e);
  const bool whole = (rec.kind == FileKind::kBlock || rec.kind == FileKind::kOwned)
                         ? clis.count(rec.cli) > 0
                         : rest.empty();
  if (!whole && mine.empty()) return "";
  auto current = fs::read_file(key);
  if (!current) {
    forget(key, whole, rest);
    return label(key) + " is gone already";
  }
  if (whole)
    if (auto what = restore_untouched(key, rec, *current)) return *what;
  std::string what = take_out(key, rec, whole, mine, rest, *current);
  forget(key, whole, rest);
  return what;
}

}  // namespace lwgw::setup
