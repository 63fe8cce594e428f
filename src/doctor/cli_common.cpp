// The checks every coding CLI gets: installed, configured by lwgw and still as setup left it,
// its proxy answering, this shell's environment; and the helpers the CLI files share.
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include <toml++/toml.h>

#include "../setup/manifest.hpp"
#include "clis.hpp"
#include "lwgw/doctor/net.hpp"
#include "lwgw/doctor/support.hpp"
#include "lwgw/process.hpp"
#include "lwgw/setup/edits.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::doctor {

namespace {

std::vector<std::filesystem::path> on_path(const std::string& program, const Env& env) {
  std::vector<std::filesystem::path> out;
  std::stringstream path(env.get_or("PATH", "/usr/local/bin:/usr/bin:/bin"));
  std::string dir;
  while (std::getline(path, dir, ':')) {
    if (dir.empty()) continue;
    auto candidate = std::filesystem::path(dir) / program;
    std::error_code ec;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate, ec) &&
        std::find(out.begin(), out.end(), candidate) == out.end())
      out.push_back(candidate);
  }
  return out;
}

std::string first_line(const std::string& s) {
  std::string t = util::trim(s);
  return t.substr(0, t.find('\n'));
}

Result installed(const Facts& f, const clis::CliProfile& p, const CliDoctor& d) {
  const std::string bin(p.binary), cli(p.name);
  const auto copies = on_path(bin, f.env);
  const Fix install{"install it", std::string(d.install)};
  if (copies.empty()) {
    if (f.mode_of(cli).empty()) return skip("not installed (`" + bin + "` is not on PATH)");
    return warn("set up by lwgw, but `" + bin + "` is not on PATH", install);
  }
  const int ms = static_cast<int>(f.seconds_left() * 1000);
  auto r = process::run({copies[0].string(), "--version"}, "", f.env, ms);
  std::vector<std::string> all;
  all.reserve(copies.size());
  for (const auto& c : copies) all.push_back(f.show(c));
  const std::string where = f.show(copies[0]);
  if (r.timed_out)
    return warn("`" + where + " --version` did not answer within " + std::to_string(ms / 1000) +
                    " s",
                {"check the installation", std::string(d.install)})
        .with("copies", all);
  if (r.exit_code != 0)
    return warn("`" + where + " --version` failed (exit " + std::to_string(r.exit_code) +
                    "): " + first_line(r.err),
                {"reinstall it", std::string(d.install)})
        .with("copies", all);
  std::string summary = first_line(r.out) + " (" + where + ")";
  if (copies.size() > 1) summary += "; " + std::to_string(copies.size() - 1) + " more on PATH";
  return ok(summary).with("copies", all).with("version", first_line(r.out));
}

std::string path_text(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& k : path) out += (out.empty() ? "" : ".") + k;
  return out;
}

