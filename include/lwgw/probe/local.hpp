// The path the coding CLIs use, as `status`, `smoke` and `login` see it: which CLIs setup
// configured and in which mode, whether the listener on proxy.listen is lwgw (and who holds the
// port when it is not), and whether the gateway answers at all (cached for a minute).
#pragma once

#include <string>
#include <vector>

#include "lwgw/environment.hpp"
#include "lwgw/http_client.hpp"

namespace lwgw::probe {

/// One CLI setup configured, and how: "proxy" (the local proxy and the local token) or "direct".
struct CliSetup {
  std::string cli;
  std::string mode;
};
/// The CLIs in the setup manifest, by name; empty when setup never ran. Throws Error(kConfig)
/// when the manifest is unreadable.
std::vector<CliSetup> clis_set_up(const Paths& paths);
/// Whether any of them goes through the local proxy.
bool any_proxy_mode(const std::vector<CliSetup>& clis);

/// What answers on proxy.listen.
struct Listener {
  enum class Kind {
    kLwgw,      // lwgw's own GET /_lwgw/healthz answer
    kDraining,  // lwgw, being stopped
    kNothing,   // connection refused: nothing listens
    kForeign,   // something else: another program, or no HTTP answer in time
  };
  Kind kind = Kind::kNothing;
  std::string listen;   // host:port asked
  std::string version;  // lwgw's version (kLwgw, kDraining)
  std::string gateway;  // where that lwgw forwards (kLwgw, kDraining)
  std::string answer;   // kForeign: what came back, e.g. "HTTP 404 (text/plain)"
  std::string holder;   // kForeign: describe_port_holder()
};

/// Judges an answer to GET /_lwgw/healthz (pure). lwgw answers 200 application/json
/// {"status":"ok"|"draining","version":S,"uptime_s":N,"gateway":S}; anything else is foreign.
Listener judge_listener(const http::Response& response);
/// Asks http://<listen>/_lwgw/healthz (3 s at most) and names the port's holder when something
/// other than lwgw answers.
Listener identify_listener(const std::string& listen, const Env& env);

/// The port of "host:port" or "[v6]:port"; 0 when there is none.
int port_of(const std::string& listen);
/// Who listens on a local TCP port: "python3 (pid 4242)", "a process of another user" when the
/// port is taken but its owner cannot be seen, "" when nothing listens (Linux; "" elsewhere).
std::string describe_port_holder(int port);

/// Whether the gateway answers at all: any HTTP status to GET <gateway>/health within 2 s.
struct Reach {
  std::string gateway;
  bool reachable = false;
  long http_status = 0;
  std::string error;       // the transport error when unreachable
  double seconds = 0;      // how long the answer took
  std::string checked_at;  // ISO-8601 UTC
  double age_s = 0;        // how old the answer is
  bool cached = false;
};
/// The answer recorded in $XDG_STATE_HOME/lwgw/gateway-check.json when it is about `gateway`
/// and younger than `max_age_s` (≤ 60); otherwise asks (2 s timeout, `ca_file` trusted as well)
/// and records the answer.
Reach gateway_reach(const Paths& paths, const std::string& gateway, const std::string& ca_file,
                    const Env& env, double max_age_s = 60);

}  // namespace lwgw::probe
