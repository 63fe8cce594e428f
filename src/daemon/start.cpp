// Starting the proxy in the background.
#include "lwgw/daemon/start.hpp"

#include "lwgw/daemon/preflight.hpp"
#include "lwgw/daemon/service.hpp"
#include "lwgw/daemon/spawn.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/probe/local.hpp"
#include "lwgw/process.hpp"

namespace lwgw::daemon {

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
  if (pre.listen.port != 0 && service_installed(ctx)) {
    // The login service's socket answers (and starts the proxy on this very request).
    if (probe::identify_listener(want, ctx.env).kind == probe::Listener::Kind::kLwgw)
      return {url_for(pre.listen.host, pre.listen.port), 0, true};
  }
  SpawnRequest req{
      .exe = ctx.self_exe, .args = {"up", "--foreground"}, .envp = process::to_envp(ctx.env)};
  if (!ctx.opts.config_path.empty())
    req.args.insert(req.args.begin(), {"--config", ctx.opts.config_path});
  if (!listen_flag.empty()) req.args.insert(req.args.end(), {"--listen", listen_flag});
  fs::ensure_private_dir(ctx.paths().state_dir);
  fs::ensure_private_dir(ctx.paths().runtime_dir);

  auto readiness = spawn_detached(req);
  if (!readiness) throw failure("the proxy exited while starting; see `lwgw logs`");
  if (auto* bad = std::get_if<StartFailed>(&*readiness))
    throw Error(bad->code == Exit::kConfig ? Exit::kConfig : Exit::kFailed, bad->message);
  const auto& ready = std::get<Ready>(*readiness);
  return {url_for(pre.listen.host, ready.port), ready.pid, false};
}

}  // namespace lwgw::daemon
