// The mapping from lwgw's configuration keys to the proxy's settings.
#include "lwgw/proxy/settings.hpp"

#include "lwgw/config.hpp"

namespace lwgw::proxy {

std::string loopback_refusal(const std::string& listen) {
  return "proxy.listen " + listen +
         " is not a loopback address; the proxy holds your key, so it listens on 127.0.0.1, ::1 "
         "or localhost unless proxy.allow_remote = true";
}

Settings settings_from(const Config& cfg, const Env& env) {
  Settings s;
  auto hp = parse_listen(cfg.get_string("proxy.listen"));
  s.listen_host = hp.host;
  s.listen_port = hp.port;
  s.allow_remote = cfg.get_bool("proxy.allow_remote");
  s.require_local_token = cfg.get_bool("proxy.require_local_token") || s.allow_remote;
  s.max_body_bytes = static_cast<std::size_t>(cfg.get_int("proxy.max_body_mib")) << 20;
  s.idle_timeout_s = static_cast<int>(cfg.get_int("proxy.idle_timeout_s"));
  s.header_timeout_s = static_cast<int>(cfg.get_int("proxy.header_timeout_s"));
  s.response_timeout_s = static_cast<int>(cfg.get_int("proxy.response_timeout_s"));
  s.drain_timeout_s = static_cast<int>(cfg.get_int("proxy.drain_timeout_s"));
  s.max_connections = static_cast<int>(cfg.get_int("proxy.max_connections"));
  s.allowed_origins = cfg.get_list("proxy.allowed_origins");
  s.gateway_url = cfg.get_string("gateway.url");
  s.ca_file = cfg.get_string("gateway.ca_file");
  s.connect_timeout_s = static_cast<long>(cfg.get_int("gateway.connect_timeout_s"));
  s.env = env;
  return s;
}

}  // namespace lwgw::proxy
