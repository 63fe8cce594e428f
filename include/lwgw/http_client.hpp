// A small blocking HTTP client on libcurl for the control plane (login, smoke, diff, doctor).
// The proxy's data plane has its own streaming client.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lwgw/environment.hpp"

struct curl_slist;

namespace lwgw::http {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<Header> headers;
  std::string body;
  long connect_timeout_s = 10;
  long timeout_s = 30;  // whole transfer; 0 = none
  std::string ca_file;  // extra PEM bundle, added to the system trust store
};

struct Response {
  long status = 0;          // 0 when no HTTP response arrived
  std::string status_line;  // "HTTP/1.1 200 OK"
  std::vector<Header> headers;
  std::string body;
  std::string error;  // transport failure (connection refused, TLS, timeout) when status == 0
  bool couldnt_connect = false;  // no connection at all (refused, unreachable): nothing listens
  double seconds = 0;

  /// The first header with this name (case-insensitive).
  std::optional<std::string> header(const std::string& name) const;
};

/// One line a libcurl header callback receives, classified (views into that line).
struct HeaderLine {
  enum class Kind { kStatus, kField, kEnd, kOther };
  Kind kind = Kind::kOther;
  std::string_view text;    // the line without its CR/LF (kStatus: the whole status line)
  long status = 0;          // kStatus: 200 from "HTTP/1.1 200 OK"
  std::string_view reason;  // kStatus: "OK"
  std::string_view name;    // kField
  std::string_view value;   // kField, leading whitespace removed
};
/// Classifies a header-callback line: a status line (a new response after a 1xx or redirect),
/// a `Name: value` field, the blank line ending the head, or anything else.
HeaderLine parse_header_line(std::string_view raw);

/// Sets up libcurl once per process (before any thread starts).
void global_init();

/// Performs the request. Never throws for network errors: they land in Response::error.
/// Proxies come from the Env (HTTPS_PROXY/https_proxy, http_proxy, ALL_PROXY) and never apply to
/// loopback; TLS verification is always on.
Response send(const Request& request, const Env& env);

/// Applies the Env's proxy settings and the loopback exemption to a curl easy handle.
void apply_proxy_settings(void* curl_easy, const std::string& url, const Env& env);
/// Applies `ca_file` (when non-empty) on top of the system trust store to a curl easy handle.
void apply_ca_file(void* curl_easy, const std::string& ca_file);
/// Sets up a curl easy handle for `req` the way every lwgw request goes: method and body,
/// `headers` (built by the caller, kept alive until the transfer ends), HTTP/1.1, timeouts,
/// `errbuf` (CURL_ERROR_SIZE), http(s) only, the Env's proxies and `req.ca_file`. The caller sets
/// the write and header callbacks.
void configure_easy(void* curl_easy, const Request& req, const Env& env, curl_slist* headers,
                    char* errbuf);

/// A NO_PROXY value: `current` (the user's, possibly empty) with 127.0.0.1, localhost and ::1
/// appended where missing, so that an HTTP proxy never sees loopback traffic.
std::string no_proxy_with_loopback(const std::string& current);

/// `base` + `path` with exactly one slash between them (`base` may carry a path prefix).
std::string join_url(const std::string& base, const std::string& path);

}  // namespace lwgw::http
