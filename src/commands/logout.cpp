// `lwgw logout`: forget the virtual key; the local token and CLI setup stay.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lwgw/commands/table.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/gateway.hpp"

namespace lwgw {

namespace {
int logout(Context& ctx) {
  CredentialStore& store = ctx.credentials();
  bool had = store.erase(kVirtualKey);
  if (auto state = load_login_state(ctx.paths())) {
    state->verified_at.clear();
    state->verification = "logged out";
    save_login_state(ctx.paths(), *state);
  }
  if (ctx.opts.json)
    *ctx.io.out << nlohmann::ordered_json{{"forgot_key", had}, {"store", store.describe()}}.dump(2)
                << "\n";
  else
    *ctx.io.out << (had ? "lwgw: forgot the key (" + store.describe() + ")\n"
                        : "lwgw: no key was stored\n");
  if (ctx.env.get("LWGW_VK") && !ctx.env.get("LWGW_VK")->empty())
    ctx.log().warn("LWGW_VK is still set in this environment and provides a key");
  return 0;
}
}  // namespace

void configure_logout(CLI::App& cmd, Context& ctx, Action& action) {
  cmd.callback([&ctx, &action] { action = [&ctx] { return logout(ctx); }; });
}

}  // namespace lwgw
