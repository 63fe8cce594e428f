// `lwgw env`: print the exports for eval.
#include <CLI/CLI.hpp>

#include "lwgw/commands.hpp"

namespace lwgw {

namespace {
struct EnvOptions {
  std::string shell;
  bool direct = false;
};
}  // namespace

void configure_env(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<EnvOptions>();
  cmd.add_option("--shell", o->shell, "Syntax of the exports (default: from $SHELL)")
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd.add_flag("--direct", o->direct, "Gateway URL and key instead of the local proxy");
  cmd.callback([&ctx, &action, o] { action = not_implemented(ctx, "env"); });
}

}  // namespace lwgw
