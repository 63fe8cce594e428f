// The proxy's pure decisions: credentials, header filtering, dialects, hosts, routes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "lwgw/proxy/rules.hpp"

using namespace lwgw::proxy;

TEST_CASE("the client's credential is found in gateway precedence order") {
  CHECK(find_client_credential({{"Authorization", "Bearer tok"}}, "/v1/x").place ==
        CredentialPlace::kBearer);
  CHECK(find_client_credential({{"authorization", "bearer tok"}}, "/v1/x").value == "tok");
  CHECK(find_client_credential({{"x-api-key", "a"}, {"authorization", "Bearer b"}}, "/").value ==
        "b");
  CHECK(find_client_credential({{"X-Api-Key", "a"}}, "/").place == CredentialPlace::kXApiKey);
  CHECK(find_client_credential({{"x-goog-api-key", "g"}}, "/").place ==
        CredentialPlace::kXGoogApiKey);
  CHECK(find_client_credential({{"xi-api-key", "e"}}, "/").place == CredentialPlace::kXiApiKey);
  auto q = find_client_credential({}, "/v1beta/models/m:generateContent?alt=sse&key=abc");
  CHECK(q.place == CredentialPlace::kQueryKey);
  CHECK(q.value == "abc");
  CHECK(find_client_credential({}, "/v1/models").place == CredentialPlace::kNone);
}

TEST_CASE("upstream headers: one credential in the client's header, the rest unchanged") {
  HeaderList client = {{"Authorization", "Bearer local"},
                       {"x-api-key", "local"},
                       {"anthropic-beta", "a,b,c"},
                       {"anthropic-version", "2023-06-01"},
                       {"Connection", "keep-alive, X-Hop"},
                       {"X-Hop", "1"},
                       {"Keep-Alive", "timeout=5"},
                       {"Host", "127.0.0.1:5566"},
                       {"Content-Length", "12"},
                       {"Expect", "100-continue"},
                       {"Transfer-Encoding", "chunked"},
                       {"TE", "trailers"},
                       {"Proxy-Authorization", "Basic x"},
                       {"REMOTE_ADDR", "127.0.0.1"},
                       {"LOCAL_PORT", "5566"},
                       {"x-stainless-timeout", "600"},
                       {"traceparent", "00-abc-def-01"},
                       {"X-Request-Id", "req_1"},
                       {"Accept-Encoding", "gzip, deflate, br, zstd"},
                       {"Content-Encoding", "zstd"}};
  auto out = upstream_request_headers(client, CredentialPlace::kBearer, "vk-lw-KEY");
  HeaderList expected = {
      {"anthropic-beta", "a,b,c"},    {"anthropic-version", "2023-06-01"},
      {"x-stainless-timeout", "600"}, {"traceparent", "00-abc-def-01"},
      {"X-Request-Id", "req_1"},      {"Accept-Encoding", "gzip, deflate, br, zstd"},
      {"Content-Encoding", "zstd"},   {"Authorization", "Bearer vk-lw-KEY"}};
  CHECK(out == expected);
  CHECK(upstream_request_headers({{"x-api-key", "t"}}, CredentialPlace::kXApiKey, "K").back() ==
        HeaderList::value_type{"x-api-key", "K"});
  CHECK(upstream_request_headers({}, CredentialPlace::kNone, "K").back().second == "Bearer K");
  CHECK(upstream_request_headers({}, CredentialPlace::kQueryKey, "K").back().first ==
        "x-goog-api-key");
  CHECK(upstream_request_headers({{"xi-api-key", "t"}}, CredentialPlace::kXiApiKey, "K")
            .back()
            .first == "xi-api-key");
  CHECK(upstream_request_headers({{"x-api-key", "t"}}, CredentialPlace::kXApiKey, "").empty());
}

TEST_CASE("?key= is removed from the target, everything else in the query kept") {
  CHECK(strip_query_key("/v1beta/m:streamGenerateContent?alt=sse&key=abc") ==
        "/v1beta/m:streamGenerateContent?alt=sse");
  CHECK(strip_query_key("/v1beta/m?key=abc&alt=sse") == "/v1beta/m?alt=sse");
  CHECK(strip_query_key("/v1beta/m?key=abc") == "/v1beta/m");
  CHECK(strip_query_key("/v1/messages?beta=true") == "/v1/messages?beta=true");
  CHECK(strip_query_key("/v1/models") == "/v1/models");
  CHECK(strip_query_key("/v1/x?monkey=1") == "/v1/x?monkey=1");
}

