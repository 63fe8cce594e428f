// `lwgw smoke`: the verified-smoke probes against the gateway.
#include <CLI/CLI.hpp>

#include "lwgw/commands.hpp"

namespace lwgw {

namespace {
struct SmokeOptions {
  std::string gateway;
  bool via_proxy = false;
  bool completion = false;
};
}  // namespace

void configure_smoke(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<SmokeOptions>();
  cmd.add_option("--gateway", o->gateway, "Gateway URL (default gateway.url)")->type_name("URL");
  cmd.add_flag("--via-proxy", o->via_proxy, "Send the probes through the local proxy");
  cmd.add_flag("--completion", o->completion,
               "Also one tiny streamed request per dialect (spends tokens)");
  cmd.callback([&ctx, &action, o] { action = not_implemented(ctx, "smoke"); });
}

}  // namespace lwgw
