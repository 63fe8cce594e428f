// `lwgw down`: drain and stop the local proxy.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lwgw/commands/table.hpp"
#include "lwgw/daemon/service.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/daemon/stop.hpp"
#include "lwgw/error.hpp"

namespace lwgw {

namespace {

struct Counters {
  std::uint64_t inflight = 0;
  std::uint64_t requests = 0;
};

Counters counters(const std::optional<daemon::Live>& live) {
  Counters c;
  if (!live) return c;
  auto doc = nlohmann::json::parse(live->status_json, nullptr, false);
  if (doc.is_discarded()) return c;
  c.inflight = doc.value("inflight", std::uint64_t{0});
  c.requests = doc.value("requests", std::uint64_t{0});
  return c;
}

int down(Context& ctx, int timeout_s) {
  // Silence here would read as "not running" while a proxy this HOME cannot vouch for may be.
  if (auto why = daemon::runtime_dir_refusal(ctx.paths()))
    throw config_error("cannot tell which proxy is this HOME's: " + *why);
  auto target = daemon::find_stop_target(ctx.paths(), ctx.env);
  if (!target) throw Error(Exit::kNotRunning, "the proxy is not running");
  if (!target->refusal.empty()) {
    daemon::remove_state(ctx.paths(), target->pid);
    throw Error(Exit::kNotRunning, "the proxy is not running: its state file named " +
                                       target->refusal +
                                       ". lwgw did not signal it, and removed the stale file " +
                                       daemon::state_file(ctx.paths()).string());
  }
  const Counters before = counters(target->live);
  const bool service = daemon::service_installed(ctx);
  if (!ctx.opts.json) {
    *ctx.io.err << "lwgw: stopping the proxy (pid " << target->pid << ")";
    if (before.inflight > 0)
      *ctx.io.err << ", waiting for " << before.inflight << " request(s) in flight";
    *ctx.io.err << "\n" << std::flush;
  }
  auto result = daemon::stop(target->pid, std::chrono::seconds(timeout_s));
  daemon::remove_state(ctx.paths(), target->pid);
  if (ctx.opts.json) {
    *ctx.io.out << nlohmann::ordered_json{{"pid", target->pid},
                                          {"stopped", result == daemon::StopResult::kKilled
                                                          ? "killed"
                                                          : "drained"},
                                          {"served", before.requests},
                                          {"inflight_at_stop", before.inflight},
                                          {"service_restarts_it", service}}
                       .dump(2)
                << "\n";
    return 0;
  }
  if (result == daemon::StopResult::kKilled) {
    *ctx.io.err << "lwgw: the proxy did not stop within " << timeout_s
                << " s; killed it (requests still in flight were cut)\n";
    return 0;
  }
  *ctx.io.err << "lwgw: proxy stopped";
  if (target->live) *ctx.io.err << " (it served " << before.requests << " request(s))";
  *ctx.io.err << "\n";
  if (service)
    *ctx.io.err << "lwgw: the login service starts it again on the next connection and at login "
                   "(`lwgw service uninstall` removes the service)\n";
  return 0;
}

}  // namespace

void configure_down(CLI::App& cmd, Context& ctx, Action& action) {
  auto timeout = std::make_shared<int>(60);
  cmd.add_option("--timeout", *timeout,
                 "Seconds to wait for in-flight requests before SIGKILL (default 60)")
      ->type_name("S")
      ->check(CLI::Range(0, 86400));
  cmd.callback(
      [&ctx, &action, timeout] { action = [&ctx, timeout] { return down(ctx, *timeout); }; });
}

}  // namespace lwgw
