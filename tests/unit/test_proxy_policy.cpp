// The proxy's per-request decisions, without sockets: refusals in order, routes, the VK swap.
#include <doctest/doctest.h>

#include "lwgw/proxy/policy.hpp"

using namespace lwgw::proxy;

namespace {
const std::string kVK = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";
const std::string kToken = "lwgw_lt_TestTokenTestTokenTestTokenTestToken0123456";

http1::RequestHead head(const std::string& text) {
  auto r = http1::parse_head(text);
  REQUIRE(r.error == http1::ParseError::kNone);
  return r.head;
}

Settings settings() {
  Settings s;
  s.gateway_url = "https://gw.example/prefix";
  return s;
}
}  // namespace

TEST_CASE("policy: a CLI request is forwarded with the VK in place of the local token") {
  auto d = decide(head("POST /v1/messages?beta=true&key=" + kToken +
                       " HTTP/1.1\r\nHost: localhost:5566\r\nx-api-key: " + kToken +
                       "\r\nanthropic-version: 2023-06-01\r\nConnection: keep-alive\r\n"
                       "Content-Length: 2\r\n\r\n"),
                  settings(), {kVK, kToken});
  REQUIRE(d.action == Action::kForward);
  CHECK(d.path == "/v1/messages");
  CHECK(d.url == "https://gw.example/prefix/v1/messages?beta=true");
  HeaderList want = {{"anthropic-version", "2023-06-01"}, {"x-api-key", kVK}};
  CHECK(d.headers == want);  // no Host, Connection, Content-Length, token; VK once
}

