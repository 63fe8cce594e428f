// Cursor: nothing to write (its servers send its requests): the values to paste, and a key check.
#include <ostream>

#include <arpa/inet.h>
#include "lwgw/clis/profile.hpp"
#include "lwgw/config.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/doctor/cli.hpp"
#include "lwgw/doctor/net.hpp"
#include "lwgw/doctor/support.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/redact.hpp"

// Cursor's doctor check: lwgw configures nothing for it; its servers must reach the gateway.
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

}  // namespace lwgw::doctor

namespace lwgw::clis {

namespace {

std::optional<Error> guide(Context& ctx, std::ostream& out) {
  const std::string gateway = ctx.config().get_string("gateway.url");
  out << "cursor: nothing to write (Cursor keeps these in its settings, not in a file).\n"
      << "  In Cursor: Settings > Models > API Keys:\n"
      << "    OpenAI API Key:              your virtual key (`lwgw env --api-key --direct` "
         "prints it)\n"
      << "    Override OpenAI Base URL:    " << gateway << "/v1\n"
      << "  Cursor sends these requests from its own servers, so the local proxy on "
         "127.0.0.1 cannot work\n"
      << "  for it: Cursor always talks to the gateway directly.\n";
  std::optional<Error> error;
  if (auto vk = resolve_vk(ctx.credentials(), ctx.env)) {
    register_secret(vk->key);
    KeyCheck c = check_key(gateway, vk->key, ctx.config(), ctx.env);
    if (c.kind == KeyCheck::Kind::kOk)
      out << "  verified: the gateway answers GET /v1/models with your key\n";
    else if (c.kind == KeyCheck::Kind::kRejected)
      error = config_error("the gateway rejected the key (HTTP " + std::to_string(c.status) +
                           "): " + c.message);
    else
      ctx.log().warn("cursor: could not verify the key: " + c.message);
  } else {
    out << "  not verified: not logged in (run `lwgw login` to check the key)\n";
  }
  return error;
}

}  // namespace

const CliProfile& cursor() {
  static const CliProfile p{
      .name = "cursor",
      .aliases = {"cursor-agent"},
      .title = "Cursor",
      .guide = guide,
      .hints =
          {
              .teardown = "lwgw wrote nothing for Cursor; remove the key and base URL in "
                          "Cursor's settings yourself",
              .no_exec = "Cursor has no command line to run: its requests come from Cursor's "
                         "servers. Run `lwgw setup cursor` for what to paste into its settings",
          },
      .doctor = {.traps = doctor::traps},
  };
  return p;
}

}  // namespace lwgw::clis
