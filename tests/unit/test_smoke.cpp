// `lwgw smoke` against the stand-in gateway (seed, current, broken), fakes and pure judges.
#include <doctest/doctest.h>

#include <unistd.h>
#include <mutex>
#include <nlohmann/json.hpp>

#include "../../src/setup/manifest.hpp"
#include "lwgw/probe/local.hpp"
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

/// lwgw's own GET /_lwgw/healthz answer (src/proxy/server.cpp, health_json).
void lwgw_health(const httplib::Request&, httplib::Response& res) {
  res.set_content(
      R"({"status":"ok","version":"0.0.0-test","uptime_s":1.5,"gateway":"http://gw.test"})",
      "application/json");
}

/// A stand-in for the local proxy: answers /_lwgw/healthz as lwgw does and the probes' paths as
/// a healthy gateway behind it would; records each request's path.
struct FakeProxy {
  std::mutex mu;
  std::vector<std::string> paths;
  LoopbackServer server{[this](httplib::Server& s) {
    s.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu);
        paths.push_back(req.path);
      }
      if (req.path == "/_lwgw/healthz") return lwgw_health(req, res);
      res.set_header("X-Langwatch-Gateway-Version", "dev");
      if (req.path == "/v1/models")
        res.set_content(R"({"object":"list","data":[]})", "application/json");
      else
        res.set_content(R"({"status":"ok","version":"dev","uptime_s":1.5})", "application/json");
    });
  }};
};

/// Records in the setup manifest that `cli` was set up in `mode`.
void set_up(const Env& env, const std::string& cli, const std::string& mode) {
  const auto paths = resolve_paths(env);
  auto m = setup::Manifest::load(paths);
  m.clis[cli] = {{"mode", mode}};
  m.save(paths);
}

/// The verdict smoke printed for `probe` ("PASS", …), from its --json output.
std::map<std::string, std::string> verdicts(const std::string& json_out) {
  std::map<std::string, std::string> v;
  const json doc = json::parse(json_out);
  for (const auto& p : doc["probes"])
    v[p["probe"].get<std::string>()] = p["result"].get<std::string>();
  return v;
}
}  // namespace

TEST_CASE("smoke against --profile seed: every probe PASS, completions included") {
  StandIn s({"--profile", "seed", "--key", kKey, "--frame-delay-ms", "1"});
  TempHome t;
  Env env = t.env();
  env.set("LWGW_VK", kKey);
  auto r = run_inproc({"smoke", "--gateway", s.url(), "--completion"}, env);
  CHECK(r.code == 0);
  CHECK(!has(r.out, "FAIL"));
  CHECK(!has(r.out, "SKIP"));
  for (const char* p :
       {"healthz", "startupz", "readyz", "unauth-models", "unauth-chat", "auth-models",
        "completion-messages", "completion-chat", "completion-responses", "completion-gemini"})
    CHECK_MESSAGE(has(r.out, std::string("PASS  ") + p), p);
  CHECK(has(r.out, "Hello from the stand-in gateway"));
  CHECK(has(r.out, "10 passed, 0 failed, 0 skipped"));
  CHECK(!has(r.out, kKey));
}

TEST_CASE("smoke against --profile current: all PASS; --json has one object per probe") {
  StandIn s({"--profile", "current", "--key", kKey});
  TempHome t;
  Env env = t.env();
  env.set("LWGW_VK", kKey);
  auto r = run_inproc({"--json", "smoke", "--gateway", s.url()}, env);
  CHECK(r.code == 0);
  auto doc = json::parse(r.out);
  CHECK(doc["ok"] == true);
  REQUIRE(doc["probes"].is_array());
  CHECK(doc["probes"].size() == 6);
  for (const auto& p : doc["probes"]) {
    CHECK(p.is_object());
    CHECK(p["result"] == "pass");
    CHECK(p["reason"].is_string());
    CHECK(p["seconds"].is_number());
  }
}

TEST_CASE("smoke without a key: auth-models is SKIP (not logged in), not FAIL") {
  StandIn s({"--profile", "current"});
  TempHome t;
  auto r = run_inproc({"--json", "smoke", "--gateway", s.url(), "--completion"}, t.env());
  CHECK(r.code == 0);
  auto v = verdicts(r.out);
  CHECK(v["auth-models"] == "skip");
  CHECK(v["completion-chat"] == "skip");
  CHECK(has(r.out, "not logged in"));
}

