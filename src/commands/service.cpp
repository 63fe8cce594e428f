// `lwgw service`: start the proxy at login — a systemd user unit on Linux, a launchd agent on
// macOS.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lwgw/commands/table.hpp"
#include "lwgw/daemon/service.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"

namespace lwgw {

namespace {

using daemon::command_line;

int install(Context& ctx, bool dry_run) {
  const daemon::ServicePlan p = daemon::plan_service(ctx);
  auto& out = *ctx.io.out;
  if (ctx.opts.json) {  // the plan, and with no --dry-run what was done
    nlohmann::json files = nlohmann::json::array(), start = nlohmann::json::array();
    for (const auto& f : p.files) files.push_back(f.path.string());
    for (const auto& c : p.start) start.push_back(command_line(c));
    nlohmann::json doc = {{"dry_run", dry_run}, {"files", files}, {"start", start}};
    if (!dry_run) {
      daemon::Installed r = daemon::install_service(ctx);
      doc["changed"] = r.changed;
      doc["started"] = r.started;
      doc["why_not"] = r.why_not;
    }
    out << doc.dump(2) << "\n";
    return 0;
  }
  if (dry_run) {
    for (const auto& f : p.files)
      out << "# lwgw would write " << f.path.string() << ":\n" << f.content;
    out << "# and then run:\n";
    for (const auto& c : p.start) out << "#   " << command_line(c) << "\n";
    return 0;
  }
  daemon::Installed r = daemon::install_service(ctx);
  auto& err = *ctx.io.err;
  for (const auto& f : r.files)
    err << "lwgw: " << (r.changed ? "wrote " : "kept ") << display_path(f, ctx.paths().home)
        << "\n";
  if (!r.started) {
    err << "lwgw: " << r.why_not << "; to start it at login, run:\n";
    for (const auto& c : r.by_hand) err << "  " << command_line(c) << "\n";
    if (!p.macos)
      err << "and on a machine where you are not logged in (a server, CI), also:\n"
          << "  loginctl enable-linger $USER\n";
    return 0;
  }
  err << "lwgw: the proxy now starts at login (" << p.manager << ")"
      << (p.macos ? ""
                  : "; the first connection to " + ctx.config().get_string("proxy.listen") +
                        " starts it")
      << "\n";
  return 0;
}

int uninstall(Context& ctx, bool dry_run) {
  const daemon::ServicePlan p = daemon::plan_service(ctx);
  if (ctx.opts.json) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : p.files)
      if (fs::read_file(f.path)) files.push_back(f.path.string());
    std::ostringstream said;
    if (!dry_run) daemon::uninstall_service(ctx, said);
    *ctx.io.out
        << nlohmann::json{{"dry_run", dry_run}, {"removed", files}, {"details", said.str()}}.dump(2)
        << "\n";
    return 0;
  }
  if (dry_run) {
    for (const auto& c : p.stop) *ctx.io.out << "# would run: " << command_line(c) << "\n";
    for (const auto& f : p.files)
      if (fs::read_file(f.path)) *ctx.io.out << "# would remove " << f.path.string() << "\n";
    return 0;
  }
  daemon::uninstall_service(ctx, *ctx.io.err);
  return 0;
}

// "installed", "not installed", or "installed (differs …)" for the plan's files together.
std::string install_state(const daemon::ServicePlan& p) {
  bool any = false, same = true;
  for (const auto& f : p.files) {
    auto current = fs::read_file(f.path);
    any = any || current.has_value();
    same = same && current && *current == f.content;
  }
  if (!any) return "not installed";
  return same ? "installed" : "installed (differs from what this lwgw would write)";
}

int status(Context& ctx) {
  const daemon::ServicePlan p = daemon::plan_service(ctx);
  const std::string state = install_state(p);
  daemon::ServiceState active;
  if (state != "not installed") active = daemon::service_state(ctx, p);
  auto& out = *ctx.io.out;
  if (ctx.opts.json) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : p.files) files.push_back(f.path.string());
    out << nlohmann::json{{"file", p.files.back().path.string()},
                          {"files", files},
                          {"state", state},
                          {"active", active.service},
                          {"socket", active.socket}}
               .dump(2)
        << "\n";
    return 0;
  }
  std::string names;
  for (const auto& f : p.files)
    names += (names.empty() ? "" : ", ") + display_path(f.path, ctx.paths().home);
  out << "login service: " << state << " (" << names << ")\n";
  if (!active.socket.empty())
    out << "socket:        " << active.socket
        << (active.socket == "active" ? " (holds " + ctx.config().get_string("proxy.listen") +
                                            "; the first connection starts the proxy)"
                                      : "")
        << "\n";
  if (!active.service.empty())
    out << "proxy:         " << active.service
        << (active.service != "active" && active.socket == "active"
                ? " (starts on the first connection)"
                : "")
        << "\n";
  if (state != "not installed" && !p.can_run)
    out << "manager:       cannot ask: " << p.why_not << "\n";
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
      "Linux: ~/.config/systemd/user/lwgw.socket holds proxy.listen from login on; the first\n"
      "connection starts lwgw.service (<lwgw> up --foreground, Restart=on-failure), which adopts\n"
      "the socket. macOS: ~/Library/LaunchAgents/ai.langwatch.lwgw.plist, started at load and "
      "kept\n"
      "alive. `lwgw setup` installs it in proxy mode (unless --no-service).");
}

}  // namespace lwgw
