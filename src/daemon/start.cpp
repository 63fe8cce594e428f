// Starting the proxy in the background, and telling lwgw from another program on its address.
#include "lwgw/daemon/start.hpp"

#include <nlohmann/json.hpp>

#include "lwgw/daemon/port_holder.hpp"
#include "lwgw/daemon/preflight.hpp"
#include "lwgw/daemon/spawn.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/http_client.hpp"
#include "lwgw/process.hpp"

namespace lwgw::daemon {

namespace {

std::string holder_text(const std::string& listen) {
  auto colon = listen.rfind(':');
  int port = 0;
  try {
    port = colon == std::string::npos ? 0 : std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    return "";
  }
  auto h = port ? port_holder(port) : std::nullopt;
  return h ? " (pid " + std::to_string(h->pid) + ", " + h->program + ")" : "";
}

// A healthz answer is lwgw's when it is JSON with lwgw's keys.
bool is_lwgw_health(const http::Response& r) {
  if (r.status != 200 && r.status != 503) return false;
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  return doc.is_object() && doc.contains("status") && doc.contains("version") &&
         doc.contains("gateway");
}

}  // namespace

Listener probe_listener(const std::string& listen, const Env& env) {
  http::Request req;
  req.url = "http://" + listen + "/_lwgw/healthz";
  req.connect_timeout_s = 2;
  req.timeout_s = 5;
  http::Response r = http::send(req, env);
  if (is_lwgw_health(r)) return {Listener::Kind::kLwgw, ""};
  if (r.status == 0 && r.couldnt_connect) return {Listener::Kind::kNone, ""};
  std::string what = r.status != 0 ? "a program that is not lwgw (it answered HTTP " +
                                         std::to_string(r.status) + " to /_lwgw/healthz)"
                                   : "a program that does not answer HTTP (" + r.error + ")";
  return {Listener::Kind::kForeign, what + holder_text(listen)};
}

Started start_background(Context& ctx, const std::string& listen_flag) {
  Preflight pre = preflight(ctx, listen_flag);
  const std::string want = address(pre.listen.host, pre.listen.port);
  if (auto live = find_running(ctx.paths(), ctx.env)) {
    if (pre.listen.port == 0 || live->state.listen == want)
      return {"http://" + live->state.listen, live->state.pid, true};
    throw failure("the proxy already runs on " + live->state.listen + " (pid " +
                  std::to_string(live->state.pid) + "), not on " + want +
                  "; restart it with `lwgw down && lwgw up`");
  }
  if (pre.listen.port != 0) {
    Listener l = probe_listener(want, ctx.env);
    if (l.kind == Listener::Kind::kLwgw)
      return {url_for(pre.listen.host, pre.listen.port), 0, true};
  }
  SpawnRequest req{
      .exe = ctx.self_exe, .args = {"up", "--foreground"}, .envp = process::to_envp(ctx.env)};
  if (!ctx.opts.config_path.empty())
    req.args.insert(req.args.begin(), {"--config", ctx.opts.config_path});
  if (!listen_flag.empty()) req.args.insert(req.args.end(), {"--listen", listen_flag});
  fs::ensure_dir(ctx.paths().state_dir, 0700);

  auto readiness = spawn_detached(req);
  if (!readiness) throw failure("the proxy exited while starting; see `lwgw logs`");
  if (auto* bad = std::get_if<StartFailed>(&*readiness))
    throw Error(bad->code == Exit::kConfig ? Exit::kConfig : Exit::kFailed, bad->message);
  const auto& ready = std::get<Ready>(*readiness);
  return {url_for(pre.listen.host, ready.port), ready.pid, false};
}

}  // namespace lwgw::daemon
