// doctor's proxy.* checks: the pid file, what answers on proxy.listen, the gateway the running
// proxy forwards to, its last error, the login service, and what `localhost` resolves to.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "clis.hpp"
#include "groups.hpp"
#include "lwgw/build_info.hpp"
#include "lwgw/daemon/service.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/doctor/net.hpp"
#include "lwgw/doctor/support.hpp"
#include "lwgw/http_client.hpp"
#include "lwgw/probe/local.hpp"
#include "lwgw/util/text.hpp"
#include "lwgw/verification.hpp"

namespace lwgw::doctor {

namespace {

bool proxy_mode(const Facts& f) {
  return f.mode == "proxy";
}

/// A process's command line (Linux), NULs as spaces; "" when it cannot be read.
std::string command_line(int pid) {
  auto text = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  if (!text) return "";
  std::string s = *text;
  for (char& c : s)
    if (c == '\0') c = ' ';
  return util::trim(s);
}

bool is_lwgw_up(const std::string& cmdline) {
  std::istringstream in(cmdline);
  std::string argv0, word;
  in >> argv0;
  if (std::filesystem::path(argv0).filename() != "lwgw") return false;
  while (in >> word)
    if (word == "up") return true;
  return false;
}

Result pidfile(const Facts& f, const Done&) {
  auto s = daemon::read_state(f.paths);
  const std::string file = f.show(daemon::state_file(f.paths));
  if (!s) return ok("no pid file (" + file + "): no proxy started by `lwgw up` or the service");
  if (!daemon::process_alive(s->pid))
    return ok("stale pid file: pid " + std::to_string(s->pid) + " is gone (`lwgw up` replaces it)")
        .at(file);
  const std::string cmd = command_line(s->pid);
  if (cmd.empty() || is_lwgw_up(cmd))
    return ok("pid " + std::to_string(s->pid) + " is lwgw, listening on " + s->listen).at(file);
  return fail("the pid file names pid " + std::to_string(s->pid) + ", which is now `" +
                  cmd.substr(0, 60) + "`, not lwgw",
              {"start the proxy (it replaces the stale pid file)", "lwgw up"})
      .at(file);
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

Result foreign(const Facts& f, const probe::Listener& l) {
  const std::string who = l.holder.empty() ? "another program" : l.holder;
  return fail(f.listen + " is held by " + who + ", which answered " + l.answer + ", not lwgw",
              {"stop that program, or move lwgw to a free port and set the CLIs up again",
               "lwgw config set proxy.listen 127.0.0.1:" + std::to_string(free_port()) +
                   " && lwgw setup && lwgw up"})
      .with("kind", "foreign")
      .with("holder", who);
}

/// GET /_lwgw/status of the proxy on proxy.listen, with this HOME's local token when it has one.
http::Response proxy_status(const Facts& f) {
  http::Request req;
  req.url = "http://" + f.listen + "/_lwgw/status";
  if (f.local_token) req.headers.push_back({"Authorization", "Bearer " + *f.local_token});
  req.connect_timeout_s = req.timeout_s = std::max(1L, static_cast<long>(f.seconds_left()));
  return http::send(req, f.env);
}

/// Whether the lwgw on proxy.listen refuses this HOME's local token: one started from another
/// HOME or by another user. False when there is no token to try.
bool refuses_our_token(const Facts& f) {
  return f.local_token && proxy_status(f).status == 401;
}

Result other_lwgw(const Facts& f, const probe::Listener& l) {
  const std::string port = std::to_string(free_port());
  const std::string holder = probe::describe_port_holder(probe::port_of(f.listen));
  return fail("an lwgw started elsewhere (another HOME, or another user" +
                  (holder.empty() ? "" : ": " + holder) + ") holds " + f.listen +
                  " and refuses this HOME's local token: the CLIs set up here get 401",
              {"stop it where it was started (`lwgw down` there), or move this HOME's proxy",
               "lwgw config set proxy.listen 127.0.0.1:" + port + " && lwgw setup && lwgw up"})
      .with("kind", "other_lwgw")
      .with("version", l.version)
      .with("holder", holder);
}

Result listener(const Facts& f, const Done&) {
  probe::Listener l = probe::identify_listener(f.listen, f.env);
  switch (l.kind) {
    case probe::Listener::Kind::kLwgw: {
      if (refuses_our_token(f)) return other_lwgw(f, l);
      Result r = ok("lwgw " + l.version + " answers on " + f.listen)
                     .with("kind", "lwgw")
                     .with("version", l.version)
                     .with("gateway", net::safe_url(l.gateway));
      if (l.version != build::kVersion)
        return warn("the running proxy is lwgw " + l.version + ", this is " + build::kVersion,
                    {"restart it", "lwgw down && lwgw up"})
            .with("kind", "lwgw")
            .with("gateway", net::safe_url(l.gateway));
      return r;
    }
    case probe::Listener::Kind::kDraining:
      return warn("the proxy on " + f.listen + " is being stopped", {"start it again", "lwgw up"})
          .with("kind", "draining");
    case probe::Listener::Kind::kForeign:
      return foreign(f, l);
    case probe::Listener::Kind::kNothing:
      break;
  }
  if (!proxy_mode(f))
    return skip("not running, and no CLI is set up in proxy mode").with("kind", "nothing");
  return fail("nothing listens on " + f.listen + ": the CLIs set up in proxy mode cannot connect",
              start_proxy_fix())
      .with("kind", "nothing");
}

Result proxy_gateway(const Facts& f, const Done& done) {
  const Result* l = done.find("proxy.listener");
  if (!l || l->details.value("kind", "") != "lwgw") return skip("no lwgw answers on " + f.listen);
  const std::string running = l->details.value("gateway", "");
  if (util::trim_trailing_slashes(running) == util::trim_trailing_slashes(net::safe_url(f.gateway)))
    return ok("forwards to " + running + " (gateway.url)");
  return fail("the running proxy forwards to " + running + ", but gateway.url is " +
                  net::safe_url(f.gateway),
              {"restart it with the current configuration", "lwgw down && lwgw up"});
}

Result last_error(const Facts& f, const Done& done) {
  const Result* l = done.find("proxy.listener");
  if (!l || l->details.value("kind", "") != "lwgw") return skip("no lwgw answers on " + f.listen);
  auto res = proxy_status(f);
  auto doc = nlohmann::json::parse(res.body, nullptr, false);
  if (res.status != 200 || !doc.is_object())
    return warn("GET /_lwgw/status did not answer (" +
                    (res.error.empty() ? "HTTP " + std::to_string(res.status) : res.error) + ")",
                {"restart it", "lwgw down && lwgw up"});
  Result r = ok("no error since it started");
  if (doc.contains("budget_warning") && doc["budget_warning"].is_string())
    r.with("budget_warning", doc["budget_warning"].get<std::string>());
  if (!doc.contains("last_error") || !doc["last_error"].is_string()) return r;
  const std::string e = doc["last_error"].get<std::string>();
  const size_t space = e.find(' ');
  auto age = space == std::string::npos ? std::nullopt : seconds_since_iso(e.substr(0, space));
  const std::string what = age ? e.substr(space + 1) : e;
  const std::string when = age ? age_text(*age) : "at an unknown time";
  if (age && *age > 3600) {
    r.summary = "last error " + when + ": " + what;
    return r;
  }
  Result w = warn("last error " + when + ": " + what,
                  {"see the request in the proxy's log", "lwgw logs -n 50"});
  w.details = r.details;
  return w;
}

Result service(const Facts& f, const Done&) {
  const daemon::ServicePlan plan =
      daemon::service_plan(f.paths, f.env, daemon::stable_exe(f.self_exe, f.env), f.listen);
  if (!plan.can_run) return skip("no user service manager: " + plan.why_not);
  Context ctx(f.env, Io{}, f.self_exe);
  const bool installed = daemon::service_installed(ctx);
  if (!installed) {
    if (!proxy_mode(f)) return skip("no CLI is set up in proxy mode");
    return warn("no login service: after a reboot nothing starts the proxy until `lwgw up`",
                {"install it", "lwgw service install"});
  }
  const daemon::ServiceState s = daemon::service_state(ctx, plan);
  const bool active = s.service == "active" || s.socket == "active";
  const std::string state =
      plan.macos ? "agent " + s.service : "lwgw.socket " + s.socket + ", lwgw.service " + s.service;
  if (active) return ok(plan.manager + ": " + state);
  return warn(plan.manager + ": installed but " + state,
              {"start it again", "lwgw service install"});
}

Result localhost(const Facts& f, const Done&) {
  if (!proxy_mode(f)) return skip("no CLI is set up in proxy mode");
  std::vector<std::string> users;
  for (const auto& [cli, mode] : f.clis) {
    const CliDoctor* d = cli_doctor(cli);
    auto url = d && d->base_url && mode == "proxy" ? d->base_url(f) : std::nullopt;
    auto u = url ? net::parse_url(url->value) : std::nullopt;
    if (u && u->host == "localhost") users.push_back(cli);
  }
  net::Resolved r = net::resolve("localhost", f.seconds_left());
  std::string host;
  try {
    host = parse_listen(f.listen).host;
  } catch (const std::exception&) {
  }
  const bool covered = std::find(r.addresses.begin(), r.addresses.end(), host) != r.addresses.end();
  std::string list;
  for (const auto& a : r.addresses) list += (list.empty() ? "" : ", ") + a;
  if (users.empty() || covered)
    return ok("localhost is " + (list.empty() ? "unresolved" : list) +
              (users.empty() ? "; the CLIs use the address itself" : ", which includes " + host));
  return warn(users.front() + " uses localhost, which resolves to " + list + ", not " + host +
                  " where the proxy listens",
              {"point it at the address itself", "lwgw setup " + users.front()});
}

}  // namespace

std::vector<Check> proxy_checks() {
  return {{.id = "proxy.pidfile",
           .group = "proxy",
           .title = "the pid file names a live lwgw (not another process)",
           .run = pidfile},
          {.id = "proxy.listener",
           .group = "proxy",
           .title = "lwgw answers /_lwgw/healthz on proxy.listen (or who holds the port)",
           .slow = true,
           .run = listener},
          {.id = "proxy.gateway",
           .group = "proxy",
           .title = "the running proxy forwards to gateway.url",
           .needs = {"proxy.listener"},
           .run = proxy_gateway},
          {.id = "proxy.last_error",
           .group = "proxy",
           .title = "the proxy's last error (a warning when under an hour old)",
           .needs = {"proxy.listener"},
           .slow = true,
           .run = last_error},
          {.id = "proxy.service",
           .group = "proxy",
           .title = "the login service is installed and active",
           .slow = true,
           .run = service},
          {.id = "proxy.localhost",
           .group = "proxy",
           .title = "`localhost` resolves to the address the proxy listens on",
           .slow = true,
           .run = localhost}};
}

}  // namespace lwgw::doctor
