// The proxy's per-request decisions (see policy.hpp); the wording of every refusal lives here.
#include "lwgw/proxy/policy.hpp"

#include <curl/curl.h>
#include <algorithm>
#include <optional>

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

// Host, then Origin: refused whatever the route, so a web page learns nothing.
std::optional<Decision> refuse_caller(const http1::RequestHead& head, const Settings& cfg,
                                      const std::string& path) {
  const std::string host = head.header("host");
  if (!host_allowed(host, cfg.allow_remote ? cfg.listen_host : ""))
    return refuse(path, 403, "lwgw_host_refused",
                  "lwgw: refused a request for Host '" + host +
                      "': the local proxy only answers 127.0.0.1, localhost or [::1] "
                      "(DNS-rebinding protection); point the CLI at http://127.0.0.1:" +
                      std::to_string(cfg.listen_port) + " (`lwgw setup <cli>` writes it)");
  if (!head.has_header("origin")) return std::nullopt;
  const std::string origin = head.header("origin");
  const auto& allowed = cfg.allowed_origins;
  if (std::find(allowed.begin(), allowed.end(), origin) != allowed.end()) return std::nullopt;
  return refuse(path, 403, "lwgw_origin_refused",
                "lwgw: refused a request from a web page (Origin " + origin +
                    "); allow it with `lwgw config set proxy.allowed_origins " + origin +
                    "` only if you trust it");
}

// The local token, then the virtual key (forwarded routes only).
std::optional<Decision> refuse_credentials(const std::string& path, const ClientCredential& cred,
                                           const Settings& cfg, const Secrets& secrets) {
  if (cfg.require_local_token &&
      (secrets.local_token.empty() || !constant_time_equals(cred.value, secrets.local_token)))
    return refuse(
        path, 401, "lwgw_local_token",
        std::string("lwgw: ") +
            (cred.place == CredentialPlace::kNone ? "no local token was sent"
                                                  : "the local token sent is not this machine's") +
            "; run `lwgw setup <cli>` (or `eval \"$(lwgw env)\"`) so the CLI uses it");
  if (secrets.vk.empty())
    return refuse(path, 401, "lwgw_not_logged_in",
                  "lwgw: no virtual key is configured; run `lwgw login` (the running proxy "
                  "picks the key up, no restart needed)");
  return std::nullopt;
}

// /_lwgw/status names the pid, the gateway and the last error: this user's business only.
bool status_allowed(const http1::RequestHead& head, const Secrets& secrets) {
  const ClientCredential cred = find_client_credential(head.headers, head.target);
  auto matches = [&cred](const std::string& secret) {
    return !secret.empty() && constant_time_equals(cred.value, secret);
  };
  return matches(secrets.local_token) || matches(secrets.status_key);
}

// A route the proxy answers itself, or one it does not serve.
Decision answer_locally(const http1::RequestHead& head, Decision d) {
  switch (d.route) {
    case Route::kRoot:
      if (head.method == "GET" || head.method == "HEAD") {
        d.action = Action::kOwnRoot;
        return d;
      }
      return refuse(d.path, 405, "lwgw_method_not_allowed",
                    "lwgw: / answers GET and HEAD only (it tells a CLI the proxy is up); API "
                    "requests go to /v1/… or /v1beta/…: check the CLI's base URL (`lwgw setup "
                    "<cli>` writes it)");
    case Route::kOwnHealth:
      d.action = Action::kOwnHealth;
      return d;
    case Route::kOwnStatus:
      d.action = Action::kOwnStatus;
      return d;
    case Route::kNotFound:
    case Route::kForward:
    case Route::kProbe:
      break;
  }
  return refuse(d.path, 404, "lwgw_not_found",
                "lwgw: the local proxy forwards /v1/… and /v1beta/… to the gateway; " + d.path +
                    " is not one of them: check the CLI's base URL (`lwgw setup <cli>` "
                    "writes it)");
}

std::string unreadable_hint(int status) {
  switch (status) {
    case 408:
      return "";
    case 431:
      return "; check the extra headers the CLI is configured to send";
    case 505:
      return "; the proxy speaks HTTP/1.1: the CLI's base URL must start with http://";
    default:
      return "; the proxy expects plain HTTP/1.1 at its http:// address: check the CLI's base "
             "URL, or run `lwgw doctor`";
  }
}

std::string unreachable_hint(int curl_code) {
  switch (curl_code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return "its name does not resolve: check gateway.url (`lwgw config get gateway.url`) and "
             "your DNS or VPN";
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "the HTTPS proxy's name does not resolve: check HTTPS_PROXY";
    case CURLE_COULDNT_CONNECT:
      return "nothing accepts connections there: is the gateway up, and is gateway.url's port "
             "right?";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return "its certificate is not trusted: for a TLS-intercepting corporate proxy set "
             "gateway.ca_file to its CA bundle";
    case CURLE_SSL_CONNECT_ERROR:
      return "the TLS handshake failed: if the gateway speaks plain HTTP, gateway.url must start "
             "with http://; for a TLS-intercepting corporate proxy set gateway.ca_file";
    case CURLE_GOT_NOTHING:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return "no HTTP answer came back: if the gateway speaks TLS, gateway.url must start with "
             "https://";
    default:
      return "check gateway.url, your network, or HTTPS_PROXY";
  }
}

}  // namespace

