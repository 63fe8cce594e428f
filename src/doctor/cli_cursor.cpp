// Cursor's doctor check: lwgw configures nothing for it; its servers must reach the gateway.
#include <arpa/inet.h>

#include "clis.hpp"
#include "lwgw/config.hpp"
#include "net.hpp"
#include "support.hpp"

namespace lwgw::doctor {

namespace {

/// A private (RFC 1918, unique-local) address or an internal-looking name.
bool private_host(const std::string& host) {
  in_addr a4{};
  if (::inet_pton(AF_INET, host.c_str(), &a4) == 1) {
    const uint32_t ip = ntohl(a4.s_addr);
    return (ip >> 24) == 10 || (ip >> 20) == (172u << 4 | 1) || (ip >> 16) == (192u << 8 | 168);
  }
  in6_addr a6{};
  if (::inet_pton(AF_INET6, host.c_str(), &a6) == 1) return (a6.s6_addr[0] & 0xfe) == 0xfc;
  for (const char* suffix : {".local", ".internal", ".lan", ".corp"}) {
    const std::string s = suffix;
    if (host.size() > s.size() && host.compare(host.size() - s.size(), s.size(), s) == 0)
      return true;
  }
  return host.find('.') == std::string::npos;
}

Result gateway(const Facts& f, const Done& done) {
  auto u = net::parse_url(f.gateway);
  if (!u) return skip("gateway.url is not a URL");
  if (is_loopback_host(u->host))
    return skip(
        "the gateway is on this machine (a test or demo gateway): Cursor's servers "
        "cannot reach it");
  if (private_host(u->host))
    return warn(u->host +
                    " looks private: Cursor sends its requests from its own servers, which "
                    "cannot reach it",
                {"use a gateway URL reachable from the internet in Cursor's settings", ""});
  const Result* auth = done.find("gateway.auth");
  const std::string state =
      auth && auth->status == Status::kOk ? "the gateway accepts your key" : "see gateway.auth";
  return ok("paste " + net::safe_url(f.gateway) + "/v1 and your key into Cursor's settings (" +
            state + "; `lwgw setup cursor` shows where)");
}

std::vector<Check> traps() {
  return {{.id = "cursor.gateway",
           .group = "cursor",
           .title = "Cursor's servers can reach the gateway (lwgw writes nothing for Cursor)",
           .after = {"gateway.auth"},
           .run = gateway}};
}

}  // namespace

const CliDoctor& cursor_doctor() {
  static const CliDoctor d{.cli = "cursor", .traps = traps};
  return d;
}

}  // namespace lwgw::doctor
