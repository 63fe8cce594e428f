// `lwgw doctor`: everything that can be wrong, each with a fix.
#include <CLI/CLI.hpp>

#include "lwgw/commands/table.hpp"

namespace lwgw {

void configure_doctor(CLI::App& cmd, Context& ctx, Action& action) {
  auto cli = std::make_shared<std::string>();
  cmd.add_option("--cli", *cli, "Check one CLI only")->check(CLI::IsMember(cli_names()));
  cmd.callback([&ctx, &action, cli] { action = not_implemented(ctx, "doctor"); });
}

}  // namespace lwgw
