// `lwgw teardown`: undo exactly what setup did.
#include <CLI/CLI.hpp>

#include "lwgw/clis/profile.hpp"
#include "lwgw/commands/table.hpp"
#include "lwgw/error.hpp"
#include "lwgw/setup/engine.hpp"

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
  cmd.add_option("cli", o->clis, "CLIs to restore, by name or alias")->type_name("CLI");
  cmd.add_flag("--all", o->all, "Restore every CLI setup touched");
  cmd.add_flag("--dry-run", o->dry_run, "Print a diff per file and write nothing");
  cmd.footer(
      "A file untouched since setup gets its original bytes back (or is removed when setup\n"
      "created it); a file you changed since keeps your changes and loses only lwgw's settings.\n"
      "CLIs: " +
      clis::accepted_names() + ".");
  cmd.callback([&ctx, &action, o] {
    action = [&ctx, o] {
      if (o->all && !o->clis.empty()) throw usage_error("use either CLI names or --all");
      setup::TeardownRequest r{clis::canonical_names(o->clis), o->all, o->dry_run};
      return setup::run_teardown(ctx, r);
    };
  });
}

}  // namespace lwgw
