// `lwgw status`: is the local proxy running, and what is it doing.
#include <CLI/CLI.hpp>

#include "lwgw/commands.hpp"

namespace lwgw {

void configure_status(CLI::App& cmd, Context& ctx, Action& action) {
  cmd.callback([&ctx, &action] { action = not_implemented(ctx, "status"); });
}

}  // namespace lwgw
