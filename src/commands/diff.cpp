// `lwgw diff`: the smoke probes as transcripts, compared with known-good ones.
#include <CLI/CLI.hpp>

#include "lwgw/commands.hpp"

namespace lwgw {

namespace {
struct DiffOptions {
  std::string gateway;
  bool via_proxy = false;
  std::string baseline = "builtin";
  std::string record;
};
}  // namespace

void configure_diff(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<DiffOptions>();
  cmd.add_option("--gateway", o->gateway, "Gateway URL (default gateway.url)")->type_name("URL");
  cmd.add_flag("--via-proxy", o->via_proxy, "Send the probes through the local proxy");
  cmd.add_option("--baseline", o->baseline, "builtin (the brief's transcripts) or a file")
      ->type_name("builtin|FILE");
  cmd.add_option("--record", o->record, "Save the current transcripts as a baseline file")
      ->type_name("FILE");
  cmd.callback([&ctx, &action, o] { action = not_implemented(ctx, "diff"); });
}

}  // namespace lwgw