TEST_CASE("smoke against broken gateways: FAIL and exit 1") {
  TempHome t;
  SUBCASE("200 on unauthenticated /v1/models") {
    StandIn s({"--profile", "broken-unauth-200"});
    auto r = run_inproc({"smoke", "--gateway", s.url()}, t.env());
    CHECK(r.code == 1);
    CHECK(has(r.out, "FAIL  unauth-models"));
    CHECK(has(r.out, "does not enforce authentication"));
    CHECK(has(r.out, "PASS  unauth-chat"));
  }
  SUBCASE("/healthz 500") {
    StandIn s({"--profile", "broken-healthz-500"});
    auto r = run_inproc({"--json", "smoke", "--gateway", s.url()}, t.env());
    CHECK(r.code == 1);
    CHECK(verdicts(r.out)["healthz"] == "fail");
    CHECK(json::parse(r.out)["ok"] == false);
  }
}

TEST_CASE("smoke against an unreachable gateway: a clear message, exit 1") {
  TempHome t;
  std::string url = "http://127.0.0.1:" + std::to_string(unused_port());
  auto r = run_inproc({"smoke", "--gateway", url}, t.env());
  CHECK(r.code == 1);
  CHECK(has(r.err, "could not reach the gateway at " + url));
  CHECK(r.out.empty());
}

TEST_CASE("smoke: probes the hosted ingress does not expose are SKIP; draining readyz is WARN") {
  LoopbackServer gw([](httplib::Server& s) {
    s.Get("/readyz", [](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_content(R"({"status":"draining","version":"prod","uptime_s":12.5})",
                      "application/json");
    });
    s.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
      res.status = 401;
      res.set_header("X-LangWatch-Trace-Id", "e8aeda507fb93fafd3d2c20bbef283d6");
      res.set_header("X-LangWatch-Span-Id", "53e32e8f6030ef05");
      res.set_content(
          R"({"error":{"type":"invalid_api_key","code":"invalid_api_key","message":"missing API key; supply Authorization: Bearer <key>, x-api-key, x-goog-api-key, or xi-api-key header"}})",
          "application/json");
    });
    s.Post("/v1/chat/completions", [](const httplib::Request&, httplib::Response& res) {
      res.status = 401;
      res.set_header("Traceparent", "00-e8aeda507fb93fafd3d2c20bbef283d6-53e32e8f6030ef05-01");
      res.set_content(
          R"({"error":{"type":"invalid_api_key","message":"missing API key; supply Authorization: Bearer lw_vk_... or x-api-key"}})",
          "application/json");
    });
  });
  TempHome t;
  auto r = run_inproc({"--json", "smoke", "--gateway", gw.url()}, t.env());
  CHECK(r.code == 0);
  auto v = verdicts(r.out);
  CHECK(v["healthz"] == "skip");
  CHECK(v["startupz"] == "skip");
  CHECK(v["readyz"] == "warn");
  CHECK(v["unauth-models"] == "pass");
  CHECK(v["unauth-chat"] == "pass");
  CHECK(has(r.out, "not exposed (404)"));
  CHECK(has(r.out, "503 draining"));
}

TEST_CASE("smoke --via-proxy: probes go to proxy.listen with the local token") {
  std::vector<std::string> auths, paths;
  std::mutex mu;
  LoopbackServer proxy([&](httplib::Server& s) {
    auto ok = [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu);
      auths.push_back(req.get_header_value("Authorization"));
      paths.push_back(req.path);
      res.set_header("X-Langwatch-Gateway-Version", "dev");
      if (req.path == "/v1/models")
        res.set_content(R"({"object":"list","data":[]})", "application/json");
      else
        res.set_content(R"({"status":"ok","version":"dev","uptime_s":1.5})", "application/json");
    };
    s.Get("/healthz", ok);
    s.Get("/startupz", ok);
    s.Get("/readyz", ok);
    s.Get("/v1/models", ok);
    s.Get("/_lwgw/healthz", lwgw_health);
  });
  TempHome t;
  Env env = t.env();
  env.set("LWGW_LISTEN", "127.0.0.1:" + std::to_string(proxy.port()));
  REQUIRE(run_inproc({"login", "--gateway", "http://127.0.0.1:9", "--key-stdin", "--no-verify"},
                     env, kKey + "\n")
              .code == 0);
  std::string cred = t.read(t.home() / ".config/lwgw/credentials");
  auto token = json::parse(cred)["local_token"].get<std::string>();
  auto r = run_inproc({"--json", "smoke", "--via-proxy"}, env);
  CHECK(r.code == 0);
  auto v = verdicts(r.out);
  CHECK(v["unauth-models"] == "skip");
  CHECK(v["unauth-chat"] == "skip");
  CHECK(v["auth-models"] == "pass");
  CHECK(has(r.out, "the local proxy authenticates clients itself"));
  CHECK(json::parse(r.out)["gateway"] == "http://127.0.0.1:" + std::to_string(proxy.port()));
  REQUIRE(auths.size() == 4);
  for (const auto& a : auths) CHECK(a == "Bearer " + token);
  CHECK(!has(r.out, token));

  SUBCASE("no proxy listening: exit 4 with a hint") {
    env.set("LWGW_LISTEN", "127.0.0.1:" + std::to_string(unused_port()));
    auto down = run_inproc({"smoke", "--via-proxy"}, env);
    CHECK(down.code == 4);
    CHECK(has(down.err, "lwgw up"));
  }
}

