// `lwgw diff`: normalisation, breaking/drift classification, baselines, and runs against the
// stand-in gateway's profiles.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "lwgw/probe/probe.hpp"
#include "standin_process.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
using json = nlohmann::json;

namespace {
const std::string kKey = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";

bool has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

const std::string kSeedHealthz =
    "HTTP/1.1 200 OK\nContent-Type: application/json\nX-Langwatch-Gateway-Version: dev\n"
    "X-Langwatch-Request-Id: req_f5e4fd9f33a8861af4ab328aa00c45\n\n"
    "{\"status\":\"ok\",\"version\":\"dev\",\"uptime_s\":0.988610959}";

const std::string kSeed401 =
    "HTTP/1.1 401 Unauthorized\nContent-Type: application/json\n"
    "Traceparent: 00-e8aeda507fb93fafd3d2c20bbef283d6-53e32e8f6030ef05-01\n"
    "X-Langwatch-Gateway-Version: dev\nX-Langwatch-Request-Id: req_8f1250b94a959c1b2502792c757264\n"
    "X-Langwatch-Span-Id: 53e32e8f6030ef05\nX-Langwatch-Trace-Id: "
    "e8aeda507fb93fafd3d2c20bbef283d6\n\n"
    "{\"error\":{\"type\":\"invalid_api_key\",\"code\":\"missing_api_key\",\"message\":\"missing "
    "API "
    "key; supply Authorization: Bearer lw_vk_... or x-api-key\"}}";

std::vector<probe::Difference> diffs(const std::string& a, const std::string& b) {
  return probe::compare(probe::parse_transcript(a), probe::parse_transcript(b));
}

bool has_kind(const std::vector<probe::Difference>& d, const std::string& kind,
              probe::Severity sev) {
  for (const auto& x : d)
    if (x.kind == kind && x.severity == sev) return true;
  return false;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto p = s.find(from);
  REQUIRE(p != std::string::npos);
  return s.replace(p, from.size(), to);
}
}  // namespace

TEST_CASE("normalise_value turns volatile values into typed placeholders") {
  CHECK(probe::normalise_value("req_f5e4fd9f33a8861af4ab328aa00c45") == "req_<30 hex>");
  CHECK(probe::normalise_value("00-e8aeda507fb93fafd3d2c20bbef283d6-53e32e8f6030ef05-01") ==
        "00-<32 hex>-<16 hex>-<2 hex>");
  CHECK(probe::normalise_value("e8aeda507fb93fafd3d2c20bbef283d6") == "<32 hex>");
  CHECK(probe::normalise_value("53e32e8f6030ef05") == "<16 hex>");
  CHECK(probe::normalise_value("Sun, 19 Apr 2026 10:00:01 GMT") == "<date>");
  CHECK(probe::normalise_value("at 2026-04-19T10:00:01.25Z") == "at <date>");
  CHECK(probe::normalise_value("invalid_api_key") == "invalid_api_key");
  auto n = probe::normalise(probe::parse_transcript(kSeedHealthz));
  CHECK(probe::format_transcript(n) ==
        "HTTP/1.1 200 OK\nContent-Type: application/json\nX-Langwatch-Gateway-Version: <version>\n"
        "X-Langwatch-Request-Id: req_<30 hex>\n\n"
        "{\"status\":\"ok\",\"version\":\"<version>\",\"uptime_s\":<float>}");
}

TEST_CASE("transcripts round-trip through the transcript text format") {
  auto t = probe::parse_transcript(kSeed401);
  CHECK(t.status == 401);
  CHECK(t.headers.size() == 6);
  CHECK(probe::format_transcript(t) == kSeed401);
  auto cold = probe::parse_transcript(
      "HTTP/1.1 503 Service Unavailable\n"
      "{\"status\":\"degraded\",\"checks\":{\"control_plane_reachable\":\"ok\"}}");
  CHECK(!cold.headers_pinned);
  CHECK(cold.status == 503);
  CHECK_THROWS(probe::parse_transcript("not a status line"));
  // A header line whose name is not a token would print back as the body: refused.
  CHECK_THROWS(probe::parse_transcript("HTTP/1.1 200 OK\nX-A: 1\n{\"a\": 1}\n\n{}"));
}

TEST_CASE("a header sent twice compares as its values in order: no difference from itself") {
  auto t = probe::parse_transcript(
      "HTTP/1.1 200 OK\nSet-Cookie: a=1\nSet-Cookie: b=2\nX-A: 1\n\n{\"ok\": true}");
  CHECK(probe::compare(t, t).empty());
  CHECK(probe::compare(probe::normalise(t), probe::normalise(t)).empty());
  auto other = probe::parse_transcript(
      "HTTP/1.1 200 OK\nSet-Cookie: a=1\nSet-Cookie: c=3\nX-A: 1\n\n{\"ok\": true}");
  auto d = probe::compare(t, other);
  REQUIRE(d.size() == 1);
  CHECK(d[0].detail == "header Set-Cookie: a=1, c=3, was a=1, b=2");
}

