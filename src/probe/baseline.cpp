// Baselines: the built-in known-good transcripts, recorded from the gateway on 2026-04-19 (compiled
// in), and the files `lwgw diff --record` writes.
#include <nlohmann/json.hpp>

#include "lwgw/error.hpp"
#include "lwgw/probe/probe.hpp"

namespace lwgw::probe {

namespace {

using json = nlohmann::ordered_json;

// The built-in known-good transcripts (recorded from the gateway on 2026-04-19), one by one.
// /startupz and /readyz: that output pins the cold-boot 503 and says both "go to 200" once started;
// the steady state has /healthz's shape. /readyz answers 503 draining after SIGTERM.
constexpr const char* kBuiltin = R"JSON({
  "format": "lwgw-baseline/1",
  "gateway": "the LangWatch AI Gateway run locally (go run ./cmd/gateway), 2026-04-19",
  "recorded_at": "2026-04-19",
  "probes": [
    {"probe": "healthz", "request": "GET /healthz",
     "transcript": "HTTP/1.1 200 OK\nContent-Type: application/json\nX-Langwatch-Gateway-Version: dev\nX-Langwatch-Request-Id: req_f5e4fd9f33a8861af4ab328aa00c45\n\n{\"status\":\"ok\",\"version\":\"dev\",\"uptime_s\":0.988610959}"},
    {"probe": "startupz", "request": "GET /startupz",
     "variants": [
       {"label": "started", "transcript": "HTTP/1.1 200 OK\nContent-Type: application/json\nX-Langwatch-Gateway-Version: dev\nX-Langwatch-Request-Id: req_f5e4fd9f33a8861af4ab328aa00c45\n\n{\"status\":\"ok\",\"version\":\"dev\",\"uptime_s\":0.988610959}"},
       {"label": "cold boot", "transcript": "HTTP/1.1 503 Service Unavailable\n{\"status\":\"degraded\",\"checks\":{\"control_plane_reachable\":\"ok\"}}"}
     ]},
    {"probe": "readyz", "request": "GET /readyz",
     "variants": [
       {"label": "ready", "transcript": "HTTP/1.1 200 OK\nContent-Type: application/json\nX-Langwatch-Gateway-Version: dev\nX-Langwatch-Request-Id: req_f5e4fd9f33a8861af4ab328aa00c45\n\n{\"status\":\"ok\",\"version\":\"dev\",\"uptime_s\":0.988610959}"},
       {"label": "draining", "transcript": "HTTP/1.1 503 Service Unavailable\nContent-Type: application/json\nX-Langwatch-Gateway-Version: dev\nX-Langwatch-Request-Id: req_f5e4fd9f33a8861af4ab328aa00c45\n\n{\"status\":\"draining\",\"version\":\"dev\",\"uptime_s\":0.988610959}"}
     ]},
    {"probe": "unauth-models", "request": "GET /v1/models (no key)",
     "transcript": "HTTP/1.1 401 Unauthorized\nContent-Type: application/json\nTraceparent: 00-e8aeda507fb93fafd3d2c20bbef283d6-53e32e8f6030ef05-01\nX-Langwatch-Gateway-Version: dev\nX-Langwatch-Request-Id: req_8f1250b94a959c1b2502792c757264\nX-Langwatch-Span-Id: 53e32e8f6030ef05\nX-Langwatch-Trace-Id: e8aeda507fb93fafd3d2c20bbef283d6\n\n{\"error\":{\"type\":\"invalid_api_key\",\"code\":\"missing_api_key\",\"message\":\"missing API key; supply Authorization: Bearer lw_vk_... or x-api-key\"}}"},
    {"probe": "unauth-chat", "request": "POST /v1/chat/completions (no key)",
     "transcript": "HTTP/1.1 401 Unauthorized\nContent-Type: application/json\nTraceparent: 00-e8aeda507fb93fafd3d2c20bbef283d6-53e32e8f6030ef05-01\nX-Langwatch-Gateway-Version: dev\nX-Langwatch-Request-Id: req_8f1250b94a959c1b2502792c757264\nX-Langwatch-Span-Id: 53e32e8f6030ef05\nX-Langwatch-Trace-Id: e8aeda507fb93fafd3d2c20bbef283d6\n\n{\"error\":{\"type\":\"invalid_api_key\",\"code\":\"missing_api_key\",\"message\":\"missing API key; supply Authorization: Bearer lw_vk_... or x-api-key\"}}"}
  ]
})JSON";

Transcript transcript_from(const json& j, const std::string& where) {
  if (!j.contains("transcript") || !j["transcript"].is_string())
    throw config_error(where + ": a probe needs a \"transcript\" string");
  return parse_transcript(j["transcript"].get<std::string>());
}

}  // namespace

const BaselineProbe* Baseline::find(const std::string& probe) const {
  for (const auto& p : probes)
    if (p.probe == probe) return &p;
  return nullptr;
}

const Baseline& builtin_baseline() {
  static const Baseline b = [] {
    Baseline x = parse_baseline(kBuiltin, "builtin baseline");
    x.source = "builtin, the known-good transcripts recorded from the gateway on 2026-04-19";
    return x;
  }();
  return b;
}

Baseline parse_baseline(const std::string& text, const std::string& where) {
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw config_error(where + ": not a baseline (expected the JSON `lwgw diff --record` writes)");
  if (doc.value("format", "") != "lwgw-baseline/1")
    throw config_error(where +
                       ": unknown baseline format (expected \"format\": \"lwgw-baseline/1\")");
  if (!doc.contains("probes") || !doc["probes"].is_array())
    throw config_error(where + ": no \"probes\" array");
  Baseline b;
  b.source = where;
  for (const auto& p : doc["probes"]) {
    if (!p.is_object() || !p.contains("probe") || !p["probe"].is_string())
      throw config_error(where + ": every probe needs a \"probe\" name");
    BaselineProbe bp;
    bp.probe = p["probe"];
    bp.request = p.value("request", "");
    const std::string here = where + ": probe " + bp.probe;
    try {
      if (p.contains("variants")) {
        if (!p["variants"].is_array() || p["variants"].empty())
          throw config_error(here + ": \"variants\" must be a non-empty array");
        for (const auto& v : p["variants"])
          bp.variants.push_back({v.value("label", ""), transcript_from(v, here)});
      } else {
        bp.variants.push_back({"", transcript_from(p, here)});
      }
    } catch (const Error& e) {
      std::string m = e.what();
      throw config_error(m.rfind(where, 0) == 0 ? m : here + ": " + m);
    }
    b.probes.push_back(std::move(bp));
  }
  return b;
}

std::string serialise_baseline(const Baseline& b, const std::string& gateway,
                               const std::string& recorded_at) {
  json probes = json::array();
  for (const auto& p : b.probes) {
    json e = {{"probe", p.probe}, {"request", p.request}};
    if (p.variants.size() == 1) {
      e["transcript"] = format_transcript(p.variants[0].transcript);
    } else {
      e["variants"] = json::array();
      for (const auto& v : p.variants)
        e["variants"].push_back(
            {{"label", v.label}, {"transcript", format_transcript(v.transcript)}});
    }
    probes.push_back(e);
  }
  json doc = {{"format", "lwgw-baseline/1"},
              {"gateway", gateway},
              {"recorded_at", recorded_at},
              {"probes", probes}};
  return doc.dump(2) + "\n";
}

}  // namespace lwgw::probe
