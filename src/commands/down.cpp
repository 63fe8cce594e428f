// `lwgw down`: drain and stop the local proxy.
#include <CLI/CLI.hpp>
#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>

#include "lwgw/commands.hpp"
#include "lwgw/daemon.hpp"
#include "lwgw/error.hpp"

namespace lwgw {

namespace {

int down(Context& ctx, int timeout_s) {
  const Paths& paths = ctx.paths();
  auto live = daemon::find_running(paths, ctx.env);
  int pid = live ? live->state.pid : 0;
  if (!live) {
    // A proxy that is already draining no longer answers, but its state file names it.
    auto s = daemon::read_state(paths);
    if (s && s->pid > 0 && daemon::process_alive(s->pid)) pid = s->pid;
  }
  if (pid == 0) throw Error(Exit::kNotRunning, "the proxy is not running");
  std::uint64_t inflight = 0, requests = 0;
  if (live) {
    auto doc = nlohmann::json::parse(live->status_json, nullptr, false);
    if (!doc.is_discarded()) {
      inflight = doc.value("inflight", std::uint64_t{0});
      requests = doc.value("requests", std::uint64_t{0});
    }
  }
  ::kill(pid, SIGTERM);
  *ctx.io.err << "lwgw: stopping the proxy (pid " << pid << ")";
  if (inflight > 0) *ctx.io.err << ", waiting for " << inflight << " request(s) in flight";
  *ctx.io.err << "\n" << std::flush;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (daemon::process_alive(pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (daemon::process_alive(pid)) {
    ::kill(pid, SIGKILL);
    for (int i = 0; i < 100 && daemon::process_alive(pid); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    daemon::remove_state(paths, pid);
    *ctx.io.err << "lwgw: the proxy did not stop within " << timeout_s
                << " s; killed it (requests still in flight were cut)\n";
    return 0;
  }
  daemon::remove_state(paths, pid);
  *ctx.io.err << "lwgw: proxy stopped";
  if (live) *ctx.io.err << " (it served " << requests << " request(s))";
  *ctx.io.err << "\n";
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
