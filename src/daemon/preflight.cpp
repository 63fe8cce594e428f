// What `lwgw up` checks before the proxy starts, and the proxy's address in URLs.
#include "lwgw/daemon/preflight.hpp"

#include "lwgw/credentials.hpp"
#include "lwgw/error.hpp"
#include "lwgw/proxy/settings.hpp"
#include "lwgw/redact.hpp"

namespace lwgw::daemon {

proxy::Secrets read_secrets(Context& ctx) {
  CredentialStore& store = ctx.credentials();
  proxy::Secrets s;
  if (auto k = resolve_vk(store, ctx.env)) s.vk = k->key;
  if (auto t = store.get(kLocalToken)) s.local_token = *t;
  return s;
}

Preflight preflight(Context& ctx, const std::string& listen_flag) {
  Config& cfg = ctx.config();
  if (!listen_flag.empty()) cfg.apply_flag("proxy.listen", listen_flag, "--listen");
  Preflight p;
  p.listen = parse_listen(cfg.get_string("proxy.listen"));
  if (!cfg.get_bool("proxy.allow_remote") && !is_loopback_host(p.listen.host))
    throw failure(proxy::loopback_refusal(cfg.get_string("proxy.listen")));
  p.secrets = read_secrets(ctx);
  if (p.secrets.vk.empty()) throw config_error("no virtual key: run `lwgw login` first");
  if (p.secrets.local_token.empty()) {
    p.secrets.local_token = generate_local_token();
    ctx.credentials().set(kLocalToken, p.secrets.local_token);
  }
  register_secret(p.secrets.vk);
  register_secret(p.secrets.local_token);
  return p;
}

std::string address(const std::string& host, int port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

std::string url_for(const std::string& host, int port) {
  return "http://" + address(host, port);
}

}  // namespace lwgw::daemon
