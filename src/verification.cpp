// The recorded key verification, ages of timestamps, and the gateway URL's scheme checked
// against what its port speaks.
#include "lwgw/verification.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "lwgw/fs.hpp"
#include "lwgw/http_client.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/setup/edits.hpp"
#include "lwgw/util/clock.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw {

namespace {

std::filesystem::path verification_file(const Paths& paths) {
  return paths.state_dir / "verification.json";
}

const char* result_name(KeyCheck::Kind k) {
  switch (k) {
    case KeyCheck::Kind::kOk:
      return "ok";
    case KeyCheck::Kind::kRejected:
      return "rejected";
    case KeyCheck::Kind::kUnreachable:
      return "unreachable";
    case KeyCheck::Kind::kUnexpected:
      break;
  }
  return "unexpected";
}

bool starts_with_ci(const std::string& s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         util::iequals(std::string_view(s).substr(0, prefix.size()), prefix);
}

bool any_of_ci(const std::string& hay, std::initializer_list<std::string_view> needles) {
  for (auto n : needles)
    if (util::icontains(hay, n)) return true;
  return false;
}

}  // namespace

std::string Verification::summary() const {
  if (result == "ok" || message.empty()) return result;
  return result + ": " + message;
}

std::string key_fingerprint(const std::string& key) {
  return setup::sha256_hex(key).substr(0, 16);
}

Verification make_verification(const std::string& gateway, const std::string& key,
                               const KeyCheck& check, const std::string& by) {
  Verification v;
  v.gateway = gateway;
  v.key_id = key_fingerprint(key);
  v.key = mask_key(key);
  v.at = util::utc_now_iso();
  v.result = result_name(check.kind);
  v.http_status = check.status;
  v.message = check.kind == KeyCheck::Kind::kOk ? "" : redact(check.message);
  v.by = by;
  return v;
}

std::optional<Verification> load_verification(const Paths& paths) {
  std::optional<std::string> text;
  try {
    text = fs::read_file(verification_file(paths));
  } catch (...) {
    return std::nullopt;
  }
  if (!text) return std::nullopt;
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  Verification v;
  v.gateway = doc.value("gateway", "");
  v.key_id = doc.value("key_id", "");
  v.key = doc.value("key", "");
  v.at = doc.value("at", "");
  v.result = doc.value("result", "");
  v.http_status = doc.value("http_status", 0L);
  v.message = doc.value("message", "");
  v.by = doc.value("by", "");
  if (v.result.empty() || v.key_id.empty()) return std::nullopt;
  return v;
}

void save_verification(const Paths& paths, const Verification& v) {
  nlohmann::ordered_json doc = {
      {"gateway", v.gateway}, {"key_id", v.key_id},           {"key", v.key},         {"at", v.at},
      {"result", v.result},   {"http_status", v.http_status}, {"message", v.message}, {"by", v.by}};
  fs::ensure_private_dir(paths.state_dir);
  fs::atomic_write(verification_file(paths), doc.dump(2) + "\n", 0600);
}

bool verification_applies(const Verification& v, const std::string& gateway,
                          const std::string& key) {
  return v.key_id == key_fingerprint(key) &&
         util::trim_trailing_slashes(v.gateway) == util::trim_trailing_slashes(gateway);
}

std::optional<double> seconds_since_iso(const std::string& iso) {
  std::tm tm{};
  if (iso.size() < 20 || !::strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return std::nullopt;
  const std::time_t then = ::timegm(&tm);
  if (then == static_cast<std::time_t>(-1)) return std::nullopt;
  const double s = std::difftime(std::time(nullptr), then);
  return s < 0 ? 0 : s;
}

std::string age_text(double seconds) {
  const auto s = static_cast<long long>(seconds);
  if (s < 2) return "just now";
  if (s < 120) return std::to_string(s) + "s ago";
  if (s < 2 * 3600) return std::to_string(s / 60) + "m ago";
  if (s < 2 * 86400) return std::to_string(s / 3600) + "h ago";
  return std::to_string(s / 86400) + "d ago";
}

SchemeMismatch suspect_scheme(const std::string& url, const KeyCheck& check) {
  if (starts_with_ci(url, "https://")) {
    // OpenSSL reads the plain-HTTP server's "HTTP/1.1 400" as a TLS record; GnuTLS says so too.
    if (check.kind == KeyCheck::Kind::kUnreachable &&
        any_of_ci(check.message, {"wrong version number", "packet length too long",
                                  "unknown protocol", "unexpected tls packet", "http request"}))
      return SchemeMismatch::kHttpsOnPlain;
    return SchemeMismatch::kNone;
  }
  if (!starts_with_ci(url, "http://")) return SchemeMismatch::kNone;
  // A TLS server meets "GET /v1/models HTTP/1.1": it closes, resets, sends an alert (HTTP/0.9 to
  // curl), or, behind nginx and friends, answers 400 "plain HTTP request was sent to HTTPS port".
  if (check.kind == KeyCheck::Kind::kUnreachable &&
      any_of_ci(check.message, {"empty reply", "reset by peer", "recv failure", "http/0.9",
                                "weird server reply", "unsupported protocol"}))
    return SchemeMismatch::kHttpOnTls;
  if (check.kind == KeyCheck::Kind::kUnexpected && check.status == 400)
    return SchemeMismatch::kHttpOnTls;
  return SchemeMismatch::kNone;
}

std::string swap_scheme(const std::string& url) {
  if (starts_with_ci(url, "https://")) return "http://" + url.substr(8);
  if (starts_with_ci(url, "http://")) return "https://" + url.substr(7);
  return url;
}

std::optional<SchemeHint> scheme_hint(const std::string& url, const KeyCheck& check,
                                      const Config& config, const Env& env) {
  const SchemeMismatch suspicion = suspect_scheme(url, check);
  if (suspicion == SchemeMismatch::kNone) return std::nullopt;
  const std::string other = swap_scheme(url);
  http::Request req;
  req.url = http::join_url(other, "/v1/models");  // no key: the answer only shows the scheme
  req.connect_timeout_s = 3;
  req.timeout_s = 5;
  req.ca_file = config.get_string("gateway.ca_file");
  const http::Response res = http::send(req, env);
  if (suspicion == SchemeMismatch::kHttpsOnPlain) {
    if (res.status == 0) return std::nullopt;
    return SchemeHint{other, "the port answers plain HTTP, not TLS (" + check.message + ")"};
  }
  // A certificate complaint still proves the port speaks TLS.
  if (res.status == 0 && !util::icontains(res.error, "certificate")) return std::nullopt;
  std::string why = "the port speaks TLS, not plain HTTP";
  if (res.status == 0) why += " (its certificate is not trusted here: " + res.error + ")";
  return SchemeHint{other, why};
}

}  // namespace lwgw
