// What the proxy does with one request, decided from its head alone: refuse it (with which
// status, code and message), answer it locally, or forward it (to which URL, with which
// headers). Pure: no sockets, no clock; unit-tested directly.
#pragma once

#include <string>
#include <string_view>

#include "lwgw/proxy/http1.hpp"
#include "lwgw/proxy/rules.hpp"
#include "lwgw/proxy/settings.hpp"

namespace lwgw::proxy {

enum class Action {
  kRefuse,     // an lwgw error in the endpoint's dialect (status, code, message)
  kOwnRoot,    // GET or HEAD /: a CLI checking that something listens
  kOwnHealth,  // GET /_lwgw/healthz
  kOwnStatus,  // GET /_lwgw/status
  kForward,    // to the gateway (url, headers)
};

struct Decision {
  Action action = Action::kRefuse;
  std::string path;  // the target without its query: what the access log records
  Route route = Route::kNotFound;
  // kRefuse:
  int status = 0;
  std::string code;
  std::string message;  // starts with "lwgw: ", ends with the fix
  // Whether the same request sent again can succeed. false: the answer carries
  // `x-should-retry: false`, which the Anthropic and OpenAI SDKs (Claude Code's among them) obey
  // at once instead of retrying for minutes. true: `retry_after_s` > 0 asks for that wait
  // (`retry-after` in seconds, `retry-after-ms`), 0 leaves the client's own backoff.
  bool retryable = false;
  int retry_after_s = 0;
  // kForward:
  std::string url;
  HeaderList headers;
  bool counts_as_request() const { return route == Route::kForward || route == Route::kProbe; }
};

/// What GET / answers (HEAD / sends its Content-Length only).
inline constexpr std::string_view kRootBody = "lwgw proxy\n";

/// The decision for a request head, in the order a client's mistakes are best reported: Host,
/// Origin, route (and method, for /), body size, local token, virtual key.
Decision decide(const http1::RequestHead& head, const Settings& cfg, const Secrets& secrets);

/// The refusal for a request the proxy could not read (400, 408, 413, 431, 505).
Decision unreadable(std::string_view target, int status, const std::string& reason,
                    std::size_t max_body_bytes);

/// The refusal for a connection beyond proxy.max_connections.
Decision overloaded(std::string_view target, int max_connections);

/// The 502/504 for a gateway that could not be reached; `curl_code` is libcurl's CURLcode.
Decision unreachable(std::string_view path, const std::string& gateway_url, int curl_code,
                     const std::string& curl_error);
/// The 502 for a gateway whose response head broke HTTP/1.1 (`why`: what was wrong); with
/// `maybe_tls`, the hint that a TLS gateway needs an https:// URL.
Decision bad_upstream_response(std::string_view path, const std::string& gateway_url,
                               const std::string& why, bool maybe_tls = false);
/// The 400 for a request target libcurl refused to send.
Decision bad_target(std::string_view path);
/// The 504 for a gateway that took the request but sent no response headers within `seconds`
/// (proxy.response_timeout_s).
Decision response_timeout(std::string_view path, const std::string& gateway_url, int seconds);

/// The headers of a response the proxy writes itself, framing aside: the content type and, for a
/// refusal, `X-Lwgw-Error` and the retry advice (`x-should-retry: false`, or `Retry-After` and
/// `retry-after-ms`), plus `Allow` on a 405. Never used for the gateway's responses.
HeaderList own_response_headers(const Decision& d);

}  // namespace lwgw::proxy