TEST_CASE("policy: refusals come in the order that best explains them") {
  Secrets sec{kVK, kToken};
  auto host = decide(head("POST /v1/chat/completions HTTP/1.1\r\nHost: evil.example\r\n\r\n"),
                     settings(), sec);
  CHECK(host.status == 403);
  CHECK(host.code == "lwgw_host_refused");
  auto origin = decide(head("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Origin: https://evil.example\r\n\r\n"),
                       settings(), sec);
  CHECK(origin.code == "lwgw_origin_refused");
  Settings trusting = settings();
  trusting.allowed_origins = {"https://ok.example"};
  auto allowed = decide(head("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: "
                             "https://ok.example\r\nAuthorization: Bearer " +
                             kToken + "\r\n\r\n"),
                        trusting, sec);
  CHECK(allowed.action == Action::kForward);
  auto missing = decide(head("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), settings(), sec);
  CHECK(missing.status == 404);
  CHECK(missing.message.rfind("lwgw: ", 0) == 0);
  auto big = decide(head("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                         std::to_string((64u << 20) + 1) + "\r\n\r\n"),
                    settings(), sec);
  CHECK(big.status == 413);
  CHECK(big.message.find("proxy.max_body_mib") != std::string::npos);
  auto no_token =
      decide(head("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), settings(), sec);
  CHECK(no_token.code == "lwgw_local_token");
  CHECK(no_token.message.find("no local token was sent") != std::string::npos);
  auto wrong =
      decide(head("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: lwgw_lt_x\r\n\r\n"),
             settings(), sec);
  CHECK(wrong.message.find("not this machine's") != std::string::npos);
  auto logged_out = decide(
      head("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + kToken + "\r\n\r\n"),
      settings(), {"", kToken});
  CHECK(logged_out.code == "lwgw_not_logged_in");
}

TEST_CASE("policy: probes pass without a key; own routes answer locally") {
  Secrets sec{kVK, kToken};
  auto probe = decide(head("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), settings(), sec);
  REQUIRE(probe.action == Action::kForward);
  CHECK(probe.headers.empty());
  CHECK(decide(head("GET /_lwgw/healthz HTTP/1.1\r\nHost: [::1]:5566\r\n\r\n"), settings(), sec)
            .action == Action::kOwnHealth);
  CHECK(decide(head("GET /_lwgw/status HTTP/1.1\r\nHost: localhost\r\nx-api-key: " + kToken +
                    "\r\n\r\n"),
               settings(), sec)
            .action == Action::kOwnStatus);
  // Without the local token (or the status key) the pid and the gateway stay private.
  auto anon =
      decide(head("GET /_lwgw/status HTTP/1.1\r\nHost: localhost\r\n\r\n"), settings(), sec);
  CHECK(anon.action == Action::kRefuse);
  CHECK(anon.status == 401);
  Secrets keyed{kVK, kToken, "lwgw_sk_key"};
  CHECK(decide(head("GET /_lwgw/status HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    "lwgw_sk_key\r\n\r\n"),
               settings(), keyed)
            .action == Action::kOwnStatus);
}

TEST_CASE("policy: gateway failures name the cause and the fix") {
  auto refused = unreachable("/v1/messages", "http://127.0.0.1:9", 7, "Couldn't connect");
  CHECK(refused.status == 502);
  CHECK(refused.code == "lwgw_gateway_unreachable");
  CHECK(refused.message.find("http://127.0.0.1:9") != std::string::npos);
  auto timeout = unreachable("/v1/messages", "http://gw", 28, "Timeout");
  CHECK(timeout.status == 504);
  auto tls = unreachable("/v1/messages", "https://gw", 60, "SSL peer certificate");
  CHECK(tls.message.find("gateway.ca_file") != std::string::npos);
  auto over = overloaded("/v1/models", 512);
  CHECK(over.status == 503);
  CHECK(over.message.find("proxy.max_connections (512)") != std::string::npos);
  auto bad = unreadable("/v1/x?y", 400, "malformed header line", 64u << 20);
  CHECK(bad.path == "/v1/x");
  CHECK(bad.message.find("malformed header line") != std::string::npos);
}

namespace {
// libcurl's CURLcode values for the failures below (the tests do not link libcurl).
constexpr int kResolveFailed = 6, kConnectFailed = 7, kTimedOut = 28, kTlsFailed = 35,
              kGotNothing = 52, kRecvError = 56, kCertUntrusted = 60;

std::string header_of(const HeaderList& h, std::string_view name) {
  for (const auto& [k, v] : h)
    if (header_name_equals(k, name)) return v;
  return "";
}
bool has_header(const HeaderList& h, std::string_view name) {
  for (const auto& kv : h)
    if (header_name_equals(kv.first, name)) return true;
  return false;
}
}  // namespace

TEST_CASE("policy: lwgw's own refusals say x-should-retry: false when a retry cannot help") {
  Secrets sec{kVK, kToken};
  const std::string big = std::to_string((64u << 20) + 1);
  const std::vector<std::pair<std::string, Decision>> final_ones = {
      {"host",
       decide(head("POST /v1/messages HTTP/1.1\r\nHost: evil.example\r\n\r\n"), settings(), sec)},
      {"origin", decide(head("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: "
                             "https://evil.example\r\n\r\n"),
                        settings(), sec)},
      {"not found",
       decide(head("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), settings(), sec)},
      {"method", decide(head("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), settings(), sec)},
      {"too large", decide(head("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Content-Length: " +
                                big + "\r\n\r\n"),
                           settings(), sec)},
      {"no token",
       decide(head("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), settings(), sec)},
      {"not logged in", decide(head("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    "x-api-key: " +
                                    kToken + "\r\n\r\n"),
                               settings(), {"", kToken})},
      {"malformed", unreadable("/v1/messages", 400, "malformed header line", 64u << 20)},
      {"chunked body too large", unreadable("/v1/messages", 413, "body too large", 64u << 20)},
      {"head too large", unreadable("/", 431, "request header section larger than 64 KiB", 0)},
      {"version", unreadable("/v1/messages", 505, "HTTP/2.0", 64u << 20)},
      {"refused",
       unreachable("/v1/messages", "http://127.0.0.1:9", kConnectFailed, "Couldn't connect")},
      {"dns",
       unreachable("/v1/messages", "https://gw.invalid", kResolveFailed, "Could not resolve host")},
      {"tls",
       unreachable("/v1/messages", "https://gw", kCertUntrusted, "SSL certificate problem")}};
  for (const auto& [what, d] : final_ones) {
    CAPTURE(what);
    REQUIRE(d.action == Action::kRefuse);
    CHECK_FALSE(d.retryable);
    auto h = own_response_headers(d);
    CHECK(header_of(h, "x-should-retry") == "false");
    CHECK(header_of(h, "X-Lwgw-Error") == d.code);
    CHECK(header_of(h, "Content-Type") == "application/json");
    CHECK_FALSE(has_header(h, "Retry-After"));
    CHECK_FALSE(has_header(h, "retry-after-ms"));
  }
}

TEST_CASE("policy: 503 overloaded and 504 gateway timeout ask for a wait instead") {
  auto over = own_response_headers(overloaded("/v1/messages", 512));
  CHECK_FALSE(has_header(over, "x-should-retry"));
  CHECK(header_of(over, "Retry-After") == "1");  // seconds: what Claude Code and the SDKs read
  CHECK(header_of(over, "retry-after-ms") == "1000");
  auto timeout = unreachable("/v1/messages", "http://gw", kTimedOut, "Timeout");
  CHECK(timeout.status == 504);
  auto slow = own_response_headers(timeout);
  CHECK_FALSE(has_header(slow, "x-should-retry"));
  CHECK(header_of(slow, "Retry-After") == "5");
  CHECK(header_of(slow, "retry-after-ms") == "5000");
  // A client that stalled mid-request may manage next time: no advice either way.
  auto stalled = own_response_headers(
      unreadable("/v1/messages", 408, "the client stopped sending the request", 64u << 20));
  CHECK_FALSE(has_header(stalled, "x-should-retry"));
  CHECK_FALSE(has_header(stalled, "Retry-After"));
}

TEST_CASE("policy: GET and HEAD / are answered by the proxy; other methods get a 405") {
  Secrets sec{kVK, kToken};
  for (const char* method : {"GET", "HEAD"}) {
    CAPTURE(method);
    auto d = decide(head(std::string(method) + " / HTTP/1.1\r\nHost: 127.0.0.1:5566\r\n\r\n"),
                    settings(), sec);
    CHECK(d.action == Action::kOwnRoot);
    CHECK(d.path == "/");
    CHECK_FALSE(d.counts_as_request());
    auto h = own_response_headers(d);
    CHECK(header_of(h, "Content-Type").rfind("text/plain", 0) == 0);
    CHECK_FALSE(has_header(h, "x-should-retry"));
    CHECK_FALSE(has_header(h, "X-Lwgw-Error"));
  }
  // No token or key needed to learn that the proxy is up: a logged-out proxy still says so.
  CHECK(decide(head("HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n"), settings(), {"", ""}).action ==
        Action::kOwnRoot);
  CHECK(kRootBody == "lwgw proxy\n");
  auto post = decide(head("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), settings(), sec);
  CHECK(post.status == 405);
  CHECK(post.code == "lwgw_method_not_allowed");
  CHECK(header_of(own_response_headers(post), "Allow") == "GET, HEAD");
  // DNS-rebinding protection covers / too.
  CHECK(decide(head("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n"), settings(), sec).code ==
        "lwgw_host_refused");
}

TEST_CASE("policy: each refusal names the fix") {
  Secrets sec{kVK, kToken};
  auto fix = [](const Decision& d) { return d.message; };
  auto has = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  Settings s = settings();
  s.listen_port = 5577;
  CHECK(has(fix(decide(head("POST /v1/messages HTTP/1.1\r\nHost: evil.example\r\n\r\n"), s, sec)),
            "http://127.0.0.1:5577"));
  CHECK(has(fix(decide(head("GET /api/v1/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), s, sec)),
            "`lwgw setup <cli>`"));
  CHECK(has(fix(decide(head("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " +
                            kToken + "\r\n\r\n"),
                       s, {"", kToken})),
            "run `lwgw login`"));
  CHECK(has(fix(decide(head("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), s, sec)),
            "run `lwgw setup <cli>`"));
  CHECK(has(fix(unreachable("/v1/x", "http://127.0.0.1:9", kConnectFailed, "refused")),
            "is the gateway up"));
  CHECK(has(fix(unreachable("/v1/x", "https://gw.invalid", kResolveFailed, "dns")),
            "does not resolve"));
  CHECK(has(fix(unreachable("/v1/x", "https://gw", kTlsFailed, "wrong version")),
            "must start with http://"));
  CHECK(has(fix(unreachable("/v1/x", "http://gw", kGotNothing, "empty reply")),
            "must start with https://"));
  for (int code : {kConnectFailed, kTimedOut, kRecvError})
    CHECK(has(fix(unreachable("/v1/x", "http://gw", code, "x")), "`lwgw doctor`"));
  CHECK(has(fix(overloaded("/v1/x", 512)), "lwgw config set proxy.max_connections"));
  CHECK(has(fix(unreadable("/v1/x", 400, "malformed header line", 1 << 20)), "base URL"));
}

TEST_CASE("policy: a path with dot segments never reaches the gateway with the VK") {
  Secrets sec{kVK, kToken};
  auto ask = [&](const std::string& target) {
    return decide(head("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                       kToken + "\r\n\r\n"),
                  settings(), sec);
  };
  for (const std::string escaping :
       {"/v1/../admin/keys", "/v1beta/../api/keys", "/v1/%2e%2e/admin", "/v1/%2E./admin",
        "/v1/./models", "/v1/models/..", "/v1\\..\\admin", "/v1/..?x=1"}) {
    auto d = ask(escaping);
    CHECK_MESSAGE(d.action == Action::kRefuse, escaping);
    CHECK_MESSAGE(d.status == 400, escaping);
    CHECK_MESSAGE(d.code == "lwgw_bad_target", escaping);
    CHECK(d.url.empty());
  }
  for (const std::string fine : {"/v1/models", "/v1/a..b", "/v1/.well", "/v1beta/models/x:y?key=1"})
    CHECK_MESSAGE(ask(fine).action == Action::kForward, fine);
  CHECK(path_escapes("/v1/%2e"));
  CHECK_FALSE(path_escapes("/v1/%2ex"));
}