TEST_CASE("smoke refuses to call a listener that is not lwgw healthy") {
  // A plain program on proxy.listen that answers every GET with 200: not lwgw.
  std::vector<std::string> seen;
  std::mutex mu;
  LoopbackServer other([&](httplib::Server& s) {
    s.Get(".*", [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(req.path);
      res.set_content("hello", "text/plain");
    });
  });
  TempHome t;
  Env env = t.env();
  env.set("LWGW_LISTEN", "127.0.0.1:" + std::to_string(other.port()));
  REQUIRE(run_inproc({"login", "--gateway", "http://127.0.0.1:9", "--key-stdin", "--no-verify"},
                     env, kKey + "\n")
              .code == 0);
  set_up(env, "claude-code", "proxy");
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"smoke"}, {"smoke", "--via-proxy"}}) {
    auto r = run_inproc(args, env);
    CHECK(r.code == 1);
    CHECK(has(r.err, "127.0.0.1:" + std::to_string(other.port()) + " is not lwgw"));
    CHECK(has(r.err, "(pid " + std::to_string(::getpid()) + ")"));  // who holds the port
    CHECK(has(r.err, "HTTP 200 (text/plain)"));
    CHECK(has(r.err, "lwgw config set proxy.listen"));
    CHECK(!has(r.out, "PASS"));
  }
  // Only the identity check reached it: no probe, no local token.
  std::lock_guard<std::mutex> lock(mu);
  for (const auto& p : seen) CHECK(p == "/_lwgw/healthz");
}

TEST_CASE("smoke goes through the proxy by default when a CLI is set up in proxy mode") {
  FakeProxy proxy;
  StandIn gw({"--profile", "current", "--key", kKey});
  TempHome t;
  Env env = t.env();
  env.set("LWGW_LISTEN", "127.0.0.1:" + std::to_string(proxy.server.port()));
  REQUIRE(run_inproc({"login", "--gateway", gw.url(), "--key-stdin"}, env, kKey + "\n").code == 0);
  const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.server.port());

  // Nothing set up, or only direct mode: the gateway itself.
  auto none = run_inproc({"--json", "smoke"}, env);
  CHECK(none.code == 0);
  CHECK(json::parse(none.out)["via_proxy"] == false);
  set_up(env, "codex", "direct");
  CHECK(json::parse(run_inproc({"--json", "smoke"}, env).out)["via_proxy"] == false);

  // A CLI in proxy mode: the path it uses, after confirming lwgw answers there.
  set_up(env, "claude-code", "proxy");
  auto r = run_inproc({"--json", "smoke"}, env);
  CHECK(r.code == 0);
  auto doc = json::parse(r.out);
  CHECK(doc["via_proxy"] == true);
  CHECK(doc["gateway"] == proxy_url);
  CHECK(doc["proxy"]["version"] == "0.0.0-test");
  REQUIRE(!proxy.paths.empty());
  CHECK(proxy.paths.front() == "/_lwgw/healthz");
  auto human = run_inproc({"smoke"}, env);
  CHECK(has(human.out, "through the local proxy: lwgw 0.0.0-test"));

  // --direct (and --gateway) probe the gateway itself; both flags at once is a usage error.
  auto direct = run_inproc({"--json", "smoke", "--direct"}, env);
  CHECK(direct.code == 0);
  CHECK(json::parse(direct.out)["via_proxy"] == false);
  CHECK(json::parse(direct.out)["gateway"] == gw.url());
  CHECK(json::parse(run_inproc({"--json", "smoke", "--gateway", gw.url()}, env).out)["via_proxy"] ==
        false);
  CHECK(run_inproc({"smoke", "--direct", "--via-proxy"}, env).code == 2);

  // Nothing on proxy.listen: exit 4, naming `lwgw up` and --direct.
  env.set("LWGW_LISTEN", "127.0.0.1:" + std::to_string(unused_port()));
  auto down = run_inproc({"smoke"}, env);
  CHECK(down.code == 4);
  CHECK(has(down.err, "lwgw up"));
  CHECK(has(down.err, "--direct"));
}