TEST_CASE("downstream headers drop hop-by-hop, framing and CORS") {
  HeaderList up = {{"Content-Type", "text/event-stream"},
                   {"Transfer-Encoding", "chunked"},
                   {"Connection", "keep-alive"},
                   {"Content-Length", "10"},
                   {"X-Request-Id", "req_x"},
                   {"Access-Control-Allow-Origin", "*"},
                   {"X-Langwatch-Budget-Warning", "project:95"}};
  HeaderList expected = {{"Content-Type", "text/event-stream"},
                         {"X-Request-Id", "req_x"},
                         {"X-Langwatch-Budget-Warning", "project:95"}};
  CHECK(downstream_response_headers(up) == expected);
}

TEST_CASE("errors come in the endpoint's dialect and name lwgw") {
  CHECK(dialect_for_path("/v1/messages") == Dialect::kAnthropic);
  CHECK(dialect_for_path("/v1/messages/count_tokens") == Dialect::kAnthropic);
  CHECK(dialect_for_path("/v1beta/models/x:generateContent") == Dialect::kGoogle);
  CHECK(dialect_for_path("/v1/chat/completions") == Dialect::kOpenAI);
  auto a = nlohmann::json::parse(error_body(Dialect::kAnthropic, 502, "lwgw_x", "lwgw: down"));
  CHECK(a["type"] == "error");
  CHECK(a["error"]["type"] == "lwgw_x");
  CHECK(a["error"]["message"] == "lwgw: down");
  auto g = nlohmann::json::parse(error_body(Dialect::kGoogle, 401, "lwgw_x", "lwgw: no"));
  CHECK(g["error"]["code"] == 401);
  CHECK(g["error"]["status"] == "UNAUTHENTICATED");
  auto o = nlohmann::json::parse(error_body(Dialect::kOpenAI, 413, "lwgw_big", "lwgw: big"));
  CHECK(o["error"]["type"] == "lwgw_big");
  CHECK(o["error"]["code"] == "lwgw_big");
}

TEST_CASE("only loopback Host values are answered") {
  CHECK(host_allowed("127.0.0.1:5566"));
  CHECK(host_allowed("localhost"));
  CHECK(host_allowed("LOCALHOST:80"));
  CHECK(host_allowed("[::1]:5566"));
  CHECK(host_allowed("[::1]"));
  CHECK_FALSE(host_allowed("evil.example"));
  CHECK_FALSE(host_allowed("evil.example:5566"));
  CHECK_FALSE(host_allowed("127.0.0.1.evil.example"));
  CHECK_FALSE(host_allowed("localhost:abc"));
  CHECK_FALSE(host_allowed(""));
  CHECK(host_allowed("10.0.0.5:5566", "10.0.0.5"));
}

TEST_CASE("client names from User-Agent, routes from paths") {
  CHECK(client_name("claude-cli/2.1.197 (external, cli)") == "claude-code");
  CHECK(client_name("codex_exec/0.171.0") == "codex");
  CHECK(client_name("GeminiCLI/0.61.0/gemini-2.5-pro (linux; x64)") == "gemini-cli");
  CHECK(client_name("opencode/1.18.33") == "opencode");
  CHECK(client_name("aider/0.86") == "aider");
  CHECK(client_name("curl/7.88.1") == "other");
  CHECK(route_for_path("/v1/messages") == Route::kForward);
  CHECK(route_for_path("/v1beta/models") == Route::kForward);
  CHECK(route_for_path("/healthz") == Route::kProbe);
  CHECK(route_for_path("/health") == Route::kProbe);
  CHECK(route_for_path("/_lwgw/healthz") == Route::kOwnHealth);
  CHECK(route_for_path("/") == Route::kRoot);
  CHECK(route_for_path("/metrics") == Route::kNotFound);
  CHECK(route_for_path("/v2/x") == Route::kNotFound);
  CHECK(path_of("/v1/x?a=b") == "/v1/x");
}

TEST_CASE("constant-time comparison") {
  CHECK(constant_time_equals("abc", "abc"));
  CHECK_FALSE(constant_time_equals("abc", "abd"));
  CHECK_FALSE(constant_time_equals("abc", "abcd"));
  CHECK_FALSE(constant_time_equals("", "x"));
}
