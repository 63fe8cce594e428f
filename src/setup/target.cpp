// Where setup, env and exec point the CLIs: the local proxy with the local token, or the gateway
// with the virtual key.
#include "lwgw/config.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/error.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/setup/engine.hpp"

namespace lwgw::setup {

namespace {

std::string direct_key(Context& ctx, bool stored_vk_only) {
  std::optional<std::string> key;
  if (stored_vk_only) {
    key = ctx.credentials().get(kVirtualKey);
    if (!key && ctx.env.get_or("LWGW_VK", "") != "")
      throw config_error(
          "not logged in: LWGW_VK is a key for one process and is never written to a file; "
          "run `lwgw login` to store the key first");
  } else if (auto vk = resolve_vk(ctx.credentials(), ctx.env)) {
    key = vk->key;
  }
  if (!key || key->empty()) throw config_error("not logged in: run `lwgw login`");
  return *key;
}

// http://<proxy.listen>, with a wildcard listen address replaced by loopback.
std::string proxy_root(const Config& cfg) {
  HostPort hp = parse_listen(cfg.get_string("proxy.listen"));
  std::string host = hp.host;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(hp.port);
}

std::string local_token(Context& ctx, bool persist) {
  auto tok = ctx.credentials().get(kLocalToken);
  if (!tok) {
    tok = generate_local_token();
    if (persist) ctx.credentials().set(kLocalToken, *tok);
  }
  return *tok;
}

}  // namespace

Target resolve_target(Context& ctx, const TargetOptions& o) {
  Target t;
  t.mode = o.mode;
  t.self_exe = ctx.self_exe;
  Config& cfg = ctx.config();
  if (o.mode == Mode::kDirect) {
    t.root = cfg.get_string("gateway.url");
    t.key = direct_key(ctx, o.stored_vk_only);
  } else {
    t.root = proxy_root(cfg);
    t.key = local_token(ctx, o.persist_token);
  }
  register_secret(t.key);
  return t;
}

}  // namespace lwgw::setup
