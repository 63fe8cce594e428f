// `lwgw doctor`: everything that stops a coding CLI from reaching the gateway, each with its fix.
#include <sys/utsname.h>

#include <CLI/CLI.hpp>

#include "../doctor/net.hpp"
#include "lwgw/build_info.hpp"
#include "lwgw/commands/table.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/doctor/registry.hpp"
#include "lwgw/doctor/report.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
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

int run_doctor(Context& ctx, const DoctorOptions& o) {
  if (o.list) return list(ctx);
  const auto& checks = doctor::all_checks();
  std::vector<const doctor::Check*> shown;
  try {
    shown = doctor::select_checks(checks, {o.names, o.cli, o.deep});
  } catch (const Error& e) {
    return refuse(ctx, Exit::kUsage, e.what());
  }
  std::shared_ptr<const doctor::Facts> facts;
  std::vector<doctor::Ran> results;
  try {
    facts = std::make_shared<const doctor::Facts>(doctor::gather_facts(ctx, o.deep ? 25 : 9.5));
    results = doctor::run_checks(checks, shown, facts);
  } catch (const std::exception& e) {
    return refuse(ctx, Exit::kConfig, std::string("doctor could not run: ") + e.what());
  }
  const doctor::Header header{build::kVersion, build::kCommit, os_text(),
                              doctor::net::safe_url(facts->gateway), facts->mode};
  std::vector<std::string> secrets;
  if (facts->key) secrets.push_back(facts->key->key);
  if (facts->local_token) secrets.push_back(*facts->local_token);
  const std::string home = facts->paths.home.string();
  auto safe = [&](std::string text) { return doctor::scrub(std::move(text), secrets, home); };
  const std::string text = render(ctx, o, header, results);
  if (o.report.empty()) {
    *ctx.io.out << safe(text);
  } else {
    try {
      write_report(ctx, o, *facts, header, results, text, safe);
    } catch (const Error& e) {
      return refuse(ctx, Exit::kConfig, std::string("doctor --report: ") + e.what());
    }
  }
  return doctor::exit_code(doctor::count(results), o.strict);
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
  cmd.add_option("--report", o->report,
                 "Write the report, the proxy log's last 50 lines and the gateway request ids to "
                 "FILE (0600), and print one line to quote in a ticket")
      ->type_name("FILE");
  cmd.add_flag("--ascii", o->ascii,
               "[ok] [!!] [XX] [--] instead of ✓ ! ✗ – (also without a UTF-8 locale)");
  cmd.footer(
      "Groups: lwgw, key, proxy, network, gateway, and one per coding CLI. A check prints ✓ ok,\n"
      "! warning, ✗ failure or – skipped (with the reason); each ! and ✗ ends with → its fix.\n"
      "-v adds each check's source file:line, what was measured and how long it took.\n"
      "Read-only: doctor changes no file, prompts for nothing and spends no tokens; network\n"
      "checks run concurrently, 3 s each, and the whole run ends within 10 s.\n"
      "Exit 0 no failure (warnings and skips allowed; --strict: no warning either), 1 a check\n"
      "failed, 2 usage, 3 doctor could not run; the same with --json (schema 1).");
  cmd.callback([&ctx, &action, o] { action = [&ctx, o] { return run_doctor(ctx, *o); }; });
}

}  // namespace lwgw
