// The proxy's access log: one JSON line per request, written once, when the request reaches a
// final state. Never a header value, the body (its model name aside), query string or key.
// Internal to the proxy.
#pragma once

#include <cstdint>
#include <string>

namespace lwgw::proxy {

struct AccessRecord {
  std::string method;
  std::string path;    // without the query string
  std::string client;  // "claude-code", "codex", … from the User-Agent
  std::string model;   // the body's top-level "model" or a Gemini path's; "" when not known
  int status = 0;
  double duration_ms = 0;
  double ttfb_ms = 0;
  std::uint64_t bytes_in = 0;   // request body bytes from the client
  std::uint64_t bytes_out = 0;  // response body bytes to the client
  bool stream = false;
  std::string request_id;
  std::string budget;
  std::string outcome;  // "", "client_closed", "cut_by_drain", "upstream_interrupted"
  // The error code `lwgw status` shows as the last error: lwgw's own for a refusal
  // ("lwgw_local_token", …), else the gateway's X-LangWatch-Handled-Error ("upstream" without it).
  std::string error;
};

/// The JSON line (without a newline) for a finished request, stamped `ts`.
std::string access_log_line(const AccessRecord& r, const std::string& ts);

}  // namespace lwgw::proxy
