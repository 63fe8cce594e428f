// `lwgw logs`: the local proxy's log.
#include <CLI/CLI.hpp>

#include "lwgw/commands.hpp"

namespace lwgw {

namespace {
struct LogsOptions {
  bool follow = false;
  int lines = 50;
};
}  // namespace

void configure_logs(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<LogsOptions>();
  cmd.add_flag("-f,--follow", o->follow, "Keep printing new lines as they are written");
  cmd.add_option("-n,--lines", o->lines, "How many lines to show")->type_name("N");
  cmd.callback([&ctx, &action, o] { action = not_implemented(ctx, "logs"); });
}

}  // namespace lwgw
