// `lwgw teardown`: undo, CLI by CLI, exactly what setup recorded; the shell side goes with the
// last CLI that reads the env file, else the env file is rewritten for those that stay.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "commit.hpp"
#include "lock.hpp"
#include "lwgw/clis/profile.hpp"
#include "lwgw/daemon/service.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/setup/engine.hpp"
#include "shell_files.hpp"

namespace lwgw::setup {

namespace {

using ojson = nlohmann::ordered_json;

// What teardown did, for --json (the text report says the same line by line).
struct Report {
  ojson clis = ojson::array();
  ojson shell = ojson::array();
  std::vector<std::string> warnings{};
  std::vector<std::string> still_running{};
};

void said(Run& run, ojson& entry, const std::string& who, const std::string& what) {
  run.out << who << ": " << what << "\n";
  entry["changes"].push_back(what);
}

// The CLIs to restore: those named, or with --all every CLI the manifest knows (registry order
// first, then any other owner of a recorded edit).
std::vector<std::string> clis_to_restore(const TeardownRequest& r, const Manifest& m) {
  if (!r.all) return r.clis;
  std::vector<std::string> out;
  for (const clis::CliProfile* p : clis::all())
    if (m.clis.count(std::string(p->name))) out.emplace_back(p->name);
  // A run cut off before it recorded its CLI still left files of that CLI's.
  auto add = [&out](const std::string& cli) {
    if (!cli.empty() && cli != kShellOwner && std::find(out.begin(), out.end(), cli) == out.end())
      out.push_back(cli);
  };
  for (const auto& [k, rec] : m.files) {
    add(rec.cli);
    for (const auto& e : rec.edits) add(e.cli);
  }
  return out;
}

// The recorded files that hold anything of `cli`'s.
std::vector<std::string> files_of(const Manifest& m, const std::string& cli) {
  std::vector<std::string> keys;
  for (const auto& [k, rec] : m.files) {
    bool touches = rec.cli == cli;
    for (const auto& e : rec.edits) touches = touches || e.cli == cli;
    if (touches) keys.push_back(k);
  }
  return keys;
}

// Returns false when a file of the CLI could not be restored.
bool teardown_cli(Run& run, Report& rep, const std::string& cli) {
  ojson& entry = rep.clis.emplace_back(
      ojson{{"cli", cli}, {"status", "restored"}, {"changes", ojson::array()}});
  const clis::CliProfile* p = clis::find(cli);
  if (p && !p->hints.teardown.empty()) {
    entry["status"] = "by_hand";
    said(run, entry, cli, std::string(p->hints.teardown));
    return true;
  }
  const std::vector<std::string> keys = files_of(run.manifest, cli);
  if (keys.empty() && !run.manifest.clis.count(cli)) {
    entry["status"] = "not_set_up";
    said(run, entry, cli, "not set up; nothing to undo");
    return true;
  }
  bool ok = true;
  for (const auto& k : keys) {
    try {
      std::string what = run.undo(k, {cli});
      if (!what.empty()) said(run, entry, cli, what);
    } catch (const Error& e) {
      ok = false;
      entry["status"] = "error";
      entry["error"] = e.what();
      run.error(cli + ": " + e.what(), e.code());
    }
  }
  if (ok && !run.dry_run) {
    run.manifest.clis.erase(cli);
    run.manifest.save(run.ctx.paths());
    // What the user's own settings, now back, leave broken.
    if (p && p->after_teardown)
      for (const auto& w : p->after_teardown(run.ctx)) {
        run.ctx.log().warn(w);
        rep.warnings.push_back(w);
      }
  }
  if (keys.empty()) said(run, entry, cli, "nothing left to undo");
  return ok;
}

// Teardown leaves the proxy and the login service alone: said, with the commands that stop them.
void report_still_running(Run& run, Report& rep) {
  Context& ctx = run.ctx;
  bool proxy_mode_left = false;
  for (const auto& [c, info] : run.manifest.clis)
    proxy_mode_left = proxy_mode_left || info.value("mode", "proxy") == "proxy";
  const std::string users = proxy_mode_left ? "CLIs still set up use it" : "no CLI set up uses it";
  if (auto live = daemon::find_running(ctx.paths(), ctx.env))
    rep.still_running.push_back("the proxy keeps running on http://" + live->state.listen +
                                " (pid " + std::to_string(live->state.pid) + "; " + users +
                                "): `lwgw down` stops it");
  if (daemon::service_installed(ctx))
    rep.still_running.push_back(
        "the login service stays installed and starts the proxy at login: `lwgw service "
        "uninstall` removes it");
  for (const auto& line : rep.still_running) run.out << "note: " << line << "\n";
}

// The env file now holds the variables of the CLIs that stay (e.g. no longer Gemini's).
void rewrite_env_files(Run& run, const std::set<std::string>& remaining) {
  Context& ctx = run.ctx;
  const auto& info = run.manifest.clis.at(*remaining.begin());
  const Mode mode = info.value("mode", "proxy") == "direct" ? Mode::kDirect : Mode::kProxy;
  Target t = resolve_target(ctx, {.mode = mode, .persist_token = true, .stored_vk_only = true});
  EnvVars vars = env_vars_for(t, remaining);
  const ShellFiles f = ShellFiles::of(ctx.paths());
  for (const auto& [file, shell] : {std::pair{f.env_sh, "bash"}, std::pair{f.env_fish, "fish"}}) {
    if (!run.manifest.files.count(file.string())) continue;
    Planned p = plan_file(env_file_op(file, shell, vars), run.manifest, run.label(file));
    run.commit(p);
    if (p.changed()) run.out << "shell: rewrote " << run.label(file) << "\n";
  }
}

// The shell side follows the CLIs that need it: removed with the last one, else rewritten.
void teardown_shell(Run& run, Report& rep, const std::vector<std::string>& clis,
                    const std::set<std::string>& failed) {
  std::set<std::string> remaining;
  for (const auto& [c, info] : run.manifest.clis)
    if (uses_env_file(c) &&
        !(run.dry_run && !failed.count(c) && std::find(clis.begin(), clis.end(), c) != clis.end()))
      remaining.insert(c);
  std::vector<std::string> shell_files;
  for (const auto& [k, rec] : run.manifest.files)
    if (rec.cli == kShellOwner) shell_files.push_back(k);
  if (remaining.empty()) {
    for (const auto& k : shell_files) {
      try {
        std::string what = run.undo(k, {kShellOwner});
        if (!what.empty()) {
          run.out << "shell: " << what << "\n";
          rep.shell.push_back(what);
        }
      } catch (const Error& e) {
        run.error(std::string("shell: ") + e.what(), e.code());
      }
    }
  } else if (!shell_files.empty() && !run.dry_run) {
    try {
      rewrite_env_files(run, remaining);
    } catch (const Error& e) {
      run.ctx.log().warn(std::string("could not rewrite the env files: ") + e.what());
    }
  }
}

}  // namespace

int run_teardown(Context& ctx, const TeardownRequest& r) {
  if (r.clis.empty() && !r.all) throw usage_error("name the CLIs to restore, or use --all");
  fs::check_home(ctx.paths().home);
  std::optional<SetupLock> lock;
  if (!r.dry_run) lock.emplace(ctx.paths());
  // --json: the text goes into "details", the rest into fields; -q: only errors.
  std::ostringstream captured;
  Run run{ctx, Manifest::load(ctx.paths()), r.dry_run,
          ctx.opts.json || ctx.opts.quiet ? captured : *ctx.io.out};
  if (!r.dry_run) run.recover();
  const std::vector<std::string> clis = clis_to_restore(r, run.manifest);
  if (clis.empty()) run.out << "nothing to undo: lwgw setup has not changed any file\n";
  Report rep;
  std::set<std::string> failed;
  for (const auto& cli : clis)
    if (!teardown_cli(run, rep, cli)) failed.insert(cli);
  teardown_shell(run, rep, clis, failed);
  if (r.dry_run)
    run.out << "dry run: nothing was written\n";
  else if (!clis.empty())
    report_still_running(run, rep);
  if (ctx.opts.json)
    *ctx.io.out << ojson{{"dry_run", r.dry_run},
                         {"clis", rep.clis},
                         {"shell", rep.shell},
                         {"warnings", rep.warnings},
                         {"still_running", rep.still_running},
                         {"details", captured.str()},
                         {"exit", run.code}}
                       .dump(2)
                << "\n";
  return run.code;
}

}  // namespace lwgw::setup
