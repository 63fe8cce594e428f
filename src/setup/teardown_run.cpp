// `lwgw teardown`: undo, CLI by CLI, exactly what setup recorded; the shell side goes with the
// last CLI that reads the env file, else the env file is rewritten for those that stay.
#include <algorithm>
#include <ostream>

#include "commit.hpp"
#include "lock.hpp"
#include "lwgw/clis/profile.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/setup/engine.hpp"
#include "shell_files.hpp"

namespace lwgw::setup {

namespace {

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
bool teardown_cli(Run& run, const std::string& cli) {
  if (const clis::CliProfile* p = clis::find(cli); p && !p->hints.teardown.empty()) {
    run.out << cli << ": " << p->hints.teardown << "\n";
    return true;
  }
  const std::vector<std::string> keys = files_of(run.manifest, cli);
  if (keys.empty() && !run.manifest.clis.count(cli)) {
    run.out << cli << ": not set up; nothing to undo\n";
    return true;
  }
  bool ok = true;
  for (const auto& k : keys) {
    try {
      std::string what = run.undo(k, {cli});
      if (!what.empty()) run.out << cli << ": " << what << "\n";
    } catch (const Error& e) {
      ok = false;
      run.error(cli + ": " + e.what(), e.code());
    }
  }
  if (ok && !run.dry_run) {
    run.manifest.clis.erase(cli);
    run.manifest.save(run.ctx.paths());
  }
  if (keys.empty()) run.out << cli << ": nothing left to undo\n";
  return ok;
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
void teardown_shell(Run& run, const std::vector<std::string>& clis,
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
        if (!what.empty()) run.out << "shell: " << what << "\n";
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
  Run run{ctx, Manifest::load(ctx.paths()), r.dry_run, *ctx.io.out};
  if (!r.dry_run) run.recover();
  const std::vector<std::string> clis = clis_to_restore(r, run.manifest);
  if (clis.empty()) run.out << "nothing to undo: lwgw setup has not changed any file\n";
  std::set<std::string> failed;
  for (const auto& cli : clis)
    if (!teardown_cli(run, cli)) failed.insert(cli);
  teardown_shell(run, clis, failed);
  if (r.dry_run) run.out << "dry run: nothing was written\n";
  return run.code;
}

}  // namespace lwgw::setup
