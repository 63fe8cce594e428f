// `lwgw whoami`: which gateway, which key (masked), stored where, and whether the gateway
// accepts it now (asked again and recorded, unless --offline).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lwgw/commands/table.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/error.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/verification.hpp"

namespace lwgw {

namespace {

struct WhoamiOptions {
  bool offline = false;
};

/// What whoami knows about the key's standing: asked now, or the last record.
struct Standing {
  std::optional<Verification> last;  // applies to this key and gateway
  bool checked_now = false;
  std::string verification;  // the summary ("ok", "rejected: …"); login.json's when no record
  std::string verified_at;
  std::optional<SchemeHint> hint;
};

Standing ask_gateway(Context& ctx, const std::string& gateway, const std::string& key) {
  Standing s;
  const KeyCheck check = check_key(gateway, key, ctx.config(), ctx.env);
  Verification v = make_verification(gateway, key, check, "whoami");
  save_verification(ctx.paths(), v);
  if (check.kind != KeyCheck::Kind::kOk && check.kind != KeyCheck::Kind::kRejected)
    s.hint = scheme_hint(gateway, check, ctx.config(), ctx.env);
  s.checked_now = true;
  s.verification = v.summary();
  s.verified_at = v.at;
  s.last = std::move(v);
  return s;
}

Standing recorded(Context& ctx, const std::string& gateway, const std::string& key) {
  Standing s;
  auto v = load_verification(ctx.paths());
  if (v && verification_applies(*v, gateway, key)) {
    s.verification = v->summary();
    s.verified_at = v->at;
    s.last = std::move(v);
  } else if (auto state = load_login_state(ctx.paths())) {
    s.verification = state->verification;
    s.verified_at = state->verified_at;
  }
  return s;
}

/// The verification line: "ok, just now", "REJECTED …", "NOT verified: …", with its age.
std::string standing_text(const Standing& s, const std::string& gateway) {
  std::string age;
  if (auto secs = seconds_since_iso(s.verified_at)) age = age_text(*secs);
  if (!s.last) {  // no record for this key: what login.json says, if anything
    if (s.verification.empty()) return "never";
    if (s.verified_at.empty()) return "never (" + s.verification + ")";
    return s.verification + " (" + age + ", by login)";
  }
  const Verification& v = *s.last;
  std::string when = age + (s.checked_now ? "" : ", by " + v.by);
  if (v.result == "ok") return "ok (" + when + ")";
  if (v.result == "rejected")
    return "REJECTED by the gateway (" + when + "): HTTP " + std::to_string(v.http_status) + ": " +
           v.message + "; log in with a new key: `lwgw login`";
  if (v.result == "unreachable")
    return "NOT verified (" + when + "): could not reach " + gateway + " (" + v.message + ")";
  return "NOT verified (" + when + "): " + gateway + " answered GET /v1/models with " + v.message;
}

int exit_for(const Standing& s) {
  if (!s.checked_now || !s.last || s.last->result == "ok") return 0;
  return static_cast<int>(s.last->result == "rejected" ? Exit::kConfig : Exit::kFailed);
}

void print_json(Context& ctx, const ResolvedKey& key, const Standing& s) {
  Config& cfg = ctx.config();
  CredentialStore& store = ctx.credentials();
  const auto& gw = cfg.setting("gateway.url");
  std::optional<double> age = seconds_since_iso(s.verified_at);
  nlohmann::json doc = {{"gateway", gw.value.index() == 0 ? std::get<std::string>(gw.value) : ""},
                        {"gateway_origin", gw.origin},
                        {"key", mask_key(key.key)},
                        {"key_source", key.source},
                        {"store", store.describe()},
                        {"local_token", store.get(kLocalToken).has_value()},
                        {"verified_at", s.verified_at},
                        {"verification", s.verification},
                        {"verification_age_s", age ? nlohmann::json(*age) : nullptr},
                        {"verified_by", s.last ? s.last->by : ""},
                        {"http_status", s.last ? s.last->http_status : 0},
                        {"checked_now", s.checked_now},
                        {"suggested_gateway", s.hint ? s.hint->suggested_url : ""}};
  *ctx.io.out << doc.dump(2) << "\n";
}

int whoami(Context& ctx, const WhoamiOptions& o) {
  Config& cfg = ctx.config();
  CredentialStore& store = ctx.credentials();
  auto key = resolve_vk(store, ctx.env);
  if (!key) throw config_error("not logged in: run `lwgw login`");
  const std::string gateway = cfg.get_string("gateway.url");
  const Standing s =
      o.offline ? recorded(ctx, gateway, key->key) : ask_gateway(ctx, gateway, key->key);
  if (ctx.opts.json) {
    print_json(ctx, *key, s);
    return exit_for(s);
  }
  auto& out = *ctx.io.out;
  out << "gateway:           " << gateway << " (" << cfg.setting("gateway.url").origin << ")\n";
  out << "key:               " << mask_key(key->key) << " (from " << key->source << ")\n";
  out << "store:             " << store.describe() << "\n";
  out << (s.checked_now ? "verified:          " : "last verification: ")
      << standing_text(s, gateway) << "\n";
  if (s.hint)
    out << "hint:              " << s.hint->why << ": `lwgw config set gateway.url "
        << s.hint->suggested_url << "`\n";
  return exit_for(s);
}

}  // namespace

void configure_whoami(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<WhoamiOptions>();
  cmd.add_flag("--offline", o->offline,
               "Do not ask the gateway; show the last recorded verification");
  cmd.footer(
      "Asks the gateway (GET /v1/models with the key) and records the answer for `lwgw status`.\n"
      "Exit 0 when the gateway accepts the key (or with --offline), 3 when it rejects it, 1 when\n"
      "it could not be asked.");
  cmd.callback([&ctx, &action, o] { action = [&ctx, o] { return whoami(ctx, *o); }; });
}

}  // namespace lwgw
