// Talking to the gateway from the control plane: key verification and error envelopes.
#pragma once

#include <optional>
#include <string>

#include "lwgw/config.hpp"
#include "lwgw/environment.hpp"

namespace lwgw {

/// The outcome of `GET /v1/models` with a key.
struct KeyCheck {
  enum class Kind { kOk, kRejected, kUnreachable, kUnexpected };
  Kind kind = Kind::kUnexpected;
  long status = 0;
  std::string message;              // the gateway's own error message, or the transport error
  std::vector<std::string> models;  // kOk: the ids the gateway listed
};

/// The model ids of a GET /v1/models answer ({"data":[{"id":…},…]}); empty when the body is not
/// such a list.
std::vector<std::string> model_ids(const std::string& body);

/// Verifies `key` against `gateway_url` (GET /v1/models, Authorization: Bearer). 200 = ok,
/// 401/403 = rejected with the gateway's message, no answer = unreachable. Uses the config's
/// CA file and connect timeout. Never throws for network errors.
KeyCheck check_key(const std::string& gateway_url, const std::string& key, const Config& config,
                   const Env& env);

/// `error.message` (with `error.type`) from a gateway, OpenAI, Anthropic or Google error body;
/// nullopt when the body is not such an envelope.
std::optional<std::string> envelope_message(const std::string& body);

/// What `lwgw login` remembers besides the key (not secret): $XDG_STATE_HOME/lwgw/login.json.
struct LoginState {
  std::string gateway;
  std::string store;
  std::string verified_at;   // ISO-8601 UTC, empty when never verified
  std::string verification;  // "ok", "skipped", "unreachable: …"
};
std::optional<LoginState> load_login_state(const Paths& paths);
void save_login_state(const Paths& paths, const LoginState& state);

}  // namespace lwgw
