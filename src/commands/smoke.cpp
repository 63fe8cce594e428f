// `lwgw smoke`: the verified-smoke probes against the gateway, PASS/FAIL/SKIP per probe.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "lwgw/commands/table.hpp"
#include "lwgw/probe/probe.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw {

namespace {
struct SmokeOptions {
  std::string gateway;
  bool via_proxy = false;
  bool completion = false;
};

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
  probe::Target target = probe::target_from_context(ctx, o.via_proxy);
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
    nlohmann::ordered_json doc = {{"gateway", target.base_url},
                                  {"via_proxy", target.via_proxy},
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
  out << "smoke " << target.base_url << (target.via_proxy ? " (through the local proxy)" : "")
      << "\n";
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
  cmd.add_flag("--via-proxy", o->via_proxy, "Send the probes through the local proxy");
  cmd.add_flag("--completion", o->completion,
               "Also one tiny streamed request per dialect (spends tokens)");
  cmd.footer(
      "Probes, in order: healthz, startupz, readyz, unauth-models, unauth-chat (401 envelope\n"
      "without a key), auth-models (with the key); --completion adds one streamed request per\n"
      "dialect (messages, chat, responses, gemini). Probes the hosted ingress does not expose\n"
      "(404) are SKIP. Exit 1 when any probe FAILs.");
  cmd.callback([&ctx, &action, o] { action = [&ctx, o] { return smoke(ctx, *o); }; });
}

}  // namespace lwgw
