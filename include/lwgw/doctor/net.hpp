// The network measurements of doctor's checks, each bounded by a timeout: name resolution, a TCP
// connect, a TLS handshake (the chain, issuer, expiry), and PEM bundles.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lwgw/environment.hpp"
#include "lwgw/http_client.hpp"

namespace lwgw::doctor::net {

/// scheme://host[:port]/path of `url`, split; user-info, query and fragment dropped.
struct Url {
  std::string scheme;  // "https"
  std::string host;    // without brackets
  int port = 0;        // the scheme's default when absent
  std::string path;    // "" or "/v1"…
  bool has_userinfo = false;
  bool has_query = false;
};
std::optional<Url> parse_url(const std::string& url);
/// `url` without user-info, query string and fragment (what doctor may print).
std::string safe_url(const std::string& url);

/// The addresses `host` resolves to (numeric strings), within `timeout_s`; `error` on failure.
struct Resolved {
  std::vector<std::string> addresses;
  std::string error;
  double ms = 0;
};
Resolved resolve(const std::string& host, double timeout_s);

/// A TCP connection to host:port (the first address that answers), within `timeout_s`.
struct Connected {
  bool ok = false;
  std::string address;
  std::string error;
  double ms = 0;
};
Connected connect_tcp(const std::string& host, int port, double timeout_s);

/// One certificate of a chain.
struct Cert {
  std::string subject;  // RFC 2253: "CN=gw.example.com,O=…"
  std::string issuer;
  double days_left = 0;  // until notAfter (negative: expired)
  std::string pem;
};

/// A TLS handshake with `url`'s host as lwgw makes it (the environment's HTTPS proxy,
/// gateway.ca_file beside the system store), and the chain the server presented. When the
/// verified handshake fails, the chain comes from a second handshake that does not verify and
/// sends nothing, so it can be shown.
struct Tls {
  bool connected = false;   // a TLS handshake completed (verified or not)
  bool verified = false;    // chain and host name verified
  std::string error;        // libcurl's verification or connection error
  std::vector<Cert> chain;  // leaf first
  double ms = 0;
};
Tls handshake(const std::string& url, const std::string& ca_file, const Env& env, double timeout_s);

/// A streamed request: the response, and when its body's pieces arrived.
struct Stream {
  http::Response response;
  double ttfb_ms = -1;    // the first body byte; -1 when none came
  double max_gap_ms = 0;  // the longest wait between two pieces of the body
  double total_ms = 0;
  int pieces = 0;  // reads that delivered body bytes
};
/// Sends `req` (the environment's proxies, its CA file), timing each read of the body.
Stream stream(const http::Request& req, const Env& env);

/// The certificates in a PEM file; `error` when it cannot be read or holds none.
struct Bundle {
  std::vector<Cert> certs;
  std::string error;
};
Bundle read_bundle(const std::string& path);

}  // namespace lwgw::doctor::net
