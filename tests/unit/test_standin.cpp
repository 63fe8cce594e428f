// The stand-in gateway itself: the contract it reproduces for the tests and the demo.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "lwgw/http_client.hpp"
#include "standin_process.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
using json = nlohmann::json;

namespace {
const std::string kKey = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";

http::Response get(const StandIn& s, const std::string& path,
                   std::vector<http::Header> headers = {}) {
  http::Request r;
  r.url = s.url() + path;
  r.headers = std::move(headers);
  return http::send(r, Env{});
}

http::Response post(const StandIn& s, const std::string& path, const std::string& body,
                    std::vector<http::Header> headers = {}) {
  http::Request r;
  r.method = "POST";
  r.url = s.url() + path;
  r.body = body;
  r.headers = std::move(headers);
  r.headers.push_back({"Content-Type", "application/json"});
  return http::send(r, Env{});
}

bool has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}
}  // namespace

TEST_CASE("stand-in --profile seed answers like the 2026-04-19 transcripts") {
  StandIn s({"--profile", "seed"});
  auto h = get(s, "/healthz", {{"Accept-Encoding", "gzip, br"}});
  CHECK(h.status == 200);
  CHECK(h.status_line == "HTTP/1.1 200 OK");
  CHECK(h.header("Content-Type") == "application/json");
  CHECK(!h.header("Content-Encoding"));  // bytes stay exact even when the client accepts gzip
  CHECK(h.header("X-Langwatch-Gateway-Version") == "dev");
  REQUIRE(h.header("X-Langwatch-Request-Id"));
  CHECK(h.header("X-Langwatch-Request-Id")->size() == 34);
  CHECK(!h.header("X-Request-Id"));
  auto body = json::parse(h.body);
  CHECK(body["status"] == "ok");
  CHECK(body["version"] == "dev");
  CHECK(body["uptime_s"].is_number_float());

  auto u = get(s, "/v1/models");
  CHECK(u.status == 401);
  CHECK(u.status_line == "HTTP/1.1 401 Unauthorized");
  CHECK(
      u.body ==
      R"({"error":{"type":"invalid_api_key","code":"missing_api_key","message":"missing API key; supply Authorization: Bearer lw_vk_... or x-api-key"}})");
  REQUIRE(u.header("Traceparent"));
  REQUIRE(u.header("X-Langwatch-Trace-Id"));
  CHECK(*u.header("Traceparent") ==
        "00-" + *u.header("X-Langwatch-Trace-Id") + "-" + *u.header("X-Langwatch-Span-Id") + "-01");
  CHECK(post(s, "/v1/chat/completions", "{}").status == 401);
}

TEST_CASE("stand-in --profile current answers like today's gateway") {
  StandIn s({"--profile", "current"});
  auto h = get(s, "/healthz");
  CHECK(h.status == 200);
  CHECK(h.header("X-Request-Id"));
  CHECK(!h.header("X-Langwatch-Request-Id"));
  CHECK(json::parse(h.body)["version"] == "local");
  auto u = get(s, "/v1/models");
  CHECK(u.status == 401);
  CHECK(json::parse(u.body)["error"]["message"] ==
        "missing API key; supply Authorization: Bearer <key>, x-api-key, x-goog-api-key, or "
        "xi-api-key header");
  CHECK(u.header("X-Langwatch-Handled-Error") == "invalid_api_key");
  CHECK(u.header("X-Langwatch-Trace-Id"));
  CHECK(!u.header("Traceparent"));
  // The client's own request id is echoed.
  CHECK(get(s, "/healthz", {{"X-Request-Id", "req_mine"}}).header("X-Request-Id") == "req_mine");
  auto nf = get(s, "/v1/messages/count_tokens");
  CHECK(nf.status == 404);
  CHECK(nf.body == "404 page not found\n");
  CHECK(get(s, "/health").status == 200);
}

