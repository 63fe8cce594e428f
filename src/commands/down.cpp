// `lwgw down`: drain and stop the local proxy.
#include <CLI/CLI.hpp>

#include "lwgw/commands.hpp"

namespace lwgw {

void configure_down(CLI::App& cmd, Context& ctx, Action& action) {
  auto timeout = std::make_shared<int>(30);
  cmd.add_option("--timeout", *timeout, "Seconds to wait for in-flight requests before SIGKILL")
      ->type_name("S");
  cmd.callback([&ctx, &action, timeout] { action = not_implemented(ctx, "down"); });
}

}  // namespace lwgw
