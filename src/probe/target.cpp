// Where smoke/diff send their probes, from the configuration and the credential store.
#include "lwgw/config.hpp"
#include "lwgw/context.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/error.hpp"
#include "lwgw/probe/probe.hpp"
#include "lwgw/redact.hpp"

namespace lwgw::probe {

Target target_from_context(Context& ctx, bool via_proxy) {
  Config& cfg = ctx.config();
  CredentialStore& store = ctx.credentials();
  std::optional<std::string> vk, token;
  if (via_proxy) {
    token = store.get(kLocalToken);
    if (token) register_secret(*token);
  } else if (auto k = resolve_vk(store, ctx.env)) {
    vk = k->key;
    register_secret(*vk);
  }
  // The running proxy's own address wins (it may have been started with --listen or port 0).
  std::string listen = cfg.get_string("proxy.listen");
  if (via_proxy)
    if (auto live = daemon::find_running(ctx.paths(), ctx.env)) listen = live->state.listen;
  Target t = select_target(via_proxy, cfg.get_string("gateway.url"), listen, vk, token);
  if (!via_proxy) t.ca_file = cfg.get_string("gateway.ca_file");
  t.connect_timeout_s = cfg.get_int("gateway.connect_timeout_s");
  return t;
}

void throw_unreachable(const Target& target, const Unreachable& u) {
  if (target.via_proxy)
    throw Error(Exit::kNotRunning, "the local proxy at " + target.base_url + " is not answering (" +
                                       u.error + "); start it with `lwgw up`");
  throw failure("could not reach the gateway at " + target.base_url + ": " + u.error +
                " (check `lwgw config get gateway.url`, or pass --gateway URL)");
}

}  // namespace lwgw::probe
