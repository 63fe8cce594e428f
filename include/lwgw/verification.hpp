// The last verification of the virtual key against the gateway (`login` and `whoami` record it,
// `status` shows it with its age), and what a failed check says about the gateway URL's scheme.
#pragma once

#include <optional>
#include <string>

#include "lwgw/config.hpp"
#include "lwgw/environment.hpp"
#include "lwgw/gateway.hpp"

namespace lwgw {

/// One `GET /v1/models` with the key, as recorded in $XDG_STATE_HOME/lwgw/verification.json.
/// Never the key itself: a fingerprint to tell whether the record is about the key in use, and
/// its masked form for display.
struct Verification {
  std::string gateway;
  std::string key_id;  // key_fingerprint(key)
  std::string key;     // mask_key(key)
  std::string at;      // ISO-8601 UTC
  std::string result;  // ok | rejected | unreachable | unexpected
  long http_status = 0;
  std::string message;  // the gateway's error message or the transport error; "" when ok
  std::string by;       // login | whoami

  /// "ok", or "rejected: …", "unreachable: …", "unexpected: …" (login.json's vocabulary).
  std::string summary() const;
};

/// The first 16 hex digits of the key's SHA-256: enough to tell keys apart, useless to use one.
std::string key_fingerprint(const std::string& key);

/// The record of `check` (check_key's outcome for `key` at `gateway`), stamped now.
Verification make_verification(const std::string& gateway, const std::string& key,
                               const KeyCheck& check, const std::string& by);

std::optional<Verification> load_verification(const Paths& paths);
/// Writes verification.json (0600, atomically). Not login.json: the running proxy reloads on
/// that one, and a verification changes nothing it uses.
void save_verification(const Paths& paths, const Verification& v);

/// Whether `v` was made for this key at this gateway (trailing slashes ignored).
bool verification_applies(const Verification& v, const std::string& gateway,
                          const std::string& key);

/// Seconds since an ISO-8601 UTC timestamp (`2026-11-27T06:30:00Z`); nullopt when unreadable.
std::optional<double> seconds_since_iso(const std::string& iso);
/// "just now", "42s ago", "5m ago", "3h ago", "2d ago".
std::string age_text(double seconds);

/// A gateway URL whose scheme does not match what its port speaks.
enum class SchemeMismatch {
  kNone,
  kHttpsOnPlain,  // https:// to a plain-HTTP port: the TLS handshake reads an HTTP answer
  kHttpOnTls,     // http:// to a TLS port: an empty reply, a reset, HTTP/0.9 bytes or a 400
};
/// What a failed check suggests (pure): only a suspicion, confirm it with scheme_hint().
SchemeMismatch suspect_scheme(const std::string& url, const KeyCheck& check);

/// `url` with http:// and https:// swapped.
std::string swap_scheme(const std::string& url);

struct SchemeHint {
  std::string suggested_url;  // the URL that works
  std::string why;            // one sentence: what the port speaks and what lwgw saw
};
/// When `check` failed in a way suspect_scheme() recognises, asks the same host and port in the
/// other scheme, without the key (GET /v1/models unauthenticated: any HTTP answer, or a TLS
/// certificate complaint, shows which scheme the port speaks). nullopt when nothing suggests it.
std::optional<SchemeHint> scheme_hint(const std::string& url, const KeyCheck& check,
                                      const Config& config, const Env& env);

}  // namespace lwgw
