// The proxy's pure decisions: header filtering, credentials, dialects, error bodies, routes.
#include "lwgw/proxy/rules.hpp"

#include <openssl/crypto.h>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "lwgw/util/text.hpp"

namespace lwgw::proxy {

namespace {

const HeaderList::value_type* find(const HeaderList& h, std::string_view name) {
  for (const auto& kv : h)
    if (header_name_equals(kv.first, name)) return &kv;
  return nullptr;
}

bool is_credential_header(std::string_view name) {
  return header_name_equals(name, "authorization") || header_name_equals(name, "x-api-key") ||
         header_name_equals(name, "x-goog-api-key") || header_name_equals(name, "xi-api-key");
}

// Query parameters split on '&', each with its raw text.
std::vector<std::string_view> split_query(std::string_view q) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= q.size()) {
    size_t amp = q.find('&', start);
    parts.push_back(
        q.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start));
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return parts;
}
}  // namespace

bool header_name_equals(std::string_view a, std::string_view b) {
  return util::iequals(a, b);
}

namespace {
// The names the Connection headers list, lower-cased: hop-by-hop for this message too. Built
// once per message, so filtering stays linear in the number of headers.
std::unordered_set<std::string> connection_listed(const HeaderList& all) {
  std::unordered_set<std::string> listed;
  for (const auto& [k, v] : all) {
    if (!header_name_equals(k, "connection")) continue;
    size_t start = 0;
    while (start < v.size()) {
      size_t comma = v.find(',', start);
      std::string token(
          v.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      token.erase(0, token.find_first_not_of(" \t"));
      token.erase(token.find_last_not_of(" \t") + 1);
      if (!token.empty()) listed.insert(util::lower(token));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return listed;
}

bool hop_by_hop(std::string_view name, const std::unordered_set<std::string>& listed) {
  static constexpr std::string_view kHop[] = {"connection",
                                              "keep-alive",
                                              "te",
                                              "trailer",
                                              "transfer-encoding",
                                              "upgrade",
                                              "proxy-authorization",
                                              "proxy-authenticate",
                                              "proxy-connection"};
  for (auto h : kHop)
    if (header_name_equals(name, h)) return true;
  return !listed.empty() && listed.count(util::lower(std::string(name))) > 0;
}

// `Content-Type: ` with nothing after it says nothing: it is dropped, never sent on.
bool empty_content_type(std::string_view name, std::string_view value) {
  return value.empty() && header_name_equals(name, "content-type");
}
}  // namespace

bool is_hop_by_hop(std::string_view name, const HeaderList& all) {
  return hop_by_hop(name, connection_listed(all));
}

ClientCredential find_client_credential(const HeaderList& headers, std::string_view target) {
  if (auto* a = find(headers, "authorization")) {
    std::string_view v = a->second;
    if (v.size() > 7 && header_name_equals(v.substr(0, 7), "bearer "))
      return {CredentialPlace::kBearer, std::string(v.substr(7))};
    return {CredentialPlace::kBearer, std::string(v)};
  }
  if (auto* h = find(headers, "x-api-key")) return {CredentialPlace::kXApiKey, h->second};
  if (auto* h = find(headers, "x-goog-api-key")) return {CredentialPlace::kXGoogApiKey, h->second};
  if (auto* h = find(headers, "xi-api-key")) return {CredentialPlace::kXiApiKey, h->second};
  auto q = target.find('?');
  if (q != std::string_view::npos)
    for (auto part : split_query(target.substr(q + 1)))
      if (part.substr(0, 4) == "key=")
        return {CredentialPlace::kQueryKey, std::string(part.substr(4))};
  return {};
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

HeaderList upstream_request_headers(const HeaderList& client, CredentialPlace place,
                                    const std::string& vk) {
  static constexpr std::string_view kDropped[] = {
      "host", "content-length", "expect", "remote_addr", "remote_port", "local_addr", "local_port"};
  HeaderList out;
  const auto listed = connection_listed(client);
  for (const auto& [k, v] : client) {
    if (hop_by_hop(k, listed) || is_credential_header(k) || empty_content_type(k, v)) continue;
    if (std::any_of(std::begin(kDropped), std::end(kDropped),
                    [&name = k](std::string_view d) { return header_name_equals(name, d); }))
      continue;
    out.emplace_back(k, v);
  }
  if (vk.empty()) return out;
  switch (place) {
    case CredentialPlace::kNone:
    case CredentialPlace::kBearer:
      out.emplace_back("Authorization", "Bearer " + vk);
      break;
    case CredentialPlace::kXApiKey:
      out.emplace_back("x-api-key", vk);
      break;
    case CredentialPlace::kQueryKey:
    case CredentialPlace::kXGoogApiKey:
      out.emplace_back("x-goog-api-key", vk);
      break;
    case CredentialPlace::kXiApiKey:
      out.emplace_back("xi-api-key", vk);
      break;
  }
  return out;
}

std::string strip_query_key(std::string_view target) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q));
  std::string query;
  for (auto part : split_query(target.substr(q + 1))) {
    if (part.substr(0, 4) == "key=" || part == "key") continue;
    query += (query.empty() ? "" : "&") + std::string(part);
  }
  return query.empty() ? out : out + "?" + query;
}

HeaderList downstream_response_headers(const HeaderList& upstream) {
  HeaderList out;
  const auto listed = connection_listed(upstream);
  for (const auto& [k, v] : upstream) {
    if (hop_by_hop(k, listed) || header_name_equals(k, "content-length") ||
        header_name_equals(k, "access-control-allow-origin") || empty_content_type(k, v))
      continue;
    out.emplace_back(k, v);
  }
  return out;
}

Dialect dialect_for_path(std::string_view path) {
  if (path.rfind("/v1/messages", 0) == 0) return Dialect::kAnthropic;
  if (path.rfind("/v1beta/", 0) == 0 || path == "/v1beta") return Dialect::kGoogle;
  return Dialect::kOpenAI;
}

std::string error_body(Dialect dialect, int status, const std::string& code,
                       const std::string& message) {
  nlohmann::json doc;
  switch (dialect) {
    case Dialect::kAnthropic:
      doc = {{"type", "error"}, {"error", {{"type", code}, {"message", message}}}};
      break;
    case Dialect::kGoogle: {
      std::string s = status == 400   ? "INVALID_ARGUMENT"
                      : status == 401 ? "UNAUTHENTICATED"
                      : status == 403 ? "PERMISSION_DENIED"
                      : status == 404 ? "NOT_FOUND"
                      : status == 413 ? "INVALID_ARGUMENT"
                      : status == 503 ? "UNAVAILABLE"
                      : status == 504 ? "DEADLINE_EXCEEDED"
                                      : "INTERNAL";
      doc = {{"error", {{"code", status}, {"message", message}, {"status", s}}}};
      break;
    }
    case Dialect::kOpenAI:
      doc = {{"error", {{"type", code}, {"code", code}, {"message", message}}}};
      break;
  }
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

bool host_allowed(std::string_view host, std::string_view extra) {
  std::string_view name = host;
  if (!name.empty() && name.front() == '[') {
    auto close = name.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view rest = name.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || rest.size() == 1)) return false;
    name = name.substr(0, close + 1);
  } else if (auto colon = name.find(':'); colon != std::string_view::npos) {
    std::string_view port = name.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    name = name.substr(0, colon);
  }
  std::string n = util::lower(std::string(name));
  if (n == "127.0.0.1" || n == "localhost" || n == "[::1]") return true;
  if (extra.empty()) return false;
  std::string e = util::lower(std::string(extra));
  return n == e || n == "[" + e + "]";
}

