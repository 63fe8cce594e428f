// `lwgw setup`: for each CLI profile, plan its files, commit them and report; then the shell side
// (env file and rc hooks) for the CLIs that read the env file.
#include <algorithm>
#include <ostream>
#include <sstream>

#include "commit.hpp"
#include "lock.hpp"
#include "lwgw/clis/profile.hpp"
#include "lwgw/completion/values.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/daemon/service.hpp"
#include "lwgw/daemon/start.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/process.hpp"
#include "lwgw/setup/engine.hpp"
#include "lwgw/setup/model_choice.hpp"
#include "lwgw/setup/report.hpp"
#include "lwgw/util/clock.hpp"
#include "shell_files.hpp"

namespace lwgw::setup {

namespace {

using Profiles = std::vector<const clis::CliProfile*>;

// What the CLIs of one setup run share.
struct Session {
  const SetupRequest& r;
  Run& run;
  std::optional<Target> target{};  // none when no CLI of the run writes files (Cursor alone)
  std::optional<std::vector<std::string>> models{};  // the gateway's list, when it answered
  std::string proxy_next = "`lwgw up`";  // proxy mode without the service, when it is not running
  std::vector<std::string> env_clis_done{};
  SetupReport rep{};
  CliRow* row = nullptr;  // the CLI being set up
};

// --model goes to every CLI with model slots, --small-model to those with a background slot: one
// value for CLIs of different families is refused.
void check_model_flags(const SetupRequest& r, const Profiles& profiles) {
  std::vector<std::pair<std::string, Family>> main, small;
  for (const clis::CliProfile* p : profiles) {
    if (p->models.slots.empty()) continue;
    main.emplace_back(p->name, p->models.family);
    if (p->models.small_model()) small.emplace_back(p->name, p->models.family);
  }
  if (!r.small_model.empty() && small.empty()) {
    std::string which;
    for (const clis::CliProfile* p : clis::all())
      if (p->models.small_model()) which += (which.empty() ? "" : ", ") + std::string(p->name);
    throw usage_error("--small-model is a background model, which only " + which +
                      " have; add one of them");
  }
  if (!r.model.empty()) check_one_family(main, "--model", r.model);
  if (!r.small_model.empty()) check_one_family(small, "--small-model", r.small_model);
}

Profiles profiles_of(const SetupRequest& r) {
  if (r.clis.empty()) throw usage_error("name the CLIs to set up, or use --all");
  Profiles out;
  for (const auto& name : r.clis) out.push_back(&clis::get(name));
  check_model_flags(r, out);
  return out;
}

// Says whether the CLIs will find a proxy where they are being pointed.
void check_running_proxy(Context& ctx, Session& s) {
  auto live = daemon::find_running(ctx.paths(), ctx.env);
  if (!live) return;
  std::string want = ctx.config().get_string("proxy.listen");
  if (live->state.listen == want) {
    s.proxy_next.clear();
    s.rep.proxy = "proxy: already runs on http://" + want;
  } else {
    ctx.log().warn("the running proxy listens on " + live->state.listen + ", not on " + want +
                   " (proxy.listen) where the CLIs are pointed: run `lwgw down && lwgw up`");
    s.proxy_next = "`lwgw down && lwgw up`";
  }
}

void start_session(Context& ctx, Session& s, const Profiles& profiles) {
  const SetupRequest& r = s.r;
  if (std::none_of(profiles.begin(), profiles.end(), [](auto* p) { return p->writes_files(); }))
    return;
  if (r.mode == Mode::kProxy && !resolve_vk(ctx.credentials(), ctx.env))
    throw config_error(
        "not logged in: the proxy needs your virtual key; run `lwgw login` first, then this "
        "`lwgw setup` again");
  s.target =
      resolve_target(ctx, {.mode = r.mode, .persist_token = !r.dry_run, .stored_vk_only = true});
  s.models = fetch_models(ctx);
  if (s.models && !r.dry_run)  // what `setup --model <TAB>` offers, without asking the gateway
    completion::save_served_models(ctx.paths(), ctx.config().get_string("gateway.url"), *s.models);
  if (s.models) {  // before any file is written
    if (!r.model.empty()) check_served("--model", r.model, *s.models, r.force);
    if (!r.small_model.empty()) check_served("--small-model", r.small_model, *s.models, r.force);
  }
  if (r.mode == Mode::kProxy && r.no_service) check_running_proxy(ctx, s);
  // Otherwise the proxy is taken care of at the end (ensure_proxy), and said so there.
  if (r.mode == Mode::kProxy && !r.no_service) s.proxy_next.clear();
}

FileRow file_row(const std::string& label, const Planned& p, bool dry_run) {
  FileRow f{.label = label, .action = "unchanged"};
  if (p.changed())
    f.action =
        dry_run ? (p.before ? "would update" : "would create") : (p.before ? "updated" : "created");
  if (p.changed()) f.keys = p.changed_keys;
  return f;
}

// The env file holds one key: CLIs set up in the other mode now share this run's.
void warn_other_mode(Session& s, const std::string& cli) {
  const std::string mode = mode_name(s.r.mode);
  for (const auto& [other, info] : s.run.manifest.clis)
    if (other != cli && uses_env_file(other) && info.value("mode", "") != mode &&
        std::find(s.r.clis.begin(), s.r.clis.end(), other) == s.r.clis.end())
      s.run.ctx.log().warn(other + " was set up in " + info.value("mode", "") +
                           " mode and now shares the " + mode +
                           "-mode key in the env file; run `lwgw setup " + other +
                           (s.r.mode == Mode::kDirect ? " --direct" : "") + "` too");
}

void record_cli(Session& s, const clis::CliProfile& p) {
  const std::string cli(p.name);
  if (p.uses_env_file()) warn_other_mode(s, cli);
  s.run.manifest.clis[cli] =
      nlohmann::ordered_json{{"mode", mode_name(s.r.mode)}, {"at", util::utc_now_iso()}};
  s.run.manifest.save(s.run.ctx.paths());
}

// The models the CLI will ask for (its slots), chosen from the gateway's list; said in one line,
// with a warning for each model that will fail.
std::vector<Pick> choose_for(Session& s, const clis::CliProfile& p, const clis::SetupInputs& in) {
  const clis::ModelSlots& m = p.models;
  if (m.slots.empty()) return {};
  ChoiceInput ci{.family = m.family,
                 .slots = m.slots,
                 .model = s.r.model,
                 .small_model = s.r.small_model,
                 .force = s.r.force};
  if (m.configured) ci.configured = m.configured(in);
  return choose_models(ci, s.models);
}

void report_picks(Session& s, const clis::CliProfile& p, const std::vector<Pick>& picks) {
  // An unknown list leaves every model as it is: said once, at the end (report_models).
  if (std::all_of(picks.begin(), picks.end(),
                  [](const Pick& k) { return k.source == Source::kUnknown; }))
    return;
  s.row->models = describe(picks);
  if (!picks.empty()) s.row->model = picks.front().id;
  for (const auto& w : warnings(p.name, p.title, p.models.family, picks,
                                s.models.value_or(std::vector<std::string>{})))
    s.run.ctx.log().warn(w);
}

// Plans every file of the CLI before writing any of them, then writes and reports each.
void setup_files(Session& s, const clis::CliProfile& p) {
  Run& run = s.run;
  const std::vector<std::string> models = s.models.value_or(default_models());
  clis::SetupInputs in{.ctx = run.ctx,
                       .out = run.out,
                       .target = *s.target,
                       .fix = s.r.yes,
                       .models = models,
                       .models_from_gateway = s.models.has_value()};
  std::vector<clis::Broken> broken;
  in.broken = &broken;
  const std::vector<Pick> picks = choose_for(s, p, in);
  in.picks = &picks;
  std::vector<Planned> planned;
  for (const auto& op : p.files(in))
    planned.push_back(plan_file(op, run.manifest, run.label(op.path)));
  std::vector<clis::WrittenFile> written;
  for (auto& f : planned) {
    const std::string label = run.label(f.op.path);
    s.row->files.push_back(file_row(label, f, s.r.dry_run));
    run.commit(f);
    written.push_back({label, f.after});
  }
  report_picks(s, p, picks);
  if (p.after_setup) p.after_setup(in, written);
  if (!s.r.dry_run) record_cli(s, p);
  if (p.uses_env_file()) s.env_clis_done.emplace_back(p.name);
  // Configured, but known to fail until the user (or --yes) fixes what lwgw left alone.
  for (const auto& b : broken) {
    s.run.error(std::string(p.name) + ": " + b.problem + "; fix: `" + b.fix + "`", Exit::kFailed);
    s.row->status = "broken";
    s.row->problems.push_back(b.problem);
    s.row->fixes.push_back(b.fix);
  }
}

void setup_cli(Session& s, const clis::CliProfile& p) {
  const std::string cli(p.name);
  CliRow& row = s.rep.clis.emplace_back();
  s.row = &row;
  row.name = cli;
  row.title = std::string(p.title);
  row.binary = std::string(p.binary);
  row.installed = !p.binary.empty() && process::find_in_path(row.binary, s.run.ctx.env);
  row.mode = mode_name(s.r.mode);
  row.next_hint = std::string(p.hints.next);
  row.uses_env_file = p.uses_env_file();
  try {
    if (p.guide) {
      row.status = "by_hand";
      row.mode = "direct";  // what it pastes goes to the gateway itself
      std::ostringstream guide;
      auto e = p.guide(s.run.ctx, guide);
      row.guide = guide.str();
      s.run.out << row.guide;
      if (e) throw *e;
    } else {
      setup_files(s, p);
    }
  } catch (const Error& e) {
    s.run.error(cli + ": " + e.what(), e.code());
    row.status = "error";
    row.problems.emplace_back(e.what());
  }
}

// The shells to hook: the one asked for (or $SHELL's), and those hooked before.
std::set<std::string> shells_to_hook(Session& s, const ShellFiles& f) {
  std::set<std::string> shells;
  const std::string asked = s.r.shell.empty() ? default_shell(s.run.ctx.env) : s.r.shell;
  if (asked == "all")
    shells = {"bash", "zsh", "fish"};
  else
    shells.insert(asked);
  const auto& files = s.run.manifest.files;
  if (files.count(f.bashrc.string())) shells.insert("bash");
  if (files.count(f.zshrc.string())) shells.insert("zsh");
  if (files.count(f.fish_conf.string())) shells.insert("fish");
  return shells;
}

void warn_bash_profile(Context& ctx) {
  auto text = fs::read_file(ctx.paths().home / ".bash_profile");
  if (text && text->find(".bashrc") == std::string::npos)
    ctx.log().warn(
        "~/.bash_profile does not source ~/.bashrc, so login shells (ssh, "
        "macOS Terminal) will not see these settings; add to it: "
        "[ -f ~/.bashrc ] && . ~/.bashrc");
}

// The env file with the key for every CLI that reads it, and the rc hooks that source it.
void setup_shell(Session& s, const std::set<std::string>& env_clis) {
  Run& run = s.run;
  Context& ctx = run.ctx;
  const ShellFiles f = ShellFiles::of(ctx.paths());
  const std::set<std::string> shells = shells_to_hook(s, f);
  const EnvVars vars = env_vars_for(*s.target, env_clis);
  std::vector<Planned> planned;
  for (const auto& op : shell_ops(f, shells, vars, ctx.paths().home))
    planned.push_back(plan_file(op, run.manifest, run.label(op.path)));
  for (auto& p : planned) {
    s.rep.shell.push_back(file_row(run.label(p.op.path), p, s.r.dry_run));
    run.commit(p);
  }
  if (shells.count("bash")) warn_bash_profile(ctx);
}

void report_models(Session& s) {
  if (!s.target) return;
  if (!s.models) {
    s.rep.models =
        "models: the gateway's list (GET /v1/models) could not be fetched, so no model was "
        "checked and the CLIs keep theirs; run `lwgw setup` again when the gateway answers";
    return;
  }
  if (!s.r.model.empty()) return;
  s.rep.models =
      "models the gateway serves: " + served_list(*s.models) + " (pin one with --model NAME)";
}

// Proxy mode: the login service runs the proxy (installed and started here), or, where no
// service manager is usable, the proxy starts in the background now.
void ensure_proxy(Session& s) {
  Context& ctx = s.run.ctx;
  std::ostringstream out;
  const daemon::ServicePlan plan = daemon::plan_service(ctx);
  const std::string listen = ctx.config().get_string("proxy.listen");
  if (s.r.dry_run) {
    out << "proxy: would "
        << (plan.can_run ? "install and start the login service (" + plan.manager + ")"
                         : "start the proxy in the background")
        << " on " << listen;
    s.rep.proxy = out.str();
    return;
  }
  try {
    if (plan.can_run) {
      daemon::Installed inst = daemon::install_service(ctx);
      out << "proxy: the login service (" << plan.manager << ") "
          << (inst.changed ? "is installed and " : "") << "runs it on http://" << listen
          << ", also after every login (`lwgw service status`)";
      s.rep.proxy = out.str();
      return;
    }
    daemon::Started st = daemon::start_background(ctx, "");
    out << "proxy: " << (st.already ? "already runs on " : "started in the background on ")
        << st.url << (st.pid ? " (pid " + std::to_string(st.pid) + ")" : "");
    s.rep.proxy = out.str();
    ctx.log().warn("no login service here (" + plan.why_not +
                   "): after a reboot, start the proxy with `lwgw up` (`lwgw exec` also starts "
                   "it), or run `lwgw service install` where systemd --user or launchd runs");
  } catch (const Error& e) {
    s.run.error(std::string("proxy: ") + e.what(), e.code());
  }
}

// Whether text went out before the report (a guide, --dry-run diffs): a blank line then.
bool printed_above(const SetupReport& r) {
  return r.dry_run || std::any_of(r.clis.begin(), r.clis.end(),
                                  [](const CliRow& c) { return !c.guide.empty(); });
}

}  // namespace

int run_setup(Context& ctx, const SetupRequest& r) {
  const Profiles profiles = profiles_of(r);
  fs::check_home(ctx.paths().home);
  std::optional<SetupLock> lock;
  if (!r.dry_run) lock.emplace(ctx.paths());
  // -q and --json show only the report; diffs and recovery notes go into it (JSON) or nowhere.
  std::ostringstream captured;
  const bool report_only = ctx.opts.json || ctx.opts.quiet;
  Run run{ctx, Manifest::load(ctx.paths()), r.dry_run, report_only ? captured : *ctx.io.out};
  const int problems_before = ctx.log().problems();
  if (!r.dry_run) run.recover();
  Session s{.r = r, .run = run};
  s.rep.mode = mode_name(r.mode);
  s.rep.dry_run = r.dry_run;
  s.rep.clis.reserve(profiles.size());  // rows stay put while s.row points at one
  start_session(ctx, s, profiles);
  for (const clis::CliProfile* p : profiles) setup_cli(s, *p);

  std::set<std::string> env_clis(s.env_clis_done.begin(), s.env_clis_done.end());
  for (const auto& [c, info] : run.manifest.clis)
    if (uses_env_file(c)) env_clis.insert(c);
  if (!env_clis.empty() && s.target) {
    try {
      setup_shell(s, env_clis);
    } catch (const Error& e) {
      run.error(std::string("shell: ") + e.what(), e.code());
    }
  }
  report_models(s);
  if (s.target && r.mode == Mode::kProxy && !r.no_service) ensure_proxy(s);
  if (s.target && r.mode == Mode::kProxy && !r.dry_run) s.rep.proxy_next = s.proxy_next;
  s.rep.errors = run.code != 0 || ctx.log().problems() > problems_before;
  s.rep.exit_code = run.code;
  s.rep.details = captured.str();
  std::ostream& out = *ctx.io.out;
  if (ctx.opts.json)
    out << to_json(s.rep).dump(2) << "\n";
  else if (ctx.opts.quiet)
    out << render_quiet(s.rep);
  else
    out << (printed_above(s.rep) ? "\n" : "") << render_human(s.rep, ctx.opts.verbose > 0);
  return run.code;
}

}  // namespace lwgw::setup
