// `lwgw exec`: run one CLI with the gateway settings for that process only.
#include <CLI/CLI.hpp>

#include "lwgw/commands.hpp"

namespace lwgw {

namespace {
struct ExecOptions {
  std::string cli;
  std::vector<std::string> args;
};
}  // namespace

void configure_exec(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<ExecOptions>();
  cmd.add_option("cli", o->cli, "The CLI to run")->required()->check(CLI::IsMember(cli_names()));
  cmd.add_option("args", o->args, "Arguments for the CLI (after --)");
  cmd.callback([&ctx, &action, o] { action = not_implemented(ctx, "exec"); });
}

}  // namespace lwgw
