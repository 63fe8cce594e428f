// The gateway probes behind `lwgw smoke` and `lwgw diff`: which requests, how a response is
// judged, transcripts (`HTTP/1.1 …` text), their normalisation and comparison, and
// baselines (the built-in known-good transcripts of 2026-04-19 compiled in, or a recorded file).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lwgw/environment.hpp"
#include "lwgw/http_client.hpp"
#include "lwgw/util/diff.hpp"

namespace lwgw {
class Context;
}

namespace lwgw::probe {

// ---- transcripts -------------------------------------------------------------------------------

/// One response as a transcript prints it: status line, `Name: value` headers, blank line, body.
struct Transcript {
  long status = 0;
  std::string status_line;  // "HTTP/1.1 200 OK"
  std::vector<http::Header> headers;
  std::string body;
  /// False when the baseline shows only the status line and body (the 2026-04-19 /startupz):
  /// then headers are not compared.
  bool headers_pinned = true;
};

/// The transcript of a response, without transport headers (Date, Content-Length, Connection,
/// Keep-Alive, Transfer-Encoding, Accept-Ranges) that say nothing about the gateway's contract.
Transcript from_response(const http::Response& response);

/// `HTTP/1.1 200 OK\nName: value\n…\n\nbody` (the body without its trailing newline).
std::string format_transcript(const Transcript& t);
/// Parses format_transcript's text; a second line that is not a header (the 2026-04-19 /startupz)
/// means headers_pinned = false. Throws Error(kConfig) when there is no status line.
Transcript parse_transcript(const std::string& text);

/// A header or body value with volatile parts replaced by typed placeholders: `req_<30 hex>`,
/// `00-<32 hex>-<16 hex>-<2 hex>`, `<32 hex>`, `<16 hex>`, `<date>`.
std::string normalise_value(const std::string& value);
/// The comparable form: status line rebuilt from the code, header names in canonical case and
/// sorted, values normalised, X-Langwatch-Gateway-Version and JSON `version` → `<version>`,
/// `uptime_s` → `<float>`, JSON bodies re-serialised compactly.
Transcript normalise(const Transcript& t);

// ---- comparison --------------------------------------------------------------------------------

enum class Severity { kDrift, kBreaking };
const char* to_string(Severity s);

struct Difference {
  Severity severity = Severity::kDrift;
  std::string kind;    // status, content-type, field-missing, field-type, error-type,
                       // header-renamed, header-added, header-removed, header-changed,
                       // message-changed, value-changed, extra-field, body-changed
  std::string detail;  // one readable line
};

/// Classifies every difference between a baseline and a current transcript (raw or normalised):
/// breaking = status code, media type, a baseline JSON field missing or of another type, an
/// error `type` changed; drift = headers renamed/added/removed/changed, message text and other
/// values changed, extra JSON fields.
std::vector<Difference> compare(const Transcript& baseline, const Transcript& current);

/// A line diff of `a` → `b`: every line prefixed with ' ', '-' or '+' (util::line_diff).
inline std::vector<std::string> unified_diff(const std::vector<std::string>& a,
                                             const std::vector<std::string>& b) {
  return util::line_diff(a, b);
}
/// The lines of a normalised transcript (headers omitted when not pinned).
std::vector<std::string> transcript_lines(const Transcript& normalised);

// ---- baselines ---------------------------------------------------------------------------------

struct Variant {
  std::string label;  // "" when the probe has a single transcript
  Transcript transcript;
};

struct BaselineProbe {
  std::string probe;    // "healthz"
  std::string request;  // "GET /healthz"
  std::vector<Variant> variants;
};

struct Baseline {
  std::string source;  // "builtin (…)" or the file name
  std::vector<BaselineProbe> probes;
  const BaselineProbe* find(const std::string& probe) const;
};

/// The built-in known-good transcripts (recorded from the gateway on 2026-04-19), compiled in.
const Baseline& builtin_baseline();
/// Parses a baseline file (`lwgw diff --record` output). Throws Error(kConfig) naming `where`.
Baseline parse_baseline(const std::string& text, const std::string& where);
/// The file `--record` writes: JSON {"format":"lwgw-baseline/1","gateway","recorded_at","probes"}.
std::string serialise_baseline(const Baseline& b, const std::string& gateway,
                               const std::string& recorded_at);

// ---- probes ------------------------------------------------------------------------------------

enum class Verdict { kPass, kFail, kSkip, kWarn };
const char* to_string(Verdict v);  // "PASS" …

/// Where the probes go and with which credential.
struct Target {
  std::string base_url;
  bool via_proxy = false;
  std::optional<std::string> key;  // the VK (direct) or the local token (via proxy)
  std::string key_label;           // "the virtual key" / "the local token"
  std::string ca_file;
  long connect_timeout_s = 10;
};

/// Thrown by run() when the first request gets no HTTP answer at all.
struct Unreachable {
  std::string url;
  std::string error;
};

/// Direct: `gateway_url` with the VK. Via proxy: `http://<proxy_listen>` with the local token.
Target select_target(bool via_proxy, const std::string& gateway_url,
                     const std::string& proxy_listen, const std::optional<std::string>& vk,
                     const std::optional<std::string>& local_token);

/// The target for smoke/diff from the configuration (`--gateway` already applied), the
/// credential store and LWGW_VK. Registers the key for redaction.
Target target_from_context(Context& ctx, bool via_proxy);

/// The user-facing message and exit for an Unreachable target (exit 1; exit 4 via the proxy).
[[noreturn]] void throw_unreachable(const Target& target, const Unreachable& u);

enum class Auth { kNone, kKey };

struct Spec {
  std::string name;
  std::string method;
  std::string path;
  Auth auth = Auth::kNone;
  std::string key_header = "Authorization";  // with Auth::kKey: "Authorization" = Bearer
  std::vector<http::Header> headers;
  std::string body;
  bool completion = false;  // a streamed request (opt-in: spends tokens)
  std::string dialect;      // completion probes: messages | chat | responses | gemini
};

/// healthz, startupz, readyz, unauth-models, unauth-chat, auth-models, in that order.
const std::vector<Spec>& basic_probes();

struct Result {
  std::string probe;
  std::string request;  // "GET /healthz"
  Verdict verdict = Verdict::kSkip;
  std::string reason;
  double seconds = 0;
  long http_status = 0;
  std::optional<Transcript> transcript;  // when a response arrived and the probe was judged
  bool not_exposed = false;              // 404 on a probe the hosted ingress does not publish
};

/// Judges a basic probe's response (pure).
Result judge(const Spec& spec, const http::Response& response);
/// Judges a streamed completion (pure): 200, text/event-stream, the dialect's frames and end,
/// no `event: error`. The reason carries the streamed text.
Result judge_stream(const std::string& dialect, const http::Response& response);

/// The text a stream carried (the deltas joined), for any of the four dialects.
std::string stream_text(const std::string& dialect, const std::string& body);

/// The completion probe for `dialect` with `model` (request path, headers, body).
Spec completion_probe(const std::string& dialect, const std::string& model);
/// Picks a model for each dialect from a `/v1/models` body; "" when none fits.
std::string pick_model(const std::string& dialect, const std::string& models_body);

/// Runs the basic probes (and, with `completion`, one stream per dialect) against `target`.
/// Throws Unreachable when the gateway does not answer the first probe.
std::vector<Result> run(const Target& target, bool completion, const Env& env);

}  // namespace lwgw::probe
