// `lwgw up`: start the local proxy.
#include <CLI/CLI.hpp>

#include "lwgw/commands.hpp"

namespace lwgw {

namespace {
struct UpOptions {
  bool foreground = false;
  std::string listen;
};
}  // namespace

void configure_up(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<UpOptions>();
  cmd.add_flag("--foreground", o->foreground, "Run in this terminal (what service managers use)");
  cmd.add_option("--listen", o->listen, "Address to listen on (default proxy.listen)")
      ->type_name("ADDR");
  cmd.callback([&ctx, &action, o] { action = not_implemented(ctx, "up"); });
}

}  // namespace lwgw
