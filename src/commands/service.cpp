// `lwgw service`: start the local proxy at login (systemd user unit / launchd agent).
#include <CLI/CLI.hpp>

#include "lwgw/commands.hpp"

namespace lwgw {

void configure_service(CLI::App& cmd, Context& ctx, Action& action) {
  auto dry_run = std::make_shared<bool>(false);
  cmd.require_subcommand(1);
  for (const char* verb : {"install", "uninstall", "status"}) {
    std::string summary = std::string(verb) == "install"     ? "Install and start the login service"
                          : std::string(verb) == "uninstall" ? "Stop and remove the login service"
                                                             : "Show the login service's state";
    auto* sub = cmd.add_subcommand(verb, summary);
    sub->fallthrough();
    sub->add_flag("--dry-run", *dry_run, "Print what would be written or run; change nothing");
    sub->callback([&ctx, &action, dry_run] { action = not_implemented(ctx, "service"); });
  }
}

}  // namespace lwgw