TEST_CASE("stand-in authenticates from the four headers and knows revoked and over-budget keys") {
  StandIn s({"--key", kKey, "--key", "vk-revoked:revoked", "--key", "vk-broke:budget_exceeded"});
  CHECK(get(s, "/v1/models", {{"Authorization", "Bearer " + kKey}}).status == 200);
  CHECK(get(s, "/v1/models", {{"x-api-key", kKey}}).status == 200);
  CHECK(get(s, "/v1/models", {{"x-goog-api-key", kKey}}).status == 200);
  CHECK(get(s, "/v1/models", {{"xi-api-key", kKey}}).status == 200);
  auto list = json::parse(get(s, "/v1/models", {{"x-api-key", kKey}}).body);
  CHECK(list["object"] == "list");
  CHECK(list["data"][0]["object"] == "model");
  auto bad = get(s, "/v1/models", {{"Authorization", "Bearer vk-unknown"}});
  CHECK(bad.status == 401);
  CHECK(json::parse(bad.body)["error"]["type"] == "invalid_api_key");
  auto rev = get(s, "/v1/models", {{"Authorization", "Bearer vk-revoked"}});
  CHECK(rev.status == 403);
  CHECK(json::parse(rev.body)["error"]["type"] == "virtual_key_revoked");
  auto broke = post(s, "/v1/chat/completions", R"({"model":"gpt-5-mini","messages":[]})",
                    {{"Authorization", "Bearer vk-broke"}});
  CHECK(broke.status == 402);
  CHECK(json::parse(broke.body)["error"]["type"] == "budget_exceeded");
  CHECK(json::parse(broke.body)["error"]["meta"]["budget_scope"] == "project");
  // ?key= is not an accepted credential.
  CHECK(post(s, "/v1beta/models/gemini-2.5-flash:generateContent?key=" + kKey, "{}").status == 401);
}

TEST_CASE("stand-in calls only a tool its canned input fits (real CLIs declare dozens)") {
  // Claude Code sends ~20 tools (Bash, Read, …) with every prompt; answering with a tool_use of
  // the first one and the input {"location": …} made it run the tool, fail, and ask again, forever.
  StandIn s({});
  const std::vector<http::Header> auth{{"x-api-key", kKey}};
  const std::string cli_tools =
      R"("tools":[{"name":"Bash","input_schema":{"type":"object","properties":{"command":{"type":"string"}},)"
      R"("required":["command"]}},{"name":"Read","input_schema":{"type":"object","properties":{}}}])";
  for (const char* stream : {"false", "true"}) {
    auto m = post(s, "/v1/messages",
                  std::string(R"({"model":"claude-haiku-4-5-20251001","max_tokens":16,"stream":)") +
                      stream + R"(,"messages":[{"role":"user","content":"hi"}],)" + cli_tools + "}",
                  auth);
    CHECK(m.status == 200);
    CHECK(!has(m.body, "tool_use"));
    CHECK(has(m.body, "end_turn"));
  }
  auto weather = post(
      s, "/v1/messages",
      R"({"model":"claude-haiku-4-5-20251001","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"tools":[)"
      R"({"name":"Bash","input_schema":{"type":"object","properties":{"command":{}}}},)"
      R"({"name":"get_weather","input_schema":{"type":"object","properties":{"location":{}}}}]})",
      auth);
  CHECK(json::parse(weather.body)["content"][1]["name"] == "get_weather");
  CHECK(json::parse(weather.body)["stop_reason"] == "tool_use");
}

TEST_CASE("stand-in streams the four dialects frame by frame") {
  StandIn s({"--frame-delay-ms", "1", "--budget-warning", "project:95"});
  const std::vector<http::Header> auth{{"Authorization", "Bearer " + kKey}};

  auto m = post(
      s, "/v1/messages?beta=true",
      R"({"model":"claude-haiku-4-5-20251001","stream":true,"max_tokens":16,)"
      R"("messages":[{"role":"user","content":"hi"}],"tools":[{"name":"get_weather","input_schema":{}}]})",
      {{"x-api-key", kKey}});
  CHECK(m.status == 200);
  CHECK(m.header("Content-Type") == "text/event-stream");
  CHECK(m.header("X-Langwatch-Budget-Warning") == "project:95");
  CHECK(has(m.body, "event: message_start\n"));
  CHECK(has(m.body, "\"type\":\"input_json_delta\""));
  CHECK(has(m.body, "\"text\":\" stand-in\""));
  CHECK(has(m.body, "event: message_stop\n"));
  CHECK(!has(m.body, "[DONE]"));

  auto c = post(
      s, "/v1/chat/completions",
      R"({"model":"gpt-5-mini","stream":true,"messages":[{"role":"user","content":"hi"}]})", auth);
  CHECK(c.status == 200);
  CHECK(has(c.body, "chat.completion.chunk"));
  CHECK(c.body.size() > 12);
  CHECK(c.body.substr(c.body.size() - 14) == "data: [DONE]\n\n");

  auto r = post(s, "/v1/responses", R"({"model":"gpt-5-mini","stream":true,"input":"hi"})", auth);
  CHECK(r.status == 200);
  CHECK(has(r.body, "\"type\":\"response.output_text.delta\""));
  CHECK(has(r.body, "\"type\":\"response.completed\""));
  CHECK(has(r.body, "data: [DONE]\n\n"));

  auto g =
      post(s, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
           R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})", {{"x-goog-api-key", kKey}});
  CHECK(g.status == 200);
  CHECK(g.header("Content-Type") == "text/event-stream");
  CHECK(has(g.body, "\"finishReason\":\"STOP\""));

  auto router = post(
      s, "/v1beta/models/gemini-2.5-flash:generateContent",
      R"({"contents":[],"generationConfig":{"responseJsonSchema":{"properties":{"complexity_score":{}}}}})",
      {{"x-goog-api-key", kKey}});
  CHECK(router.status == 200);
  auto text = json::parse(router.body)["candidates"][0]["content"]["parts"][0]["text"];
  auto verdict = json::parse(text.get<std::string>());
  CHECK(verdict["complexity_score"] == 1);
  CHECK(verdict.contains("complexity_reasoning"));
}

