// `lwgw service`: start the proxy at login — a systemd user unit on Linux, a launchd agent on
// macOS.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lwgw/commands/table.hpp"
#include "lwgw/daemon/service_plan.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/process.hpp"
#include "lwgw/setup/edits.hpp"

namespace lwgw {

namespace {

using daemon::Command;
using Plan = daemon::ServicePlan;

Plan make_plan(Context& ctx) {
  return daemon::service_plan(ctx.paths(), ctx.env, ctx.self_exe);
}

std::string shell_line(const Command& c) {
  std::string s;
  for (const auto& w : c) s += (s.empty() ? "" : " ") + w;
  return s;
}

std::filesystem::path record_file(Context& ctx) {
  return ctx.paths().state_dir / "service.json";
}

// Runs the commands; returns the first failure's description, or "".
std::string run_all(Context& ctx, const std::vector<Command>& cmds) {
  for (const auto& c : cmds) {
    auto r = process::run(c, "", ctx.env);
    if (r.exit_code != 0)
      return "`" + shell_line(c) + "` failed" + (r.err.empty() ? std::string() : ": " + r.err);
  }
  return "";
}

int install(Context& ctx, bool dry_run) {
  Plan p = make_plan(ctx);
  auto& out = *ctx.io.out;
  if (dry_run) {
    out << "# lwgw would write " << p.file.string() << ":\n" << p.content << "# and then run:\n";
    for (const auto& c : p.start) out << "#   " << shell_line(c) << "\n";
    return 0;
  }
  if (auto live = daemon::find_running(ctx.paths(), ctx.env))
    ctx.log().warn("a proxy already runs (pid " + std::to_string(live->state.pid) +
                   "); the service's proxy can only start once it is stopped (`lwgw down`)");
  fs::atomic_write(p.file, p.content, 0644);
  fs::ensure_dir(ctx.paths().state_dir, 0700);
  fs::atomic_write(
      record_file(ctx),
      nlohmann::json{{"file", p.file.string()}, {"sha256", setup::sha256_hex(p.content)}}.dump(2) +
          "\n",
      0600);
  *ctx.io.err << "lwgw: wrote " << display_path(p.file, ctx.paths().home) << "\n";
  if (!p.can_run) {
    *ctx.io.err << "lwgw: " << p.why_not << "; to start it at login, run:\n";
    for (const auto& c : p.start) *ctx.io.err << "  " << shell_line(c) << "\n";
    if (!p.macos)
      *ctx.io.err << "and on a machine where you are not logged in (a server, CI), also:\n"
                  << "  loginctl enable-linger $USER\n";
    return 0;
  }
  if (auto failed = run_all(ctx, p.start); !failed.empty()) throw failure(failed);
  *ctx.io.err << "lwgw: the proxy now starts at login (" << (p.macos ? "launchd" : "systemd --user")
              << ")\n";
  return 0;
}

int uninstall(Context& ctx, bool dry_run) {
  Plan p = make_plan(ctx);
  auto current = fs::read_file(p.file);
  if (!current) {
    *ctx.io.err << "lwgw: no login service is installed (" << display_path(p.file, ctx.paths().home)
                << ")\n";
    return 0;
  }
  auto record = fs::read_file(record_file(ctx));
  auto doc = record ? nlohmann::json::parse(*record, nullptr, false) : nlohmann::json();
  std::string written = doc.is_object() ? doc.value("sha256", "") : "";
  if (written != setup::sha256_hex(*current))
    throw failure(display_path(p.file, ctx.paths().home) +
                  " was not written by `lwgw service install` or changed since; remove it by hand");
  if (dry_run) {
    for (const auto& c : p.stop) *ctx.io.out << "# would run: " << shell_line(c) << "\n";
    *ctx.io.out << "# would remove " << p.file.string() << "\n";
    return 0;
  }
  if (p.can_run) {
    if (auto failed = run_all(ctx, {p.stop.front()}); !failed.empty()) ctx.log().warn(failed);
  }
  fs::remove_file(p.file);
  fs::remove_file(record_file(ctx));
  if (p.can_run && p.stop.size() > 1) run_all(ctx, {p.stop.begin() + 1, p.stop.end()});
  *ctx.io.err << "lwgw: removed " << display_path(p.file, ctx.paths().home) << "\n";
  return 0;
}

int status(Context& ctx) {
  Plan p = make_plan(ctx);
  auto current = fs::read_file(p.file);
  auto& out = *ctx.io.out;
  std::string state = "not installed";
  if (current)
    state =
        *current == p.content ? "installed" : "installed (differs from what this lwgw would write)";
  std::string active;
  if (current && p.can_run && !p.macos) {
    auto r = process::run({"systemctl", "--user", "is-active", "lwgw.service"}, "", ctx.env);
    active = r.out.empty() ? "unknown" : r.out.substr(0, r.out.find('\n'));
  }
  if (ctx.opts.json) {
    out << nlohmann::json{{"file", p.file.string()}, {"state", state}, {"active", active}}.dump(2)
        << "\n";
    return 0;
  }
  out << "login service: " << state << " (" << display_path(p.file, ctx.paths().home) << ")\n";
  if (!active.empty()) out << "systemd:       " << active << "\n";
  return 0;
}

}  // namespace

void configure_service(CLI::App& cmd, Context& ctx, Action& action) {
  auto dry_run = std::make_shared<bool>(false);
  cmd.require_subcommand(1);
  struct Verb {
    const char* name;
    const char* summary;
    int (*fn)(Context&, bool);
  };
  static const Verb verbs[] = {
      {"install", "Install and start the login service", install},
      {"uninstall", "Stop and remove exactly what install wrote", uninstall},
      {"status", "Show the login service's state", [](Context& c, bool) { return status(c); }},
  };
  for (const auto& v : verbs) {
    auto* sub = cmd.add_subcommand(v.name, v.summary);
    sub->fallthrough();
    sub->add_flag("--dry-run", *dry_run, "Print what would be written or run; change nothing");
    auto fn = v.fn;
    sub->callback([&ctx, &action, dry_run, fn] {
      action = [&ctx, dry_run, fn] { return fn(ctx, *dry_run); };
    });
  }
  cmd.footer(
      "Linux: ~/.config/systemd/user/lwgw.service (ExecStart=<lwgw> up --foreground, "
      "Restart=on-failure),\nenabled with `systemctl --user`. macOS: "
      "~/Library/LaunchAgents/ai.langwatch.lwgw.plist, loaded with launchctl.");
}

}  // namespace lwgw
