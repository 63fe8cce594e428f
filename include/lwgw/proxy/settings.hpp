// What the local proxy is configured with: its settings (from lwgw's config) and its secrets.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "lwgw/environment.hpp"

namespace lwgw {
class Config;
}

namespace lwgw::proxy {

struct Settings {
  std::string listen_host = "127.0.0.1";
  int listen_port = 5566;  // 0 = let the OS choose
  int inherited_fd = -1;   // a listening socket handed over (socket activation); -1 = bind
  bool allow_remote = false;
  bool require_local_token = true;
  std::size_t max_body_bytes = 64u << 20;
  int idle_timeout_s = 0;        // 0 = a silent stream is never cut
  int header_timeout_s = 10;     // a client's complete request header
  int response_timeout_s = 300;  // the gateway's response headers, from the request's start
  int drain_timeout_s = 30;
  int stall_timeout_s = 300;  // a client that reads nothing of a response (not a config key)
  int max_connections = 512;
  std::vector<std::string> allowed_origins;
  std::string gateway_url;
  std::string ca_file;
  long connect_timeout_s = 10;
  Env env;  // proxy variables (HTTPS_PROXY, NO_PROXY) for the upstream hop
};

/// The secrets the proxy uses; re-read on reload.
struct Secrets {
  std::string vk;           // empty: not logged in
  std::string local_token;  // empty: none generated yet
  // Opens /_lwgw/status besides the local token: random per proxy start, handed to lwgw's own
  // commands through the state file. Empty: the Server makes one.
  std::string status_key = {};
};

/// Why a proxy.listen address that is not loopback is refused without proxy.allow_remote.
std::string loopback_refusal(const std::string& listen);

/// The proxy's settings from lwgw's layered configuration (proxy.* and gateway.* keys).
Settings settings_from(const Config& cfg, const Env& env);

}  // namespace lwgw::proxy