TEST_CASE("stand-in fails mid-stream, applies policy and records every request") {
  TempHome t;
  auto rec = t.root() / "requests.jsonl";
  StandIn s({"--frame-delay-ms", "1", "--deny-tool", "shell.exec", "--record", rec.string()});
  auto mid =
      post(s, "/v1/chat/completions", R"({"model":"gpt-5-mini","stream":true,"messages":[]})",
           {{"Authorization", "Bearer " + kKey}, {"x-standin-fail", "midstream"}});
  CHECK(mid.status == 200);
  CHECK(has(mid.body, "event: error\ndata: {\"error\""));
  CHECK(!has(mid.body, "[DONE]"));

  auto pol = post(
      s, "/v1/messages",
      R"({"model":"claude-haiku-4-5-20251001","max_tokens":1,"messages":[],"tools":[{"name":"shell.exec"}]})",
      {{"x-api-key", kKey}});
  CHECK(pol.status == 403);
  CHECK(json::parse(pol.body)["error"]["type"] == "policy_violation");

  auto lines = t.read(rec);
  std::istringstream in(lines);
  std::string first, second;
  std::getline(in, first);
  std::getline(in, second);
  auto a = json::parse(first), b = json::parse(second);
  CHECK(a["method"] == "POST");
  CHECK(a["target"] == "/v1/chat/completions");
  CHECK(a["credential_headers"]["authorization"] == "Bearer " + kKey);
  CHECK(a["body_size"].get<int>() > 0);
  CHECK(b["credential_headers"]["x-api-key"] == kKey);
  CHECK(!has(lines, "REMOTE_ADDR"));
  // What the request asked for and how it was answered.
  CHECK(a["model"] == "gpt-5-mini");
  CHECK(a["status"] == 200);
  CHECK(!a.contains("error"));
  CHECK(b["status"] == 403);
  CHECK(b["error"] == "policy_violation");
}

