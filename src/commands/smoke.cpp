// `lwgw smoke`: the verified-smoke probes against the gateway, PASS/FAIL/SKIP per probe.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "lwgw/commands/table.hpp"
#include "lwgw/error.hpp"
#include "lwgw/probe/local.hpp"
#include "lwgw/probe/probe.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw {

namespace {
struct SmokeOptions {
  std::string gateway;
  bool via_proxy = false;
  bool direct = false;
  bool completion = false;
};

/// Through the proxy when asked, or by default when a CLI is set up in proxy mode (that is the
/// path those CLIs use); to the gateway with --direct or --gateway, or when none is.
bool through_proxy(Context& ctx, const SmokeOptions& o) {
  if (o.direct && o.via_proxy) throw usage_error("use either --direct or --via-proxy");
  if (o.via_proxy) return true;
  if (o.direct || !o.gateway.empty()) return false;
  return probe::any_proxy_mode(probe::clis_set_up(ctx.paths()));
}

/// Before any probe through the proxy: the listener on its address must be lwgw, not another
/// program that would receive the local token and answer in its own way.
probe::Listener confirm_lwgw(Context& ctx, const probe::Target& target) {
  const std::string listen = target.base_url.substr(std::string("http://").size());
  probe::Listener l = probe::identify_listener(listen, ctx.env);
  const std::string direct = " (or `lwgw smoke --direct` to probe the gateway itself)";
  switch (l.kind) {
    case probe::Listener::Kind::kLwgw:
      return l;
    case probe::Listener::Kind::kNothing:
      throw Error(Exit::kNotRunning, "the local proxy is not running: nothing listens on " +
                                         listen + ", where the CLIs set up in proxy mode send " +
                                         "their requests; start it with `lwgw up`" + direct);
    case probe::Listener::Kind::kDraining:
      throw failure("the lwgw on " + listen + " is draining (being stopped); start it again " +
                    "with `lwgw up` once `lwgw status` says it stopped" + direct);
    case probe::Listener::Kind::kForeign:
      break;
  }
  throw failure(listen + " is not lwgw: " + (l.holder.empty() ? "another program" : l.holder) +
                " holds the port and answered GET /_lwgw/healthz with " + l.answer +
                ", so the CLIs set up in proxy mode are talking to it; stop that program, or move "
                "lwgw with `lwgw config set proxy.listen 127.0.0.1:PORT` and `lwgw up`");
}

int colour_of(probe::Verdict v) {
  switch (v) {
    case probe::Verdict::kPass:
      return 32;
    case probe::Verdict::kFail:
      return 31;
    case probe::Verdict::kWarn:
      return 33;
    case probe::Verdict::kSkip:
      break;
  }
  return 2;
}

int smoke(Context& ctx, const SmokeOptions& o) {
  if (!o.gateway.empty()) ctx.config().apply_flag("gateway.url", o.gateway, "--gateway");
  const bool via_proxy = through_proxy(ctx, o);
  probe::Target target = probe::target_from_context(ctx, via_proxy);
  std::optional<probe::Listener> proxy;
  if (via_proxy) proxy = confirm_lwgw(ctx, target);
  std::vector<probe::Result> results;
  try {
    results = probe::run(target, o.completion, ctx.env);
  } catch (const probe::Unreachable& u) {
    probe::throw_unreachable(target, u);
  }
  int pass = 0, fail = 0, skip = 0, warn = 0;
  for (const auto& r : results) {
    pass += r.verdict == probe::Verdict::kPass;
    fail += r.verdict == probe::Verdict::kFail;
    skip += r.verdict == probe::Verdict::kSkip;
    warn += r.verdict == probe::Verdict::kWarn;
  }
  if (ctx.opts.json) {
    nlohmann::ordered_json probes = nlohmann::ordered_json::array();
    for (const auto& r : results)
      probes.push_back({{"probe", r.probe},
                        {"request", r.request},
                        {"result", util::lower(probe::to_string(r.verdict))},
                        {"reason", r.reason},
                        {"http_status", r.http_status},
                        {"seconds", r.seconds}});
    nlohmann::ordered_json doc = {
        {"gateway", target.base_url},
        {"via_proxy", target.via_proxy},
        {"proxy", proxy ? nlohmann::ordered_json{{"listen", proxy->listen},
                                                 {"version", proxy->version},
                                                 {"gateway", proxy->gateway}}
                        : nlohmann::ordered_json(nullptr)},
        {"ok", fail == 0},
        {"passed", pass},
        {"failed", fail},
        {"skipped", skip},
        {"warnings", warn},
        {"probes", probes}};
    *ctx.io.out << doc.dump(2) << "\n";
    return fail ? 1 : 0;
  }
  auto& out = *ctx.io.out;
  out << "smoke " << target.base_url;
  if (proxy)
    out << " (through the local proxy: lwgw " << proxy->version << " -> " << proxy->gateway
        << "; --direct probes the gateway itself)";
  out << "\n";
  size_t width = 0;
  for (const auto& r : results) width = std::max(width, r.probe.size());
  for (const auto& r : results) {
    char ms[32] = "";
    if (r.verdict != probe::Verdict::kSkip || r.http_status)
      std::snprintf(ms, sizeof ms, "  %.0f ms", r.seconds * 1000);
    out << "  " << ctx.paint(probe::to_string(r.verdict), colour_of(r.verdict)) << "  " << r.probe
        << std::string(width - r.probe.size() + 2, ' ') << r.reason << ctx.paint(ms, 2) << "\n";
  }
  out << pass << " passed, " << fail << " failed, " << skip << " skipped";
  if (warn) out << ", " << warn << " warning" << (warn == 1 ? "" : "s");
  out << "\n";
  return fail ? 1 : 0;
}
}  // namespace

void configure_smoke(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<SmokeOptions>();
  cmd.add_option("--gateway", o->gateway, "Gateway URL (default gateway.url)")->type_name("URL");
  cmd.add_flag("--via-proxy", o->via_proxy,
               "Send the probes through the local proxy (the default when a CLI is set up in "
               "proxy mode)");
  cmd.add_flag("--direct", o->direct, "Send the probes to the gateway itself");
  cmd.add_flag("--completion", o->completion,
               "Also one tiny streamed request per dialect (spends tokens)");
  cmd.footer(
      "Probes, in order: healthz, startupz, readyz, unauth-models, unauth-chat (401 envelope\n"
      "without a key), auth-models (with the key); --completion adds one streamed request per\n"
      "dialect (messages, chat, responses, gemini). Probes the hosted ingress does not expose\n"
      "(404) are SKIP. Exit 1 when any probe FAILs.\n"
      "When a CLI is set up in proxy mode the probes go through the local proxy (the path the\n"
      "CLIs use), after checking that lwgw is what answers on proxy.listen (GET /_lwgw/healthz):\n"
      "another program there is exit 1, nothing there exit 4. --direct or --gateway URL probe the\n"
      "gateway itself.");
  cmd.callback([&ctx, &action, o] { action = [&ctx, o] { return smoke(ctx, *o); }; });
}

}  // namespace lwgw