std::optional<std::string> toml_literal_text(const std::string& literal) {
  try {
    toml::table t = toml::parse("v = " + literal, std::string_view{});
    const toml::node* n = t.get("v");
    if (!n) return std::nullopt;
    if (auto s = n->value<std::string>()) return *s;
    std::ostringstream o;
    n->visit([&o](const auto& v) { o << v; });
    return o.str();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// What changed in one file setup wrote: keys of lwgw's removed (`gone`), values changed since.
struct Drift {
  std::vector<std::string> gone, changed;
};

void compare_edits(const std::filesystem::path& file, const setup::FileRecord& rec,
                   const std::string& cli, Drift& d) {
  for (const auto& e : rec.edits) {
    if (e.cli != cli || !e.value) continue;
    const std::string key = path_text(e.path);
    if (rec.kind == setup::FileKind::kJson) {
      auto now = json_at(file, e.path);
      auto doc = read_json(file);
      auto value = doc ? setup::json_get(*doc, e.path) : std::nullopt;
      if (!now || !value)
        d.gone.push_back(key);
      else if (*value != *e.value)
        d.changed.push_back(key);
    } else if (rec.kind == setup::FileKind::kToml) {
      auto now = toml_at(file, e.path);
      auto was =
          e.value->is_string() ? toml_literal_text(e.value->get<std::string>()) : std::nullopt;
      if (!now)
        d.gone.push_back(key);
      else if (was && now->value != *was)
        d.changed.push_back(key);
    }
  }
}

bool owned_by(const setup::FileRecord& rec, const std::string& cli) {
  if (rec.cli == cli) return true;
  return std::any_of(rec.edits.begin(), rec.edits.end(),
                     [&](const setup::Edit& e) { return e.cli == cli; });
}

/// Compares every file setup wrote for `cli` with what is there now.
std::optional<Result> file_drift(const Facts& f, const std::string& cli, Drift& drift,
                                 std::vector<std::string>& files) {
  setup::Manifest m;
  try {
    m = setup::Manifest::load(f.paths);
  } catch (const std::exception& e) {
    return fail(e.what(), {"set it up again", "lwgw setup " + cli});
  }
  const Fix again{"set it up again", "lwgw setup " + cli};
  for (const auto& [path, rec] : m.files) {
    if (!owned_by(rec, cli)) continue;
    files.push_back(f.show(path));
    auto text = read_text(path);
    if (!text) return fail(f.show(path) + " is gone (setup wrote it)", again).at(f.show(path));
    if (rec.kind == setup::FileKind::kBlock && !setup::block_body(*text))
      return fail("lwgw's block was removed from " + f.show(path), again).at(f.show(path));
    if (rec.kind == setup::FileKind::kOwned && setup::sha256_hex(*text) != rec.written_sha)
      drift.changed.push_back(f.show(path));
    compare_edits(path, rec, cli, drift);
    if (!drift.gone.empty())
      return fail(f.show(path) + ": lwgw's " + drift.gone.front() + " was removed", again)
          .at(f.show(path));
  }
  return std::nullopt;
}

/// The base URL and key the CLI's files hold, against the mode's.
std::optional<Result> target_mismatch(const Facts& f, const std::string& cli,
                                      const std::string& mode, const CliDoctor& d) {
  const Fix again{
      "point it at the " + std::string(mode == "proxy" ? "proxy" : "gateway") + " again",
      "lwgw setup " + cli};
  const std::string root = expected_root(f, mode);
  if (d.base_url) {
    auto url = d.base_url(f);
    if (!url) return fail("no base URL for lwgw in its configuration", again);
    const std::string& v = url->value;
    const bool match = v.rfind(root, 0) == 0 && (v.size() == root.size() || v[root.size()] == '/');
    if (!match)
      return fail("points at " + net::safe_url(v) + ", but " +
                      (mode == "proxy" ? "proxy.listen is " + f.listen
                                       : "gateway.url is " + f.gateway),
                  again)
          .at(f.show(url->file), url->line);
  }
  if (d.key) {
    auto key = d.key(f);
    auto want = expected_key(f, mode);
    if (key && want && key->value != *want)
      return fail(mode == "proxy" ? "holds an old local token: the proxy refuses its requests"
                                  : "holds another key than the one lwgw has",
                  again)
          .at(f.show(key->file), key->line);
  }
  return std::nullopt;
}

Result configured(const Facts& f, const clis::CliProfile& p, const CliDoctor& d) {
  const std::string cli(p.name);
  const std::string mode = f.mode_of(cli);
  if (mode.empty()) return not_set_up(cli);
  Drift drift;
  std::vector<std::string> files;
  if (auto r = file_drift(f, cli, drift, files)) return *r;
  if (auto r = target_mismatch(f, cli, mode, d)) return *r;
  if (!drift.changed.empty())
    return warn(mode + " mode, but " + drift.changed.front() +
                    (drift.changed.size() > 1
                         ? " and " + std::to_string(drift.changed.size() - 1) + " more"
                         : "") +
                    " changed since setup wrote it",
                {"set it up again if that was not on purpose", "lwgw setup " + cli})
        .with("changed", drift.changed)
        .with("files", files);
  std::string where = files.empty() ? "" : " (" + files.front() + ")";
  return ok(mode + " mode, as setup left it" + where).with("files", files).with("mode", mode);
}

Result proxy_up(const Facts& f, const clis::CliProfile& p, const Done& done) {
  const std::string cli(p.name);
  const std::string mode = f.mode_of(cli);
  if (mode.empty()) return not_set_up(cli);
  if (mode != "proxy") return skip("set up in direct mode: it talks to the gateway itself");
  const Result* l = done.find("proxy.listener");
  const std::string kind = l ? l->details.value("kind", "") : "";
  const std::string title(p.title);
  if (kind == "lwgw") return ok("its proxy answers on " + f.listen);
  if (kind == "draining")
    return warn("its proxy on " + f.listen + " is being stopped", start_proxy_fix());
  if (kind == "foreign" || kind == "other_lwgw")
    return fail(title + " sends its requests and local token to " + f.listen + ", which " +
                    (kind == "foreign" ? "another program" : "an lwgw started elsewhere") +
                    " holds (see proxy.listener)",
                l && l->fix ? *l->fix : start_proxy_fix());
  return fail("set up for the proxy, but nothing listens on " + f.listen + ": " + title +
                  " cannot reach the gateway",
              start_proxy_fix());
}

bool rc_hooked(const Facts& f) {
  const auto env_sh = f.paths.config_dir / "env.sh";
  for (const auto& rc : {f.paths.home / ".bashrc", f.paths.zdotdir / ".zshrc"}) {
    auto text = read_text(rc);
    auto body = text ? setup::block_body(*text) : std::nullopt;
    if (body && body->find("env.sh") != std::string::npos) return true;
  }
  return read_text(f.paths.xdg_config_home / "fish" / "conf.d" / "lwgw.fish").has_value();
}

Result shell_env(const Facts& f, const clis::CliProfile& p) {
  const std::string cli(p.name);
  const std::string mode = f.mode_of(cli);
  if (mode.empty()) return not_set_up(cli);
  const Fix again{"set it up again", "lwgw setup " + cli};
  const auto env_sh = f.paths.config_dir / "env.sh";
  if (!read_text(env_sh)) return fail("the env file " + f.show(env_sh) + " is missing", again);
  if (!rc_hooked(f)) return fail("no shell start-up file sources " + f.show(env_sh), again);
  std::vector<std::string> missing, stale, names;
  for (const auto& need : p.env) {
    const std::string name = need.name;
    names.push_back(name);
    auto want = need.value == setup::EnvNeed::Value::kKey ? expected_key(f, mode)
                                                          : std::optional(expected_root(f, mode));
    auto in_file = env_file_value(f, name);
    if (want && in_file != want)
      return fail(f.show(env_sh) + " exports " + (in_file ? "an old " : "no ") + name, again)
          .at(f.show(env_sh));
    auto here = f.env.get(name);
    if (!here)
      missing.push_back(name);
    else if (want && *here != *want)
      stale.push_back(name);
  }
  const bool fish = setup::default_shell(f.env) == "fish";
  const Fix reload{
      "open a new terminal, or load them into this one",
      fish ? "source " + f.show(f.paths.config_dir / "env.fish") : ". " + f.show(env_sh)};
  if (!missing.empty())
    return warn("this shell started before setup: " + missing.front() +
                    (missing.size() > 1 ? " and others are" : " is") + " not set here",
                reload)
        .with("missing", missing);
  if (!stale.empty())
    return warn("this shell has an old " + stale.front() + " (it started before the last setup)",
                reload)
        .with("stale", stale);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  Result r = ok(list + " set in this shell");
  if (!p.doctor.gui_front_end || names.empty()) return r;
  // Informational: a CLI run from a terminal is fine either way, so this never warns.
  const auto want = p.env.front().value == setup::EnvNeed::Value::kKey
                        ? expected_key(f, mode)
                        : std::optional(expected_root(f, mode));
  const std::string gui = gui_session_sees(f, names.front(), want.value_or(""));
  r.summary += gui == "yes"  ? "; apps started from the desktop see it too"
               : gui == "no" ? "; apps started from the desktop (" + std::string(p.title) +
                                   "'s IDE extension) do not: start them from a terminal"
               : gui == "another value" ? "; apps started from the desktop see an old " +
                                              names.front() + ": start them from a terminal"
                                        : "";
  return r.with("gui_session", gui.empty() ? "unknown" : gui);
}

}  // namespace

const CliDoctor* cli_doctor(std::string_view cli) {
  const clis::CliProfile* p = clis::find(cli);
  return p ? &p->doctor : nullptr;
}

std::vector<Check> cli_checks(const clis::CliProfile& p) {
  const std::string cli(p.name), title(p.title);
  const clis::CliProfile* pp = &p;
  const CliDoctor& d = p.doctor;
  const CliDoctor* dp = &d;
  std::vector<Check> out;
  if (!p.binary.empty())
    out.push_back(
        {.id = cli + ".installed",
         .group = cli,
         .title = title + " is on PATH, and its version",
         .slow = true,
         .run = [pp, dp](const Facts& f, const Done&) { return installed(f, *pp, *dp); }});
  if (p.writes_files()) {
    out.push_back(
        {.id = cli + ".configured",
         .group = cli,
         .title = "set up by lwgw, in which mode, and still as setup left it",
         .run = [pp, dp](const Facts& f, const Done&) { return configured(f, *pp, *dp); }});
    out.push_back(
        {.id = cli + ".proxy_up",
         .group = cli,
         .title = "set up for the proxy: the proxy answers",
         .after = {"proxy.listener"},
         .run = [pp](const Facts& f, const Done& done) { return proxy_up(f, *pp, done); }});
  }
  if (p.uses_env_file())
    out.push_back({.id = cli + ".env",
                   .group = cli,
                   .title = "this shell has the variables of lwgw's env file",
                   .run = [pp](const Facts& f, const Done&) { return shell_env(f, *pp); }});
  if (d.traps)
    for (auto& c : d.traps()) out.push_back(std::move(c));
  return out;
}

std::optional<Located> json_at(const std::filesystem::path& file,
                               const std::vector<std::string>& path) {
  auto text = read_text(file);
  auto doc = read_json(file);
  if (!text || !doc || path.empty()) return std::nullopt;
  auto v = setup::json_get(*doc, path);
  if (!v) return std::nullopt;
  const size_t pos = text->find("\"" + path.back() + "\"");
  return Located{v->is_string() ? v->get<std::string>() : v->dump(), file,
                 pos == std::string::npos ? 0 : line_at(*text, pos)};
}

std::optional<Located> toml_at(const std::filesystem::path& file,
                               const std::vector<std::string>& path) {
  auto text = read_text(file);
  if (!text) return std::nullopt;
  try {
    toml::table root = toml::parse(*text, std::string_view{});
    const toml::node* n = &root;
    for (const auto& k : path) {
      const toml::table* t = n->as_table();
      n = t ? t->get(k) : nullptr;
      if (!n) return std::nullopt;
    }
    std::string value;
    if (auto s = n->value<std::string>()) {
      value = *s;
    } else {
      std::ostringstream o;
      n->visit([&o](const auto& v) { o << v; });
      value = o.str();
    }
    return Located{value, file, static_cast<int>(n->source().begin.line)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::string> env_file_value(const Facts& f, const std::string& name) {
  auto text = read_text(f.paths.config_dir / "env.sh");
  if (!text) return std::nullopt;
  const std::string prefix = "export " + name + "=";
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::string v = line.substr(prefix.size());
    if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') {
      v = v.substr(1, v.size() - 2);
      for (size_t pos = v.find("'\\''"); pos != std::string::npos; pos = v.find("'\\''", pos + 1))
        v.replace(pos, 4, "'");
    }
    return v;
  }
  return std::nullopt;
}

std::string gui_session_sees(const Facts& f, const std::string& name, const std::string& want) {
#ifdef __APPLE__
  auto r = process::run({"launchctl", "getenv", name}, "", f.env, 1000);
  if (r.exit_code != 0) return "";
  std::string v = r.out;
  while (!v.empty() && v.back() == '\n') v.pop_back();
  if (v.empty()) return "no";
  return want.empty() || v == want ? "yes" : "another value";
#else
  // Desktop sessions started by systemd take their environment from the user manager.
  if (!process::find_in_path("systemctl", f.env)) return "";
  auto r = process::run({"systemctl", "--user", "show-environment"}, "", f.env, 1000);
  if (r.exit_code != 0) return "";
  std::istringstream in(r.out);
  std::string line;
  const std::string prefix = name + "=";
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0)
      return want.empty() || line.substr(prefix.size()) == want ? "yes" : "another value";
  return "no";
#endif
}

std::optional<Result> unless_set_up(const Facts& f, std::string_view cli) {
  if (f.mode_of(std::string(cli)).empty()) return not_set_up(std::string(cli));
  return std::nullopt;
}

}  // namespace lwgw::doctor
