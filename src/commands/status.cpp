// `lwgw status`: is the local proxy running, and what is it doing (asked of the proxy itself).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lwgw/commands/table.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/error.hpp"

namespace lwgw {

namespace {

std::string duration(double s) {
  auto total = static_cast<long long>(s);
  long long d = total / 86400, h = total % 86400 / 3600, m = total % 3600 / 60, sec = total % 60;
  std::string out;
  if (d) out += std::to_string(d) + "d ";
  if (d || h) out += std::to_string(h) + "h ";
  if (d || h || m) out += std::to_string(m) + "m ";
  return out + std::to_string(sec) + "s";
}

int status(Context& ctx) {
  auto live = daemon::find_running(ctx.paths(), ctx.env);
  if (!live) {
    if (ctx.opts.json)
      *ctx.io.out << nlohmann::json{{"running", false}}.dump() << "\n";
    else
      *ctx.io.out << "lwgw: the proxy is not running (start it with `lwgw up`)\n";
    return static_cast<int>(Exit::kNotRunning);
  }
  auto doc = nlohmann::json::parse(live->status_json, nullptr, false);
  if (doc.is_discarded())
    throw failure("the proxy answered /_lwgw/status with something unreadable");
  nlohmann::json out = {
      {"running", true},
      {"pid", doc.value("pid", live->state.pid)},
      {"listen", doc.value("listen", live->state.listen)},
      {"gateway", doc.value("gateway", live->state.gateway)},
      {"uptime_s", doc.value("uptime_s", 0.0)},
      {"requests", doc.value("requests", 0)},
      {"inflight", doc.value("inflight", 0)},
      {"last_error", doc.contains("last_error") ? doc["last_error"] : nullptr},
      {"budget_warning", doc.contains("budget_warning") ? doc["budget_warning"] : nullptr},
      {"draining", doc.value("status", "") == "draining"}};
  if (ctx.opts.json) {
    *ctx.io.out << out.dump(2) << "\n";
    return 0;
  }
  auto text = [](const nlohmann::json& v) {
    return v.is_string() ? v.get<std::string>() : std::string("none");
  };
  auto& o = *ctx.io.out;
  o << "proxy:          " << ctx.paint(out["draining"].get<bool>() ? "draining" : "running", 32)
    << " (pid " << out["pid"].get<int>() << ")\n";
  o << "listen:         http://" << out["listen"].get<std::string>() << "\n";
  o << "gateway:        " << out["gateway"].get<std::string>() << "\n";
  o << "uptime:         " << duration(out["uptime_s"].get<double>()) << "\n";
  o << "requests:       " << out["requests"].get<std::uint64_t>() << " ("
    << out["inflight"].get<std::uint64_t>() << " in flight)\n";
  std::string err = text(out["last_error"]), budget = text(out["budget_warning"]);
  o << "last error:     " << (err == "none" ? err : ctx.paint(err, 31)) << "\n";
  o << "budget warning: " << (budget == "none" ? budget : ctx.paint(budget, 33)) << "\n";
  return 0;
}

}  // namespace

void configure_status(CLI::App& cmd, Context& ctx, Action& action) {
  cmd.footer(
      "Exit 0 when the proxy runs, 4 when it does not. --json keys: running, pid, listen, "
      "gateway,\n"
      "uptime_s, requests, inflight, last_error, budget_warning.");
  cmd.callback([&ctx, &action] { action = [&ctx] { return status(ctx); }; });
}

}  // namespace lwgw
