// `lwgw up`: start the local proxy — as a background daemon (default) or in this terminal.
#include <CLI/CLI.hpp>
#include <iostream>

#include "lwgw/commands/table.hpp"
#include "lwgw/daemon/host.hpp"
#include "lwgw/daemon/preflight.hpp"
#include "lwgw/daemon/spawn.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/process.hpp"

namespace lwgw {

namespace {

struct UpOptions {
  bool foreground = false;
  std::string listen;
  int ready_fd = -1;  // hidden: the daemon reports readiness to `lwgw up` through this pipe
};

int run_foreground(Context& ctx, const UpOptions& o) {
  daemon::Host host(ctx, {.listen = o.listen, .ready_fd = o.ready_fd});
  return host.run();
}

// True when the proxy already runs where it was asked to listen (said so); throws when it runs
// elsewhere.
bool already_running(Context& ctx, const HostPort& want) {
  auto live = daemon::find_running(ctx.paths(), ctx.env);
  if (!live) return false;
  std::string want_addr = daemon::address(want.host, want.port);
  if (want.port == 0 || live->state.listen == want_addr) {
    *ctx.io.err << "lwgw: the proxy already runs on http://" << live->state.listen << " (pid "
                << live->state.pid << ")\n";
    return true;
  }
  throw failure("the proxy already runs on " + live->state.listen + " (pid " +
                std::to_string(live->state.pid) + "), not on " + want_addr +
                "; restart it with `lwgw down && lwgw up`");
}

// Starts `lwgw up --foreground` detached and waits until it reports that it listens, or why it
// could not.
int run_background(Context& ctx, const UpOptions& o) {
  daemon::Preflight pre = daemon::preflight(ctx, o.listen);
  if (already_running(ctx, pre.listen)) return 0;
  daemon::SpawnRequest req{
      .exe = ctx.self_exe, .args = {"up", "--foreground"}, .envp = process::to_envp(ctx.env)};
  if (!ctx.opts.config_path.empty())
    req.args.insert(req.args.begin(), {"--config", ctx.opts.config_path});
  if (!o.listen.empty()) req.args.insert(req.args.end(), {"--listen", o.listen});
  fs::ensure_dir(ctx.paths().state_dir, 0700);

  auto readiness = daemon::spawn_detached(req);
  if (!readiness) throw failure("the proxy exited while starting; see `lwgw logs`");
  if (auto* bad = std::get_if<daemon::StartFailed>(&*readiness))
    throw Error(bad->code == Exit::kConfig ? Exit::kConfig : Exit::kFailed, bad->message);
  const auto& ready = std::get<daemon::Ready>(*readiness);
  *ctx.io.err << "lwgw: proxy listening on " << daemon::url_for(pre.listen.host, ready.port)
              << " (pid " << ready.pid << ")\n";
  return 0;
}

}  // namespace

void configure_up(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<UpOptions>();
  cmd.add_flag("--foreground", o->foreground, "Run in this terminal (what service managers use)");
  cmd.add_option("--listen", o->listen, "Address to listen on (default proxy.listen)")
      ->type_name("ADDR");
  cmd.add_option("--ready-fd", o->ready_fd, "internal: readiness pipe of a daemon")->group("");
  cmd.footer(
      "Without --foreground the proxy runs in the background (its log: `lwgw logs`) and `up`\n"
      "returns once it listens. Stop it with `lwgw down`; start it at login with `lwgw service "
      "install`.");
  cmd.callback([&ctx, &action, o] {
    action = [&ctx, o] {
      return o->foreground ? run_foreground(ctx, *o) : run_background(ctx, *o);
    };
  });
}

}  // namespace lwgw
