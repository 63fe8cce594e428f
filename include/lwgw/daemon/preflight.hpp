// What `lwgw up` checks before the proxy starts (before it forks, so the reason shows in the
// terminal), and how the proxy's address is written in URLs.
#pragma once

#include <string>

#include "lwgw/config.hpp"
#include "lwgw/context.hpp"
#include "lwgw/proxy/server.hpp"

namespace lwgw::daemon {

struct Preflight {
  proxy::Secrets secrets;
  HostPort listen;
};

/// Applies `listen_flag` (--listen, when not empty) to the configuration, refuses a non-loopback
/// address without proxy.allow_remote and a missing key, creates the local token on first use
/// and registers both secrets for redaction. Throws Error.
Preflight preflight(Context& ctx, const std::string& listen_flag);

/// The key and the local token as the credential store holds them now (empty when absent).
proxy::Secrets read_secrets(Context& ctx);

/// host:port as it appears in URLs (IPv6 in brackets).
std::string address(const std::string& host, int port);
/// http://host:port
std::string url_for(const std::string& host, int port);

}  // namespace lwgw::daemon
