// The proxy's per-request decisions (see policy.hpp); the wording of every refusal lives here.
#include "lwgw/proxy/policy.hpp"

#include <curl/curl.h>
#include <algorithm>

#include "lwgw/http_client.hpp"

namespace lwgw::proxy {

namespace {

// How long a client is asked to wait before retrying: the proxy's connection limit frees up as
// soon as any connection closes; a gateway that timed out gets a little longer.
constexpr int kOverloadedRetryAfterS = 1;
constexpr int kTimeoutRetryAfterS = 5;

Decision refuse(std::string path, int status, std::string code, std::string message) {
  Decision d;
  d.action = Action::kRefuse;
  d.path = std::move(path);
  d.route = route_for_path(d.path);
  d.status = status;
  d.code = std::move(code);
  d.message = std::move(message);
  return d;
}

Decision with_retry(Decision d, int retry_after_s) {
  d.retryable = true;
  d.retry_after_s = retry_after_s;
  return d;
}

std::string too_large_message(std::size_t max_body_bytes, std::optional<std::uint64_t> size) {
  std::string what = size ? "request body of " + std::to_string(*size >> 20) + " MiB is larger"
                          : "request body larger";
  return "lwgw: " + what + " than proxy.max_body_mib (" + std::to_string(max_body_bytes >> 20) +
         " MiB); raise it with `lwgw config set proxy.max_body_mib N`";
}

}  // namespace

Decision decide(const http1::RequestHead& head, const Settings& cfg, const Secrets& secrets) {
  std::string path(path_of(head.target));
  const std::string host = head.header("host");
  if (!host_allowed(host, cfg.allow_remote ? cfg.listen_host : ""))
    return refuse(path, 403, "lwgw_host_refused",
                  "lwgw: refused a request for Host '" + host +
                      "': the local proxy only answers 127.0.0.1, localhost or [::1] "
                      "(DNS-rebinding protection)");
  if (head.has_header("origin")) {
    const std::string origin = head.header("origin");
    const auto& allowed = cfg.allowed_origins;
    if (std::find(allowed.begin(), allowed.end(), origin) == allowed.end())
      return refuse(path, 403, "lwgw_origin_refused",
                    "lwgw: refused a request from a web page (Origin " + origin +
                        "); allow it with `lwgw config set proxy.allowed_origins " + origin +
                        "` only if you trust it");
  }
  Decision d;
  d.path = path;
  d.route = route_for_path(path);
  switch (d.route) {
    case Route::kOwnHealth:
      d.action = Action::kOwnHealth;
      return d;
    case Route::kOwnStatus:
      d.action = Action::kOwnStatus;
      return d;
    case Route::kNotFound:
      return refuse(path, 404, "lwgw_not_found",
                    "lwgw: the local proxy forwards /v1/… and /v1beta/… to the gateway; " + path +
                        " is not one of them");
    case Route::kForward:
    case Route::kProbe:
      break;
  }
  if (head.content_length && *head.content_length > cfg.max_body_bytes)
    return refuse(path, 413, "lwgw_payload_too_large",
                  too_large_message(cfg.max_body_bytes, head.content_length));
  const ClientCredential cred = find_client_credential(head.headers, head.target);
  std::string vk;
  if (d.route == Route::kForward) {
    if (cfg.require_local_token &&
        (secrets.local_token.empty() || !constant_time_equals(cred.value, secrets.local_token)))
      return refuse(path, 401, "lwgw_local_token",
                    std::string("lwgw: ") +
                        (cred.place == CredentialPlace::kNone
                             ? "no local token was sent"
                             : "the local token sent is not this machine's") +
                        "; run `lwgw setup <cli>` (or `eval \"$(lwgw env)\"`) so the CLI uses it");
    if (secrets.vk.empty())
      return refuse(path, 401, "lwgw_not_logged_in",
                    "lwgw: no virtual key is configured; run `lwgw login`");
    vk = secrets.vk;
  }
  d.action = Action::kForward;
  d.url = http::join_url(cfg.gateway_url, strip_query_key(head.target));
  d.headers = upstream_request_headers(head.headers, cred.place, vk);
  return d;
}

Decision unreadable(std::string_view target, int status, const std::string& reason,
                    std::size_t max_body_bytes) {
  std::string path(path_of(target));
  if (status == 413)
    return refuse(path, 413, "lwgw_payload_too_large",
                  too_large_message(max_body_bytes, std::nullopt));
  Decision d = refuse(path, status, "lwgw_bad_request",
                      "lwgw: the local proxy could not read this request (HTTP " +
                          std::to_string(status) + ": " + reason + ")");
  // A client that stalled may well manage next time; nothing else here improves on a retry.
  return status == 408 ? with_retry(std::move(d), 0) : d;
}

Decision overloaded(std::string_view target, int max_connections) {
  return with_retry(refuse(std::string(path_of(target)), 503, "lwgw_overloaded",
                           "lwgw: the local proxy is at proxy.max_connections (" +
                               std::to_string(max_connections) + "); retry shortly"),
                    kOverloadedRetryAfterS);
}

Decision unreachable(std::string_view path, const std::string& gateway_url, int curl_code,
                     const std::string& curl_error) {
  if (curl_code == CURLE_OPERATION_TIMEDOUT)
    return with_retry(refuse(std::string(path), 504, "lwgw_gateway_timeout",
                             "lwgw: the gateway at " + gateway_url + " did not answer in time (" +
                                 curl_error + "); check gateway.url and your network"),
                      kTimeoutRetryAfterS);
  std::string hint = "check gateway.url, your network, or HTTPS_PROXY";
  if (curl_code == CURLE_PEER_FAILED_VERIFICATION || curl_code == CURLE_SSL_CONNECT_ERROR ||
      curl_code == CURLE_SSL_CACERT_BADFILE)
    hint = "for a TLS-intercepting corporate proxy set gateway.ca_file to its CA bundle";
  return refuse(
      std::string(path), 502, "lwgw_gateway_unreachable",
      "lwgw: cannot reach the gateway at " + gateway_url + " (" + curl_error + "); " + hint);
}

HeaderList own_response_headers(const Decision& d) {
  switch (d.action) {
    case Action::kOwnHealth:
    case Action::kOwnStatus:
    case Action::kForward:
      return {{"Content-Type", "application/json"}};
    case Action::kRefuse:
      break;
  }
  HeaderList h = {{"Content-Type", "application/json"}, {"X-Lwgw-Error", d.code}};
  if (!d.retryable) {
    h.emplace_back("x-should-retry", "false");
  } else if (d.retry_after_s > 0) {
    h.emplace_back("Retry-After", std::to_string(d.retry_after_s));
    h.emplace_back("retry-after-ms", std::to_string(d.retry_after_s * 1000));
  }
  return h;
}

}  // namespace lwgw::proxy
