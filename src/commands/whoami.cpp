// `lwgw whoami`: which gateway, which key (masked), stored where, verified when.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lwgw/commands/table.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/error.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/redact.hpp"

namespace lwgw {

namespace {
int whoami(Context& ctx) {
  Config& cfg = ctx.config();
  CredentialStore& store = ctx.credentials();
  auto key = resolve_vk(store, ctx.env);
  if (!key) throw config_error("not logged in: run `lwgw login`");
  auto state = load_login_state(ctx.paths());
  const auto& gw = cfg.setting("gateway.url");
  std::string verified = state && !state->verified_at.empty()
                             ? state->verified_at + " (" + state->verification + ")"
                         : state ? "never (" + state->verification + ")"
                                 : "never";
  if (ctx.opts.json) {
    nlohmann::json doc = {{"gateway", gw.value.index() == 0 ? std::get<std::string>(gw.value) : ""},
                          {"gateway_origin", gw.origin},
                          {"key", mask_key(key->key)},
                          {"key_source", key->source},
                          {"store", store.describe()},
                          {"local_token", store.get(kLocalToken).has_value()},
                          {"verified_at", state ? state->verified_at : ""},
                          {"verification", state ? state->verification : ""}};
    *ctx.io.out << doc.dump(2) << "\n";
    return 0;
  }
  auto& out = *ctx.io.out;
  out << "gateway:           " << cfg.get_string("gateway.url") << " (" << gw.origin << ")\n";
  out << "key:               " << mask_key(key->key) << " (from " << key->source << ")\n";
  out << "store:             " << store.describe() << "\n";
  out << "last verification: " << verified << "\n";
  return 0;
}
}  // namespace

void configure_whoami(CLI::App& cmd, Context& ctx, Action& action) {
  cmd.callback([&ctx, &action] { action = [&ctx] { return whoami(ctx); }; });
}

}  // namespace lwgw
