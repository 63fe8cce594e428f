// `lwgw setup`: point coding CLIs at the gateway (proxy mode by default, --direct without it).
#include <CLI/CLI.hpp>

#include "lwgw/clis/profile.hpp"
#include "lwgw/commands/table.hpp"
#include "lwgw/error.hpp"
#include "lwgw/setup/engine.hpp"

namespace lwgw {

namespace {
struct SetupOptions {
  std::vector<std::string> clis;
  bool all = false;
  bool direct = false;
  std::string shell;
  std::string model;
  std::string small_model;
  bool dry_run = false;
  bool yes = false;
  bool no_service = false;
  bool force = false;
  bool rotate_token = false;
};
}  // namespace

void configure_setup(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<SetupOptions>();
  // Names and aliases are checked when the command runs (clis::canonical_names), with a
  // suggestion for a near miss.
  cmd.add_option("cli", o->clis,
                 "CLIs to configure, by name or alias (none: the CLIs already set up, again)")
      ->type_name("CLI");
  cmd.add_flag("--all", o->all, "Configure every supported CLI");
  cmd.add_flag("--direct", o->direct, "Point CLIs at the gateway itself with the key (no proxy)");
  cmd.add_option("--shell", o->shell, "Shell rc to edit (default: from $SHELL)")
      ->check(CLI::IsMember({"bash", "zsh", "fish", "all"}));
  cmd.add_option("--model", o->model,
                 "Model the CLIs should use (one the gateway serves; default: setup picks one)");
  cmd.add_option("--small-model", o->small_model,
                 "Background model (Claude Code's haiku slot, opencode's small_model, Aider's "
                 "weak-model)");
  cmd.add_flag("--force", o->force,
               "Write --model/--small-model even when the gateway does not serve it");
  cmd.add_flag("--dry-run", o->dry_run, "Print a diff per file and write nothing");
  cmd.add_flag("--yes", o->yes,
               "Also fix problems found: Codex providers with wire_api = \"chat\", an\n"
               "ANTHROPIC_API_KEY in Claude Code's settings (teardown puts both back)");
  cmd.add_flag("--no-service", o->no_service,
               "Proxy mode: neither install the login service nor start the proxy");
  cmd.add_flag("--rotate-token", o->rotate_token,
               "Replace the local token, write the new one into the proxy-mode CLIs and make the "
               "running proxy accept only it");
  cmd.footer(
      "Proxy mode (default) points the CLIs at http://<proxy.listen> with the local token, so no\n"
      "virtual key is written to any file; --direct uses gateway.url and the key. Every file is\n"
      "parsed first (malformed: refused, exit 3), backed up once under "
      "$XDG_STATE_HOME/lwgw/backups,\n"
      "written atomically and recorded in setup-manifest.json; `lwgw teardown` undoes it.\n"
      "Proxy mode also installs and starts the login service (systemd --user socket, launchd\n"
      "agent), or, where there is none, starts the proxy in the background. NO_PROXY gets\n"
      "127.0.0.1,localhost,::1 so that an HTTP proxy never sees the loopback traffic.\n"
      "Without CLI names (and without --all), setup runs again for the CLIs already set up.\n"
      "--rotate-token makes a new local token (the old one stops working), writes it into the\n"
      "CLIs set up in proxy mode and reloads the running proxy; CLI names set those up after.\n"
      "Models: each CLI's main model and the ones it calls on its own are pinned to models the\n"
      "gateway serves (GET /v1/models): --model/--small-model, else the CLI's own setting when\n"
      "served, else the newest served model of its family. Unknown list: nothing is changed.\n"
      "CLIs: " +
      clis::accepted_names() + ".");
  cmd.callback([&ctx, &action, o] {
    action = [&ctx, o] {
      setup::SetupRequest r;
      r.clis = clis::canonical_names(o->clis);
      if (o->all && !o->clis.empty()) throw usage_error("use either CLI names or --all");
      if (o->all) r.clis = cli_names();
      r.mode = o->direct ? setup::Mode::kDirect : setup::Mode::kProxy;
      r.no_service = o->no_service;
      r.shell = o->shell;
      r.model = o->model;
      r.small_model = o->small_model;
      r.dry_run = o->dry_run;
      r.yes = o->yes;
      r.force = o->force;
      if (o->rotate_token) {
        if (o->direct) throw usage_error("--rotate-token is about proxy mode; drop --direct");
        const int code = setup::rotate_token(ctx, r);
        return r.clis.empty() ? code : std::max(code, setup::run_setup(ctx, r));
      }
      if (r.clis.empty()) {
        if (o->direct)
          throw usage_error(
              "--direct needs the CLIs to set up (or --all); a bare `lwgw setup` "
              "keeps each CLI's mode");
        return setup::reapply_setup(ctx, r);
      }
      return setup::run_setup(ctx, r);
    };
  });
}

}  // namespace lwgw
