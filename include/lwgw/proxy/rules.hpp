// The proxy's pure decisions: which headers pass, where the credential is, which dialect an
// endpoint speaks, what an lwgw error looks like. No I/O here; every function is unit-tested.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lwgw::proxy {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// Case-insensitive ASCII comparison of header names.
bool header_name_equals(std::string_view a, std::string_view b);

/// Hop-by-hop headers (RFC 9110 §7.6.1) plus those a Connection header names.
bool is_hop_by_hop(std::string_view name, const HeaderList& all_headers);

/// Where a client put its credential. Precedence as the gateway's: Authorization: Bearer,
/// x-api-key, x-goog-api-key, xi-api-key, then the `key` query parameter.
enum class CredentialPlace { kNone, kBearer, kXApiKey, kXGoogApiKey, kXiApiKey, kQueryKey };

struct ClientCredential {
  CredentialPlace place = CredentialPlace::kNone;
  std::string value;  // the presented token (may be wrong)
};

/// The first credential the client presented, in precedence order.
ClientCredential find_client_credential(const HeaderList& headers, std::string_view target);

/// Compares in constant time (for the local token).
bool constant_time_equals(std::string_view a, std::string_view b);

/// The request headers to send upstream: hop-by-hop, Host, Content-Length, Expect, every client
/// credential and the pseudo headers some servers add (REMOTE_ADDR, …) removed; everything else
/// unchanged and in order; then exactly one credential — `vk` in the header the client used (Bearer
/// when none, and x-goog-api-key when the client used `?key=`). An empty `vk` adds no credential.
HeaderList upstream_request_headers(const HeaderList& client_headers, CredentialPlace place,
                                    const std::string& vk);

/// The request target with every `key=` query parameter removed (the rest untouched).
std::string strip_query_key(std::string_view target);

/// Response headers to copy to the client: hop-by-hop, Content-Length and Transfer-Encoding
/// removed (the server frames the body itself).
HeaderList downstream_response_headers(const HeaderList& upstream_headers);

/// The error shape the endpoint's clients parse.
enum class Dialect { kOpenAI, kAnthropic, kGoogle };
Dialect dialect_for_path(std::string_view path);

/// An lwgw-authored error body in the endpoint's dialect. `message` must start with "lwgw: ".
/// OpenAI/gateway: {"error":{"type","code","message"}}; Anthropic: {"type":"error","error":{"type",
/// "message"}}; Google: {"error":{"code":<status>,"message","status"}}.
std::string error_body(Dialect dialect, int status, const std::string& code,
                       const std::string& message);

/// True for the Host values a loopback proxy answers to: 127.0.0.1, localhost, [::1] (any port),
/// plus `extra_host` (the listen host when remote access is allowed).
bool host_allowed(std::string_view host_header, std::string_view extra_host = {});

/// "claude-code", "codex", "gemini-cli", "opencode", "aider" or "other", from a User-Agent.
std::string client_name(std::string_view user_agent);

/// The path of a target without its query string.
std::string_view path_of(std::string_view target);

/// Routes: /v1/…, /v1beta/… and the gateway's probes are forwarded; `/` (what a CLI probes to see
/// whether anything listens) and /_lwgw/… are answered by the proxy itself.
enum class Route { kForward, kProbe, kRoot, kOwnHealth, kOwnStatus, kNotFound };
Route route_for_path(std::string_view path);
/// Whether `path` has a segment the gateway (or libcurl) would resolve away: `.` or `..`, also
/// percent-encoded (`%2e`), or a backslash some servers read as `/`. Routing looks at the raw
/// path, so such a path could reach any route of the gateway with the VK.
bool path_escapes(std::string_view path);

}  // namespace lwgw::proxy