Decision decide(const http1::RequestHead& head, const Settings& cfg, const Secrets& secrets) {
  std::string path(path_of(head.target));
  if (auto refused = refuse_caller(head, cfg, path)) return std::move(*refused);
  if (path_escapes(path))
    return refuse(path, 400, "lwgw_bad_target",
                  "lwgw: refused a request path with a `.` or `..` segment (or a backslash): the "
                  "proxy forwards /v1/… and /v1beta/… only, as sent; check the CLI's base URL");
  Decision d;
  d.path = path;
  d.route = route_for_path(path);
  if (d.route == Route::kOwnStatus && !status_allowed(head, secrets))
    return refuse(path, 401, "lwgw_local_token",
                  "lwgw: /_lwgw/status answers with the local token only (`lwgw status` sends "
                  "it); /_lwgw/healthz answers anyone");
  if (d.route != Route::kForward && d.route != Route::kProbe)
    return answer_locally(head, std::move(d));
  if (head.content_length && *head.content_length > cfg.max_body_bytes)
    return refuse(path, 413, "lwgw_payload_too_large",
                  too_large_message(cfg.max_body_bytes, head.content_length));
  const ClientCredential cred = find_client_credential(head.headers, head.target);
  std::string vk;
  if (d.route == Route::kForward) {
    if (auto refused = refuse_credentials(path, cred, cfg, secrets)) return std::move(*refused);
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
                          std::to_string(status) + ": " + reason + ")" + unreadable_hint(status));
  // A client that stalled may well manage next time; nothing else here improves on a retry.
  return status == 408 ? with_retry(std::move(d), 0) : d;
}

Decision overloaded(std::string_view target, int max_connections) {
  return with_retry(refuse(std::string(path_of(target)), 503, "lwgw_overloaded",
                           "lwgw: the local proxy is at proxy.max_connections (" +
                               std::to_string(max_connections) +
                               "); retry shortly, or raise it with `lwgw config set "
                               "proxy.max_connections N` and restart (`lwgw down && lwgw up`)"),
                    kOverloadedRetryAfterS);
}

Decision unreachable(std::string_view path, const std::string& gateway_url, int curl_code,
                     const std::string& curl_error) {
  if (curl_code == CURLE_OPERATION_TIMEDOUT)
    return with_retry(
        refuse(std::string(path), 504, "lwgw_gateway_timeout",
               "lwgw: the gateway at " + gateway_url + " did not answer in time (" + curl_error +
                   "); check gateway.url and your network, or run `lwgw doctor`"),
        kTimeoutRetryAfterS);
  return refuse(std::string(path), 502, "lwgw_gateway_unreachable",
                "lwgw: cannot reach the gateway at " + gateway_url + " (" + curl_error + "); " +
                    unreachable_hint(curl_code) + "; `lwgw doctor` checks the whole path");
}

Decision bad_upstream_response(std::string_view path, const std::string& gateway_url,
                               const std::string& why, bool maybe_tls) {
  return refuse(
      std::string(path), 502, "lwgw_bad_upstream_response",
      "lwgw: the gateway at " + gateway_url + " sent an invalid response (" + why +
          "); nothing of it was passed on" +
          (maybe_tls ? "; if the gateway speaks TLS, gateway.url must start with https://" : "") +
          "; `lwgw doctor` checks the whole path");
}

Decision bad_target(std::string_view path) {
  return refuse(std::string(path), 400, "lwgw_bad_target",
                "lwgw: the request target cannot be sent to the gateway as it is; check the "
                "CLI's base URL");
}

Decision response_timeout(std::string_view path, const std::string& gateway_url, int seconds) {
  return with_retry(
      refuse(std::string(path), 504, "lwgw_gateway_timeout",
             "lwgw: the gateway at " + gateway_url +
                 " took the request but sent no response within " + std::to_string(seconds) +
                 " s (proxy.response_timeout_s); raise it with `lwgw config set "
                 "proxy.response_timeout_s N` if its models are that slow, or run `lwgw doctor`"),
      kTimeoutRetryAfterS);
}

HeaderList own_response_headers(const Decision& d) {
  switch (d.action) {
    case Action::kOwnRoot:
      return {{"Content-Type", "text/plain; charset=utf-8"}};
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
  if (d.status == 405) h.emplace_back("Allow", "GET, HEAD");
  return h;
}

}  // namespace lwgw::proxy