TEST_CASE("compare classifies breaking and drift differences") {
  SUBCASE("identical up to volatile values: no difference") {
    auto other = replace(kSeed401, "req_8f1250b94a959c1b2502792c757264",
                         "req_0123456789abcdef0123456789abcd");
    other = replace(other, "53e32e8f6030ef05-01", "aaaaaaaaaaaaaaaa-01");
    CHECK(diffs(kSeed401, other).empty());
    CHECK(diffs(kSeedHealthz, replace(kSeedHealthz, "0.988610959", "1234.5")).empty());
    CHECK(diffs(kSeedHealthz, replace(kSeedHealthz, "\"dev\"", "\"local\"")).empty());
  }
  SUBCASE("renamed request-id header and changed message are drift") {
    auto cur = replace(kSeed401, "X-Langwatch-Request-Id", "X-Request-Id");
    cur = replace(cur, "Bearer lw_vk_... or x-api-key", "Bearer <key>, x-api-key, x-goog-api-key");
    auto d = diffs(kSeed401, cur);
    CHECK(d.size() == 2);
    CHECK(has_kind(d, "header-renamed", probe::Severity::kDrift));
    CHECK(has_kind(d, "message-changed", probe::Severity::kDrift));
  }
  SUBCASE("added/removed headers and extra fields are drift") {
    auto cur =
        replace(kSeed401, "Traceparent: 00-e8aeda507fb93fafd3d2c20bbef283d6-53e32e8f6030ef05-01\n",
                "X-Langwatch-Handled-Error: invalid_api_key\n");
    cur = replace(cur, "\"code\":", "\"fault\":\"customer\",\"code\":");
    auto d = diffs(kSeed401, cur);
    CHECK(has_kind(d, "header-removed", probe::Severity::kDrift));
    CHECK(has_kind(d, "header-added", probe::Severity::kDrift));
    CHECK(has_kind(d, "extra-field", probe::Severity::kDrift));
    for (const auto& x : d) CHECK(x.severity == probe::Severity::kDrift);
  }
  SUBCASE("status code, media type, missing/retyped fields and error type are breaking") {
    CHECK(has_kind(diffs(kSeed401, replace(kSeed401, "401 Unauthorized", "200 OK")), "status",
                   probe::Severity::kBreaking));
    CHECK(has_kind(diffs(kSeedHealthz, replace(kSeedHealthz, "application/json", "text/plain")),
                   "content-type", probe::Severity::kBreaking));
    CHECK(!has_kind(diffs(kSeedHealthz, replace(kSeedHealthz, "application/json",
                                                "application/json; charset=utf-8")),
                    "content-type", probe::Severity::kBreaking));
    CHECK(has_kind(diffs(kSeedHealthz, replace(kSeedHealthz, "\"version\":\"dev\",", "")),
                   "field-missing", probe::Severity::kBreaking));
    CHECK(has_kind(diffs(kSeedHealthz, replace(kSeedHealthz, "0.988610959", "\"1s\"")),
                   "field-type", probe::Severity::kBreaking));
    CHECK(has_kind(diffs(kSeed401, replace(kSeed401, "\"type\":\"invalid_api_key\"",
                                           "\"type\":\"unauthorized\"")),
                   "error-type", probe::Severity::kBreaking));
  }
}

TEST_CASE("unified_diff marks removed and added lines") {
  auto d = probe::unified_diff({"a", "b", "c"}, {"a", "x", "c"});
  CHECK(d == std::vector<std::string>{" a", "-b", "+x", " c"});
}

TEST_CASE("the builtin baseline holds the 2026-04-19 transcripts") {
  const auto& b = probe::builtin_baseline();
  REQUIRE(b.find("healthz"));
  CHECK(probe::format_transcript(b.find("healthz")->variants.at(0).transcript) == kSeedHealthz);
  REQUIRE(b.find("unauth-models"));
  CHECK(probe::format_transcript(b.find("unauth-models")->variants.at(0).transcript) == kSeed401);
  REQUIRE(b.find("startupz"));
  bool cold = false;
  for (const auto& v : b.find("startupz")->variants) cold |= v.transcript.status == 503;
  CHECK(cold);
  CHECK(!b.find("auth-models"));
}

TEST_CASE("diff against --profile seed: no difference, exit 0") {
  StandIn s({"--profile", "seed", "--key", kKey});
  TempHome t;
  Env env = t.env();
  env.set("LWGW_VK", kKey);
  auto r = run_inproc({"diff", "--gateway", s.url()}, env);
  CHECK(r.code == 0);
  CHECK(has(r.out, "0 breaking, 0 drift: no difference"));
  CHECK(has(r.out, "healthz (GET /healthz): same"));
  CHECK(has(r.out, "unauth-models (GET /v1/models): same"));
}

