// Key verification against the gateway and parsing of its error envelopes.
#include "lwgw/gateway.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "lwgw/fs.hpp"
#include "lwgw/http_client.hpp"

namespace lwgw {

std::optional<std::string> envelope_message(const std::string& body) {
  size_t start = body.find_first_not_of(" \t\r\n");  // heartbeat spaces may precede it
  if (start == std::string::npos) return std::nullopt;
  auto doc = nlohmann::json::parse(body.substr(start), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("error")) return std::nullopt;
  const auto& e = doc["error"];
  if (e.is_string()) return e.get<std::string>();
  if (!e.is_object()) return std::nullopt;
  std::string msg = e.value("message", std::string());
  std::string type;
  if (e.contains("type") && e["type"].is_string())
    type = e["type"].get<std::string>();
  else if (e.contains("status") && e["status"].is_string())
    type = e["status"].get<std::string>();
  if (msg.empty()) return type.empty() ? std::nullopt : std::optional<std::string>(type);
  return type.empty() || msg == type ? msg : type + ": " + msg;
}

std::vector<std::string> model_ids(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  std::vector<std::string> ids;
  if (!j.is_object() || !j.contains("data") || !j["data"].is_array()) return ids;
  for (const auto& m : j["data"])
    if (m.is_object() && m.contains("id") && m["id"].is_string()) ids.push_back(m["id"]);
  return ids;
}

KeyCheck check_key(const std::string& gateway_url, const std::string& key, const Config& config,
                   const Env& env) {
  http::Request req;
  req.url = http::join_url(gateway_url, "/v1/models");
  req.headers.push_back({"Authorization", "Bearer " + key});
  req.connect_timeout_s = static_cast<long>(config.get_int("gateway.connect_timeout_s"));
  req.timeout_s = 30;
  req.ca_file = config.get_string("gateway.ca_file");
  auto res = http::send(req, env);
  KeyCheck c;
  c.status = res.status;
  if (res.status == 0) {
    c.kind = KeyCheck::Kind::kUnreachable;
    c.message = res.error;
  } else if (res.status == 200) {
    c.kind = KeyCheck::Kind::kOk;
    c.models = model_ids(res.body);
  } else if (res.status == 401 || res.status == 403) {
    c.kind = KeyCheck::Kind::kRejected;
    c.message = envelope_message(res.body).value_or("HTTP " + std::to_string(res.status));
  } else {
    c.kind = KeyCheck::Kind::kUnexpected;
    c.message = "HTTP " + std::to_string(res.status) +
                (envelope_message(res.body) ? ": " + *envelope_message(res.body) : "");
  }
  return c;
}

std::optional<LoginState> load_login_state(const Paths& paths) {
  auto text = fs::read_file(paths.state_dir / "login.json");
  if (!text) return std::nullopt;
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  LoginState s;
  s.gateway = doc.value("gateway", "");
  s.store = doc.value("store", "");
  s.verified_at = doc.value("verified_at", "");
  s.verification = doc.value("verification", "");
  return s;
}

void save_login_state(const Paths& paths, const LoginState& s) {
  nlohmann::json doc = {{"gateway", s.gateway},
                        {"store", s.store},
                        {"verified_at", s.verified_at},
                        {"verification", s.verification}};
  fs::ensure_private_dir(paths.state_dir);
  fs::atomic_write(paths.state_dir / "login.json", doc.dump(2) + "\n", 0600);
}

}  // namespace lwgw
