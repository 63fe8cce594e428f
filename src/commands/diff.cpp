// `lwgw diff`: the smoke probes as transcripts, compared with known-good ones.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lwgw/commands/table.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/probe/probe.hpp"
#include "lwgw/util/clock.hpp"
#include "lwgw/util/diff.hpp"

namespace lwgw {

namespace {
struct DiffOptions {
  std::string gateway;
  bool via_proxy = false;
  std::string baseline = "builtin";
  std::string record;
};

struct ProbeDiff {
  const probe::Result* result = nullptr;
  std::string status;  // same | drift | breaking | skipped | unpinned
  std::string variant;
  std::vector<probe::Difference> differences;
  std::vector<std::string> lines;  // unified diff of the normalised transcripts
};

ProbeDiff diff_one(const probe::Result& r, const probe::Baseline& baseline) {
  ProbeDiff d;
  d.result = &r;
  if (r.verdict == probe::Verdict::kSkip || !r.transcript) {
    d.status = "skipped";
    return d;
  }
  const probe::BaselineProbe* bp = baseline.find(r.probe);
  if (!bp) {
    d.status = "unpinned";
    return d;
  }
  const probe::Variant* best = nullptr;
  std::vector<probe::Difference> best_diffs;
  auto score = [](const std::vector<probe::Difference>& v) {
    size_t breaking = 0;
    for (const auto& x : v) breaking += x.severity == probe::Severity::kBreaking;
    return std::make_pair(breaking, v.size());
  };
  for (const auto& v : bp->variants) {
    auto diffs = probe::compare(v.transcript, *r.transcript);
    if (!best || score(diffs) < score(best_diffs)) {
      best = &v;
      best_diffs = std::move(diffs);
    }
  }
  d.variant = best->label;
  d.differences = std::move(best_diffs);
  auto [breaking, total] = score(d.differences);
  d.status = breaking ? "breaking" : total ? "drift" : "same";
  probe::Transcript nb = probe::normalise(best->transcript);
  probe::Transcript nc = probe::normalise(*r.transcript);
  nc.headers_pinned = nb.headers_pinned;
  if (total) d.lines = util::line_diff(probe::transcript_lines(nb), probe::transcript_lines(nc));
  return d;
}

probe::Baseline load_baseline(const std::string& which) {
  if (which == "builtin") return probe::builtin_baseline();
  auto text = fs::read_file(which);
  if (!text) throw config_error("--baseline " + which + ": no such file");
  return probe::parse_baseline(*text, which);
}

void record(const DiffOptions& o, const std::vector<probe::Result>& results,
            const probe::Target& target) {
  probe::Baseline rec;
  for (const auto& r : results)
    if (r.verdict != probe::Verdict::kSkip && r.transcript)
      rec.probes.push_back({r.probe, r.request, {{"", *r.transcript}}});
  fs::atomic_write(o.record, probe::serialise_baseline(rec, target.base_url, util::utc_now_iso()));
}

struct Totals {
  size_t breaking = 0;
  size_t drift = 0;
};

nlohmann::ordered_json probe_json(const ProbeDiff& d) {
  using ojson = nlohmann::ordered_json;
  ojson diffs_j = ojson::array();
  for (const auto& x : d.differences)
    diffs_j.push_back(
        {{"severity", probe::to_string(x.severity)}, {"kind", x.kind}, {"detail", x.detail}});
  ojson p = {{"probe", d.result->probe},
             {"request", d.result->request},
             {"status", d.status},
             {"http_status", d.result->http_status}};
  if (!d.variant.empty()) p["variant"] = d.variant;
  if (d.status == "skipped") p["reason"] = d.result->reason;
  p["differences"] = diffs_j;
  p["diff"] = d.lines;
  if (d.result->transcript)
    p["transcript"] = probe::format_transcript(probe::normalise(*d.result->transcript));
  return p;
}

void print_json(Context& ctx, const DiffOptions& o, const probe::Target& target,
                const probe::Baseline& baseline, const std::vector<ProbeDiff>& diffs, Totals t) {
  using ojson = nlohmann::ordered_json;
  ojson probes = ojson::array();
  for (const auto& d : diffs) probes.push_back(probe_json(d));
  ojson doc = {{"gateway", target.base_url},
               {"via_proxy", target.via_proxy},
               {"baseline", baseline.source},
               {"breaking", t.breaking},
               {"drift", t.drift},
               {"probes", probes}};
  if (!o.record.empty()) doc["recorded"] = o.record;
  *ctx.io.out << doc.dump(2) << "\n";
}

void print_probe(Context& ctx, const ProbeDiff& d) {
  auto& out = *ctx.io.out;
  const auto& r = *d.result;
  out << "\n" << r.probe << " (" << r.request << "): ";
  if (d.status == "skipped") {
    out << ctx.paint("skipped", 2) << ", " << r.reason << "\n";
    return;
  }
  if (d.status == "unpinned") {
    out << ctx.paint("not pinned by the baseline", 2) << " (HTTP " << r.http_status << ")\n";
    return;
  }
  int colour = d.status == "breaking" ? 31 : d.status == "drift" ? 33 : 32;
  out << ctx.paint(d.status, colour);
  if (!d.variant.empty()) out << " (closest: " << d.variant << ")";
  if (!d.differences.empty())
    out << ", " << d.differences.size() << " difference" << (d.differences.size() == 1 ? "" : "s");
  out << "\n";
  for (const auto& x : d.differences) {
    bool brk = x.severity == probe::Severity::kBreaking;
    out << "  " << ctx.paint(brk ? "breaking" : "drift   ", brk ? 31 : 33) << "  " << x.detail
        << "\n";
  }
  if (d.lines.empty()) return;
  out << "  " << ctx.paint("--- baseline", 31) << "\n  " << ctx.paint("+++ current", 32) << "\n";
  for (const auto& l : d.lines) {
    int c = l[0] == '-' ? 31 : l[0] == '+' ? 32 : 0;
    out << "  " << (c ? ctx.paint(l, c) : l) << "\n";
  }
}

void print_text(Context& ctx, const DiffOptions& o, const probe::Target& target,
                const probe::Baseline& baseline, const std::vector<ProbeDiff>& diffs, Totals t) {
  auto& out = *ctx.io.out;
  out << "diff " << target.base_url << (target.via_proxy ? " (through the local proxy)" : "")
      << " against " << baseline.source << "\n";
  for (const auto& d : diffs) print_probe(ctx, d);
  out << "\n" << t.breaking << " breaking, " << t.drift << " drift";
  if (!t.breaking && !t.drift) out << ": no difference";
  out << "\n";
  if (!o.record.empty()) out << "recorded the current transcripts in " << o.record << "\n";
}

int diff(Context& ctx, const DiffOptions& o) {
  if (!o.gateway.empty()) ctx.config().apply_flag("gateway.url", o.gateway, "--gateway");
  const probe::Baseline baseline = load_baseline(o.baseline);
  probe::Target target = probe::target_from_context(ctx, o.via_proxy);
  std::vector<probe::Result> results;
  try {
    results = probe::run(target, false, ctx.env);
  } catch (const probe::Unreachable& u) {
    probe::throw_unreachable(target, u);
  }
  std::vector<ProbeDiff> diffs;
  Totals t;
  for (const auto& r : results) {
    diffs.push_back(diff_one(r, baseline));
    for (const auto& x : diffs.back().differences)
      (x.severity == probe::Severity::kBreaking ? t.breaking : t.drift)++;
  }
  if (!o.record.empty()) record(o, results, target);
  if (ctx.opts.json)
    print_json(ctx, o, target, baseline, diffs, t);
  else
    print_text(ctx, o, target, baseline, diffs, t);
  return t.breaking ? 1 : 0;
}
}  // namespace

void configure_diff(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<DiffOptions>();
  cmd.add_option("--gateway", o->gateway, "Gateway URL (default gateway.url)")->type_name("URL");
  cmd.add_flag("--via-proxy", o->via_proxy, "Send the probes through the local proxy");
  cmd.add_option("--baseline", o->baseline,
                 "builtin (the built-in known-good transcripts, recorded from the gateway on "
                 "2026-04-19) or a file")
      ->type_name("builtin|FILE");
  cmd.add_option("--record", o->record, "Save the current transcripts as a baseline file")
      ->type_name("FILE");
  cmd.footer(
      "Volatile values (request/trace/span ids, traceparent, dates, uptime, versions) become\n"
      "placeholders such as req_<30 hex> before comparing. breaking = status code, media type,\n"
      "a JSON field missing or of another type, an error type changed; drift = headers renamed,\n"
      "added or removed, message text changed, extra fields. Exit 1 only on breaking.\n"
      "--baseline builtin (the default): the built-in known-good transcripts, recorded from the\n"
      "gateway on 2026-04-19 and compiled into lwgw.");
  cmd.callback([&ctx, &action, o] { action = [&ctx, o] { return diff(ctx, *o); }; });
}

}  // namespace lwgw