TEST_CASE("judge_listener: only lwgw's own healthz answer is lwgw") {
  auto response = [](long status, std::string type, std::string body) {
    http::Response r;
    r.status = status;
    r.headers.push_back({"Content-Type", std::move(type)});
    r.body = std::move(body);
    return r;
  };
  using K = probe::Listener::Kind;
  auto ok = probe::judge_listener(response(
      200, "application/json",
      R"({"status":"ok","version":"1.2.3","uptime_s":3.5,"gateway":"https://gw.example"})"));
  CHECK(ok.kind == K::kLwgw);
  CHECK(ok.version == "1.2.3");
  CHECK(ok.gateway == "https://gw.example");
  CHECK(probe::judge_listener(
            response(200, "application/json",
                     R"({"status":"draining","version":"1","uptime_s":3,"gateway":"x"})"))
            .kind == K::kDraining);
  // The gateway's own health body (no "gateway" field), a 404, plain text: someone else.
  auto gateway_like = probe::judge_listener(
      response(200, "application/json", R"({"status":"ok","version":"local","uptime_s":3.5})"));
  CHECK(gateway_like.kind == K::kForeign);
  auto nf = probe::judge_listener(response(404, "text/plain; charset=utf-8", "404 page not found"));
  CHECK(nf.kind == K::kForeign);
  CHECK(nf.answer == "HTTP 404 (text/plain)");
  http::Response refused;
  refused.error = "Failed to connect to 127.0.0.1 port 5566: Connection refused";
  CHECK(probe::judge_listener(refused).kind == K::kNothing);
  http::Response silent;
  silent.error = "Operation timed out after 3001 milliseconds with 0 bytes received";
  CHECK(probe::judge_listener(silent).kind == K::kForeign);
}

TEST_CASE("probe target selection: direct uses the gateway and the VK, via proxy the local token") {
  auto d = probe::select_target(false, "https://gw.example/", "127.0.0.1:5566", std::string("vk"),
                                std::string("lt"));
  CHECK(d.base_url == "https://gw.example");
  CHECK(d.key == "vk");
  CHECK(!d.via_proxy);
  auto p = probe::select_target(true, "https://gw.example", "127.0.0.1:5566", std::string("vk"),
                                std::string("lt"));
  CHECK(p.base_url == "http://127.0.0.1:5566");
  CHECK(p.key == "lt");
  CHECK(p.via_proxy);
  auto none = probe::select_target(false, "https://gw.example", "x", std::nullopt, std::nullopt);
  CHECK(!none.key);
}

TEST_CASE("judge_stream: a mid-stream `event: error` is FAIL, a complete stream PASS") {
  http::Response r;
  r.status = 200;
  r.headers = {{"Content-Type", "text/event-stream"}};
  r.body =
      "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
      "event: content_block_delta\ndata: "
      "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n";
  auto incomplete = probe::judge_stream("messages", r);
  CHECK(incomplete.verdict == probe::Verdict::kFail);
  auto failed = r;
  failed.body +=
      "event: error\ndata: {\"error\":{\"type\":\"provider_error\",\"message\":\"boom\"}}\n\n";
  auto f = probe::judge_stream("messages", failed);
  CHECK(f.verdict == probe::Verdict::kFail);
  CHECK(has(f.reason, "mid-stream error"));
  CHECK(has(f.reason, "boom"));
  auto ok = r;
  ok.body += "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  auto p = probe::judge_stream("messages", ok);
  CHECK(p.verdict == probe::Verdict::kPass);
  CHECK(has(p.reason, "\"Hi\""));
  CHECK(probe::stream_text(
            "chat",
            "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
            "data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\ndata: [DONE]\n\n") == "ab");
}

TEST_CASE("pick_model chooses a model per dialect from /v1/models") {
  std::string body =
      R"({"object":"list","data":[{"id":"claude-haiku-4-5-20251001"},{"id":"gpt-5-mini"},{"id":"gemini-2.5-flash"}]})";
  CHECK(probe::pick_model("messages", body) == "claude-haiku-4-5-20251001");
  CHECK(probe::pick_model("chat", body) == "gpt-5-mini");
  CHECK(probe::pick_model("responses", body) == "gpt-5-mini");
  CHECK(probe::pick_model("gemini", body) == "gemini-2.5-flash");
  CHECK(probe::pick_model("gemini", R"({"object":"list","data":[{"id":"gpt-5"}]})").empty());
}
