// `lwgw teardown`: undo exactly what setup did.
#include <CLI/CLI.hpp>

#include "lwgw/commands.hpp"

namespace lwgw {

namespace {
struct TeardownOptions {
  std::vector<std::string> clis;
  bool all = false;
  bool dry_run = false;
};
}  // namespace

void configure_teardown(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<TeardownOptions>();
  cmd.add_option("cli", o->clis, "CLIs to restore")->check(CLI::IsMember(cli_names()));
  cmd.add_flag("--all", o->all, "Restore every CLI setup touched");
  cmd.add_flag("--dry-run", o->dry_run, "Print a diff per file and write nothing");
  cmd.callback([&ctx, &action, o] { action = not_implemented(ctx, "teardown"); });
}

}  // namespace lwgw
