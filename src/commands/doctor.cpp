// `lwgw doctor`: everything that stops a coding CLI from reaching the gateway, each with its fix.
#include <sys/stat.h>
#include <sys/utsname.h>

#include <cerrno>
#include <cstring>

#include <CLI/CLI.hpp>

#include "lwgw/build_info.hpp"
#include "lwgw/clis/profile.hpp"
#include "lwgw/commands/table.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/doctor/fix.hpp"
#include "lwgw/doctor/net.hpp"
#include "lwgw/doctor/registry.hpp"
#include "lwgw/doctor/report.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/process.hpp"
#include "lwgw/redact.hpp"

namespace lwgw {

namespace {

using ojson = nlohmann::ordered_json;

struct DoctorOptions {
  std::vector<std::string> names;
  std::string cli;
  bool strict = false;
  bool list = false;
  bool ascii = false;
  bool deep = false;
  bool fix = false;
  bool yes = false;
  std::string report;  // --report FILE
};

std::string os_text() {
  utsname u{};
  if (::uname(&u) != 0) return "unknown OS";
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

/// doctor's own failures: exit 2 (usage) or 3 (could not run), as JSON with --json.
int refuse(Context& ctx, Exit code, const std::string& message) {
  if (ctx.opts.json)
    *ctx.io.out << ojson{{"error",
                          {{"code", code == Exit::kUsage ? "usage" : "doctor"},
                           {"message", redact(message)},
                           {"exit", static_cast<int>(code)}}}}
                       .dump(2)
                << "\n";
  else
    *ctx.io.err << "lwgw: error: " << redact(message) << "\n";
  return static_cast<int>(code);
}

int list(Context& ctx) {
  const auto& checks = doctor::all_checks();
  if (!ctx.opts.json) {
    *ctx.io.out << doctor::render_list(checks);
    return 0;
  }
  ojson out = ojson::array();
  for (const auto& c : checks)
    out.push_back({{"id", c.id}, {"group", c.group}, {"title", c.title}, {"needs", c.needs}});
  *ctx.io.out << out.dump(2) << "\n";
  return 0;
}

/// The report as doctor prints it (human or JSON), before the final filter.
std::string render(Context& ctx, const DoctorOptions& o, const doctor::Header& header,
                   const std::vector<doctor::Ran>& results) {
  if (ctx.opts.json) return doctor::render_json(header, results, o.strict).dump(2) + "\n";
  doctor::RenderOptions r{.ascii = o.ascii || !doctor::utf8_locale(ctx.env),
                          .color = ctx.color() && o.report.empty(),
                          .verbose = ctx.opts.verbose,
                          .strict = o.strict};
  return doctor::render_human(header, results, r);
}

/// --report FILE: the report with the proxy log's tail, written 0600; the quote line printed.
void write_report(Context& ctx, const DoctorOptions& o, const doctor::Facts& f,
                  const doctor::Header& header, const std::vector<doctor::Ran>& results,
                  const std::string& report, const std::function<std::string(std::string)>& safe) {
  std::string log;
  try {
    log = fs::read_file(daemon::log_file(f.paths)).value_or("");
  } catch (const std::exception&) {
  }
  const doctor::LogTail tail = doctor::log_tail(log, 50);
  std::string body;
  if (ctx.opts.json) {
    ojson doc = doctor::render_json(header, results, o.strict);
    doc["proxy_log"] = tail.lines;
    doc["request_ids"] = tail.request_ids;
    body = doc.dump(2) + "\n";
  } else {
    body = doctor::report_file(report, tail);
  }
  fs::atomic_write(o.report, safe(body), 0600, true);
  const std::string quote =
      safe(doctor::quote_line(header, results, f.show(std::filesystem::absolute(o.report))));
  if (ctx.opts.json)
    *ctx.io.out << ojson{{"report", f.show(std::filesystem::absolute(o.report))},
                         {"quote", quote.substr(0, quote.size() - 1)},
                         {"request_ids", tail.request_ids}}
                       .dump(2)
                << "\n";
  else
    *ctx.io.out << quote;
}

/// What one fix step printed or did.
struct StepOutcome {
  bool ok = true;
  std::string output;
};

std::string indent(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += "       " + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

/// Runs a step (`apply`), or shows what it would do: setup's own --dry-run diff.
StepOutcome run_step(Context& ctx, const doctor::FixStep& s, bool apply) {
  StepOutcome o;
  if (s.kind == doctor::FixStep::Kind::kChmod) {
    if (apply && ::chmod(s.path.c_str(), s.mode) != 0) {
      o.ok = false;
      o.output = std::string("chmod failed: ") + std::strerror(errno);
    }
    return o;
  }
  std::vector<std::string> argv{ctx.self_exe};
  argv.insert(argv.end(), s.args.begin(), s.args.end());
  if (!apply && s.args[0] != "setup") return o;
  if (!apply) argv.emplace_back("--dry-run");
  process::Result r = process::run(argv, "", ctx.env, 120000);
  o.ok = r.exit_code == 0;
  o.output = r.out + r.err;
  return o;
}

/// --fix: the plan (with setup's dry-run diffs), or with --yes the fixes applied.
ojson fix_json(const doctor::FixPlan& plan, const std::vector<StepOutcome>& outcomes, bool yes) {
  ojson steps = ojson::array();
  for (size_t i = 0; i < plan.steps.size(); ++i)
    steps.push_back({{"command", plan.steps[i].command},
                     {"checks", plan.steps[i].checks},
                     {"applied", yes && outcomes[i].ok},
                     {"output", outcomes[i].output}});
  ojson hand = ojson::array();
  for (const auto& [id, what] : plan.by_hand) hand.push_back({{"id", id}, {"fix", what}});
  return {{"fixes", steps}, {"by_hand", hand}};
}

std::string fix_text(const doctor::FixPlan& plan, const std::vector<StepOutcome>& outcomes,
                     bool yes) {
  std::string out = plan.steps.empty() ? "lwgw doctor --fix: nothing doctor can fix by itself\n"
                    : yes              ? "lwgw doctor --fix --yes: applying " +
                                std::to_string(plan.steps.size()) + " fix(es)\n"
                          : "lwgw doctor --fix: " + std::to_string(plan.steps.size()) +
                                " fix(es); `lwgw doctor --fix --yes` applies them\n";
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const auto& s = plan.steps[i];
    std::string checks;
    for (const auto& c : s.checks) checks += (checks.empty() ? "" : ", ") + c;
    const std::string state = !yes ? "" : outcomes[i].ok ? "done: " : "FAILED: ";
    out += "  " + std::to_string(i + 1) + ". " + state + s.command + "  (fixes " + checks + ")\n";
    if (!outcomes[i].output.empty() && (!yes || !outcomes[i].ok)) out += indent(outcomes[i].output);
  }
  if (!plan.by_hand.empty()) out += "By hand (doctor does not change these):\n";
  for (const auto& [id, what] : plan.by_hand) out += "  " + id + ": " + what + "\n";
  return out;
}

/// One run of the selected checks.
struct Outcome {
  std::shared_ptr<const doctor::Facts> facts;
  std::vector<doctor::Ran> results;
};

Outcome check(Context& ctx, const DoctorOptions& o,
              const std::vector<const doctor::Check*>& shown) {
  Outcome out;
  out.facts = std::make_shared<const doctor::Facts>(doctor::gather_facts(ctx, o.deep ? 25 : 9.5));
  out.results = doctor::run_checks(doctor::all_checks(), shown, out.facts);
  return out;
}

/// Prints the report (or writes --report); returns the exit code.
int report(Context& ctx, const DoctorOptions& o, const Outcome& run, ojson extra = nullptr) {
  const doctor::Facts& f = *run.facts;
  const doctor::Header header{build::kVersion, build::kCommit, os_text(),
                              doctor::net::safe_url(f.gateway), f.mode};
  std::vector<std::string> secrets;
  if (f.key) secrets.push_back(f.key->key);
  if (f.local_token) secrets.push_back(*f.local_token);
  const std::string home = f.paths.home.string();
  auto safe = [&](std::string text) { return doctor::scrub(std::move(text), secrets, home); };
  std::string text = render(ctx, o, header, run.results);
  if (ctx.opts.json && !extra.is_null()) {
    extra["report"] = ojson::parse(text);
    text = extra.dump(2) + "\n";
  }
  if (o.report.empty()) {
    *ctx.io.out << safe(text);
  } else {
    try {
      write_report(ctx, o, f, header, run.results, text, safe);
    } catch (const Error& e) {
      return refuse(ctx, Exit::kConfig, std::string("doctor --report: ") + e.what());
    }
  }
  return doctor::exit_code(doctor::count(run.results), o.strict);
}

/// --fix [--yes]: plan the fixes, apply them with --yes, and report what the checks say then.
int fix(Context& ctx, const DoctorOptions& o, const std::vector<const doctor::Check*>& shown,
        const Outcome& before) {
  const doctor::FixPlan plan = doctor::plan_fixes(before.results, {}, before.facts->paths.home);
  std::vector<StepOutcome> outcomes;
  outcomes.reserve(plan.steps.size());
  bool after_chmod = false;  // a setup preview may need a file's mode fixed first
  for (const auto& s : plan.steps) {
    outcomes.push_back(run_step(ctx, s, o.yes));
    if (!o.yes && after_chmod && !outcomes.back().ok)
      outcomes.back() = {true,
                         "(its preview needs the steps before it; `--yes` runs them in order)"};
    after_chmod |= s.kind == doctor::FixStep::Kind::kChmod;
  }
  std::vector<std::string> secrets;
  if (before.facts->key) secrets.push_back(before.facts->key->key);
  if (before.facts->local_token) secrets.push_back(*before.facts->local_token);
  const std::string home = before.facts->paths.home.string();
  if (!ctx.opts.json) *ctx.io.out << doctor::scrub(fix_text(plan, outcomes, o.yes), secrets, home);
  ojson extra = fix_json(plan, outcomes, o.yes);
  if (!o.yes || plan.steps.empty()) {
    if (!ctx.opts.json) *ctx.io.out << "\n";
    return report(ctx, o, before, ctx.opts.json ? extra : ojson(nullptr));
  }
  if (!ctx.opts.json) *ctx.io.out << "\nAfter the fixes:\n";
  return report(ctx, o, check(ctx, o, shown), ctx.opts.json ? extra : ojson(nullptr));
}

int run_doctor(Context& ctx, const DoctorOptions& o) {
  if (o.list) return list(ctx);
  std::vector<const doctor::Check*> shown;
  try {
    shown = doctor::select_checks(doctor::all_checks(), {o.names, o.cli, o.deep});
  } catch (const Error& e) {
    return refuse(ctx, Exit::kUsage, e.what());
  }
  try {
    const Outcome run = check(ctx, o, shown);
    return o.fix ? fix(ctx, o, shown, run) : report(ctx, o, run);
  } catch (const std::exception& e) {
    return refuse(ctx, Exit::kConfig, std::string("doctor could not run: ") + e.what());
  }
}

}  // namespace

void configure_doctor(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<DoctorOptions>();
  cmd.add_option("checks", o->names, "Check ids or groups to run (default: all; see --list)")
      ->type_name("ID|GROUP");
  cmd.add_option("--cli", o->cli, "Check one coding CLI only (the other groups still run)")
      ->type_name("NAME");
  cmd.add_flag("--strict", o->strict, "Warnings fail too (exit 1)");
  cmd.add_flag("--list", o->list, "List the check ids, their groups and what each checks");
  cmd.add_flag("--deep", o->deep,
               "Also one tiny streamed request per dialect the configured CLIs use (spends a few "
               "tokens): status, last event, time to first byte, largest gap");
  auto* fix = cmd.add_flag("--fix", o->fix,
                           "Print the fixes doctor can apply itself (lwgw setup/up/service, file "
                           "modes), with setup's dry-run diffs");
  cmd.add_flag("--yes", o->yes, "With --fix: apply them, then check again")->needs(fix);
  cmd.add_option("--report", o->report,
                 "Write the report, the proxy log's last 50 lines and the gateway request ids to "
                 "FILE (0600), and print one line to quote in a ticket")
      ->type_name("FILE");
  cmd.add_flag("--ascii", o->ascii,
               "[ok] [!!] [XX] [--] instead of ✓ ! ✗ – (also without a UTF-8 locale)");
  cmd.footer(
      "Groups: lwgw, key, proxy, network, gateway, stream (--deep only), and one per coding CLI.\n"
      "A check prints ✓ ok, ! warning, ✗ failure or – skipped (with the reason); each ! and ✗\n"
      "ends with → its fix. -v adds each check's source file:line, what was measured and how long\n"
      "it took. Read-only (but for --report's file and --fix --yes), never prompts, spends no\n"
      "tokens (but for --deep); network checks run concurrently, 3 s each, the run ends within\n"
      "10 s. Exit 0 no failure (warnings and skips allowed; --strict: no warning either), 1 a\n"
      "check failed, 2 usage, 3 doctor could not run; the same with --json (schema 1).\n"
      "CLIs (for --cli, and as groups): " +
      clis::accepted_names() + ".");
  cmd.callback([&ctx, &action, o] { action = [&ctx, o] { return run_doctor(ctx, *o); }; });
}

}  // namespace lwgw