TEST_CASE("diff against the seed's cold-boot window matches the 2026-04-19 503 /startupz") {
  StandIn s({"--profile", "seed", "--cold-boot-ms", "600000"});
  TempHome t;
  auto r = run_inproc({"--json", "diff", "--gateway", s.url()}, t.env());
  CHECK(r.code == 0);
  auto doc = json::parse(r.out);
  for (const auto& p : doc["probes"])
    if (p["probe"] == "startupz") {
      CHECK(p["status"] == "same");
      CHECK(p["variant"] == "cold boot");
    }
}

TEST_CASE("diff against --profile current: the renamed header and the 401 message are drift") {
  StandIn s({"--profile", "current"});
  TempHome t;
  auto r = run_inproc({"--json", "diff", "--gateway", s.url()}, t.env());
  CHECK(r.code == 0);
  auto doc = json::parse(r.out);
  CHECK(doc["breaking"] == 0);
  CHECK(doc["drift"].get<int>() > 0);
  REQUIRE(doc["probes"].is_array());
  CHECK(doc["probes"].size() == 6);
  bool renamed = false, message = false;
  for (const auto& p : doc["probes"]) {
    CHECK(p.is_object());
    for (const auto& d : p["differences"]) {
      CHECK(d["severity"] == "drift");
      std::string detail = d["detail"];
      if (d["kind"] == "header-renamed" && has(detail, "X-Langwatch-Request-Id → X-Request-Id"))
        renamed = true;
      if (p["probe"] == "unauth-models" && d["kind"] == "message-changed" &&
          has(detail, "x-goog-api-key"))
        message = true;
    }
  }
  CHECK(renamed);
  CHECK(message);

  auto human = run_inproc({"diff", "--gateway", s.url()}, t.env());
  CHECK(human.code == 0);
  CHECK(has(human.out, "-X-Langwatch-Request-Id: req_<30 hex>"));
  CHECK(has(human.out, "+X-Request-Id: req_<30 hex>"));
  CHECK(has(human.out, "header renamed: X-Langwatch-Request-Id → X-Request-Id"));
  CHECK(!has(human.out, "\x1b["));  // no colour without a TTY
}

TEST_CASE("diff against broken gateways: breaking, exit 1") {
  TempHome t;
  for (const char* profile : {"broken-unauth-200", "broken-healthz-500", "broken-error-type"}) {
    CAPTURE(profile);
    StandIn s({"--profile", profile});
    auto r = run_inproc({"--json", "diff", "--gateway", s.url()}, t.env());
    CHECK(r.code == 1);
    auto doc = json::parse(r.out);
    CHECK(doc["breaking"].get<int>() > 0);
    std::string expect = std::string(profile) == "broken-healthz-500" ? "healthz" : "unauth-models";
    for (const auto& p : doc["probes"])
      if (p["probe"] == expect) CHECK(p["status"] == "breaking");
  }
}

TEST_CASE("diff --record then --baseline FILE on the same gateway: no difference") {
  StandIn s({"--profile", "current", "--key", kKey});
  TempHome t;
  Env env = t.env();
  env.set("LWGW_VK", kKey);
  auto file = t.root() / "known-good.json";
  auto rec = run_inproc({"diff", "--gateway", s.url(), "--record", file.string()}, env);
  CHECK(rec.code == 0);
  auto saved = json::parse(t.read(file));
  CHECK(saved["format"] == "lwgw-baseline/1");
  CHECK(saved["probes"].size() == 6);  // auth-models included
  CHECK(!has(t.read(file), kKey));
  auto again =
      run_inproc({"--json", "diff", "--gateway", s.url(), "--baseline", file.string()}, env);
  CHECK(again.code == 0);
  auto doc = json::parse(again.out);
  CHECK(doc["breaking"] == 0);
  CHECK(doc["drift"] == 0);
  for (const auto& p : doc["probes"]) CHECK(p["status"] == "same");
}

TEST_CASE("diff: bad baselines are configuration errors; an unreachable gateway exits 1") {
  TempHome t;
  StandIn s({"--profile", "seed"});
  auto missing =
      run_inproc({"diff", "--gateway", s.url(), "--baseline", "/nonexistent/b.json"}, t.env());
  CHECK(missing.code == 3);
  t.write(t.root() / "bad.json", "{\"format\":\"something else\"}");
  auto bad = run_inproc(
      {"diff", "--gateway", s.url(), "--baseline", (t.root() / "bad.json").string()}, t.env());
  CHECK(bad.code == 3);
  CHECK(has(bad.err, "bad.json"));
  std::string url = "http://127.0.0.1:" + std::to_string(unused_port());
  auto down = run_inproc({"diff", "--gateway", url}, t.env());
  CHECK(down.code == 1);
  CHECK(has(down.err, "could not reach the gateway"));
}