std::string client_name(std::string_view ua) {
  if (util::icontains(ua, "claude")) return "claude-code";
  if (util::icontains(ua, "codex")) return "codex";
  if (util::icontains(ua, "gemini")) return "gemini-cli";
  if (util::icontains(ua, "opencode")) return "opencode";
  if (util::icontains(ua, "aider")) return "aider";
  return "other";
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

bool path_escapes(std::string_view path) {
  if (path.find('\\') != std::string_view::npos) return true;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string seg;
    for (size_t i = start; i < end; ++i) {
      if (path[i] == '%' && i + 2 < end && path[i + 1] == '2' &&
          (path[i + 2] == 'e' || path[i + 2] == 'E')) {
        seg += '.';
        i += 2;
      } else {
        seg += path[i];
      }
    }
    if (seg == "." || seg == "..") return true;
    start = end + 1;
  }
  return false;
}

Route route_for_path(std::string_view path) {
  if (path.rfind("/v1/", 0) == 0 || path.rfind("/v1beta/", 0) == 0) return Route::kForward;
  if (path == "/healthz" || path == "/readyz" || path == "/startupz" || path == "/health")
    return Route::kProbe;
  if (path == "/") return Route::kRoot;
  if (path == "/_lwgw/healthz") return Route::kOwnHealth;
  if (path == "/_lwgw/status") return Route::kOwnStatus;
  return Route::kNotFound;
}

}  // namespace lwgw::proxy
