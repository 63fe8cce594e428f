// `lwgw up`: start the local proxy — as a background daemon (default) or in this terminal.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "lwgw/commands/table.hpp"
#include "lwgw/daemon/host.hpp"
#include "lwgw/daemon/port_holder.hpp"
#include "lwgw/daemon/start.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/probe/local.hpp"
#include "lwgw/setup/engine.hpp"
#include "lwgw/util/text.hpp"

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

// CLIs set up in proxy mode point at proxy.listen: a proxy elsewhere does not serve them.
void warn_other_address(Context& ctx, const std::string& listen_flag) {
  if (listen_flag.empty()) return;
  const std::string configured = ctx.config().get_string("proxy.listen");
  if (listen_flag == configured) return;
  auto cli_list = setup::clis_in_mode(ctx.paths(), setup::Mode::kProxy);
  if (cli_list.empty()) return;
  ctx.log().warn(util::join(cli_list) + " " + (cli_list.size() == 1 ? "is" : "are") +
                 " set up for " + configured + " (proxy.listen), not " + listen_flag +
                 ": to move them, run `lwgw config set proxy.listen " + listen_flag + "`");
}

// While lwgw was down, a program of another user (or any other) took proxy.listen: the CLIs set
// up in proxy mode may have sent it the local token, so the token is replaced (and written into
// them) before the start fails on the taken port. Linux: the port table says the port is taken,
// so a free port costs no probe.
void rotate_if_squatted(Context& ctx) {
  const std::string listen = ctx.config().get_string("proxy.listen");
  const int port = probe::port_of(listen);
  if (port == 0 || !daemon::port_listening(port)) return;
  if (daemon::find_running(ctx.paths(), ctx.env)) return;
  const probe::Listener l = probe::identify_listener(listen, ctx.env);
  if (l.kind != probe::Listener::Kind::kForeign) return;
  ctx.log().warn(listen + " (proxy.listen) is held by " +
                 (l.holder.empty() ? std::string("another program") : l.holder) +
                 ", not lwgw: a CLI may have sent it the local token, so lwgw replaces the token "
                 "now (the old one stops working)");
  setup::SetupRequest r;
  r.no_service = true;
  setup::rotate_token(ctx, r);
}

int run_background(Context& ctx, const UpOptions& o) {
  warn_other_address(ctx, o.listen);
  rotate_if_squatted(ctx);
  daemon::Started s = daemon::start_background(ctx, o.listen);
  if (ctx.opts.json) {
    *ctx.io.out << nlohmann::ordered_json{{"url", s.url},
                                          {"pid", s.pid},
                                          {"already_running", s.already},
                                          {"service", s.already && !s.pid}}
                       .dump(2)
                << "\n";
    return 0;
  }
  if (s.already)
    *ctx.io.err << "lwgw: the proxy already runs on " << s.url
                << (s.pid ? " (pid " + std::to_string(s.pid) + ")"
                          : std::string(" (login service)"))
                << "\n";
  else
    *ctx.io.err << "lwgw: proxy listening on " << s.url << " (pid " << s.pid << ")\n";
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