TEST_CASE("stand-in serves only --models: any other model is the gateway's 400, in every dialect") {
  TempHome t;
  auto rec = t.root() / "requests.jsonl";
  StandIn s({"--frame-delay-ms", "1", "--models", "gpt-5,claude-sonnet-4-5,gemini-2.5-pro",
             "--record", rec.string()});
  const std::vector<http::Header> auth{{"Authorization", "Bearer " + kKey}};
  auto list = json::parse(get(s, "/v1/models", auth).body);
  REQUIRE(list["data"].size() == 3);
  CHECK(list["data"][0]["id"] == "gpt-5");
  CHECK(list["data"][0]["owned_by"] == "openai");
  CHECK(list["data"][1]["owned_by"] == "anthropic");
  CHECK(list["data"][2]["owned_by"] == "google");

  auto envelope = [](const http::Response& r, const std::string& code) {
    CHECK(r.status == 400);
    CHECK(r.header("Content-Type") == "application/json");
    CHECK(r.header("X-Langwatch-Handled-Error") == code);
    auto e = json::parse(r.body)["error"];
    CHECK(e["type"] == code);
    CHECK(e["code"] == code);
    CHECK(has(e["message"].get<std::string>(), "gpt-5, claude-sonnet-4-5, gemini-2.5-pro"));
    CHECK(r.body.back() == '\n');
  };
  // The body's model, on each /v1 dialect (the default list's models are not served here).
  envelope(post(s, "/v1/chat/completions", R"({"model":"gpt-5-mini","messages":[]})", auth),
           "model_not_allowed");
  envelope(post(s, "/v1/responses", R"({"model":"o4-mini","input":"hi"})", auth),
           "model_not_allowed");
  envelope(post(s, "/v1/messages?beta=true",
                R"({"model":"claude-opus-4-8","max_tokens":1,"stream":true,"messages":[]})",
                {{"x-api-key", kKey}}),
           "model_not_allowed");
  envelope(post(s, "/v1/embeddings", R"({"model":"text-embedding-3-small","input":"x"})", auth),
           "model_not_allowed");
  // A name no provider makes.
  envelope(post(s, "/v1/chat/completions", R"({"model":"lwgw-smoke","messages":[]})", auth),
           "model_not_recognized");
  // Gemini names the model in the path: the router's flash-lite call and the streaming call.
  envelope(post(s, "/v1beta/models/gemini-3.5-flash-lite:generateContent", R"({"contents":[]})",
                {{"x-goog-api-key", kKey}}),
           "model_not_allowed");
  envelope(post(s, "/v1beta/models/gemini-3.8-flash:streamGenerateContent?alt=sse",
                R"({"contents":[]})", {{"x-goog-api-key", kKey}}),
           "model_not_allowed");
  // The served ones answer.
  CHECK(post(s, "/v1/chat/completions", R"({"model":"gpt-5","messages":[]})", auth).status == 200);
  CHECK(post(s, "/v1/messages", R"({"model":"claude-sonnet-4-5","max_tokens":1,"messages":[]})",
             {{"x-api-key", kKey}})
            .status == 200);
  CHECK(post(s, "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", R"({"contents":[]})",
             {{"x-goog-api-key", kKey}})
            .status == 200);
  // Without a key the answer is still 401: the key is checked first.
  CHECK(post(s, "/v1/chat/completions", R"({"model":"gpt-5-mini","messages":[]})").status == 401);

  // The record says which model each request named and what came back.
  std::istringstream in(t.read(rec));
  std::vector<json> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(json::parse(l));
  REQUIRE(lines.size() == 12);
  CHECK(lines[1]["model"] == "gpt-5-mini");
  CHECK(lines[1]["status"] == 400);
  CHECK(lines[1]["error"] == "model_not_allowed");
  CHECK(lines[6]["model"] == "gemini-3.5-flash-lite");
  CHECK(lines[10]["model"] == "gemini-2.5-pro");
  CHECK(lines[10]["status"] == 200);
  CHECK(!lines[10].contains("error"));
  CHECK(!lines[0].contains("model"));  // GET /v1/models names none
}

TEST_CASE("stand-in's default models: one per family, as the demo and the smoke tests use them") {
  StandIn s({});
  auto list = json::parse(get(s, "/v1/models", {{"x-api-key", kKey}}).body);
  std::vector<std::string> ids;
  for (const auto& m : list["data"]) ids.push_back(m["id"]);
  CHECK(ids ==
        std::vector<std::string>{"gpt-5-mini", "claude-haiku-4-5-20251001", "gemini-2.5-flash"});
  CHECK(post(s, "/v1/chat/completions", R"({"model":"gpt-5","messages":[]})", {{"x-api-key", kKey}})
            .status == 400);
}

TEST_CASE("stand-in drains on SIGTERM: /readyz 503 draining, then it stops") {
  StandIn s({"--profile", "seed", "--drain-delay-ms", "3000"});
  CHECK(get(s, "/readyz").status == 200);
  s.signal_term();
  http::Response r;
  for (int i = 0; i < 200; ++i) {  // the signal is handled asynchronously
    r = get(s, "/readyz");
    if (r.status == 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(r.status == 503);
  CHECK(json::parse(r.body)["status"] == "draining");
  CHECK(get(s, "/healthz").status == 200);  // still serving during the drain delay
  CHECK(s.stop() == 0);
  auto log = s.stderr_text();
  CHECK(has(log, "INFO msg=\"gateway_draining\" pre_drain_wait=\"3s\""));
  CHECK(has(log, "INFO msg=\"gateway_shutting_down\" timeout=\"15s\""));
  CHECK(has(log, "INFO msg=\"gateway_stopped\""));
}
