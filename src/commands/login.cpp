// `lwgw login`: store the gateway URL and the virtual key, after asking the gateway about it.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "lwgw/commands/table.hpp"
#include "lwgw/completion/values.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/probe/local.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/util/clock.hpp"
#include "lwgw/util/text.hpp"
#include "lwgw/verification.hpp"

namespace lwgw {

namespace {

struct LoginOptions {
  std::string gateway;
  bool key_stdin = false;
  std::string key_env;
  bool no_verify = false;
  bool verify_strict = false;
  std::string key_argv;  // refused: keys never travel in argv
};

std::string not_verified_reason(const std::string& gateway, const KeyCheck& check) {
  if (check.kind == KeyCheck::Kind::kUnreachable)
    return "could not reach " + gateway + " (" + check.message + ")";
  std::string why = gateway + " answered GET /v1/models with " + check.message;
  if (check.status == 404) why += " (is gateway.url the gateway's base URL?)";
  return why;
}

std::string read_key(Context& ctx, const LoginOptions& o, const std::string& gateway) {
  std::string key;
  if (o.key_stdin) {
    std::string line;
    std::getline(*ctx.io.in, line);
    key = util::trim(line);
    if (key.empty()) throw usage_error("--key-stdin: no key on standard input");
  } else if (!o.key_env.empty()) {
    auto v = ctx.env.get(o.key_env);
    if (!v || util::trim(*v).empty())
      throw usage_error("--key-env " + o.key_env + ": that variable is not set or empty");
    key = util::trim(*v);
  } else {
    auto line = ctx.io.in_tty && ctx.io.read_secret
                    ? ctx.io.read_secret("Virtual key for " + gateway + " (input hidden): ")
                    : std::nullopt;
    if (!line)
      throw usage_error(
          "no key given: run it in a terminal to be prompted, or use --key-stdin or "
          "--key-env VAR");
    key = util::trim(*line);
    if (key.empty()) throw usage_error("no key entered");
  }
  register_secret(key);
  refuse_unsafe_key(key, o.key_env.empty() ? "the input" : o.key_env);
  return key;
}

void check_options(const LoginOptions& o) {
  if (!o.key_argv.empty()) {
    register_secret(o.key_argv);
    throw usage_error(
        "lwgw never takes a key as an argument (it would land in shell history and `ps`); "
        "use --key-stdin, --key-env VAR, or the prompt");
  }
  if (o.key_stdin && !o.key_env.empty()) throw usage_error("use either --key-stdin or --key-env");
  if (o.no_verify && o.verify_strict) throw usage_error("use either --verify or --no-verify");
}

std::string shape_note(const std::string& key) {
  return looks_like_vk(key) ? ""
                            : "; it does not look like a LangWatch virtual key either (vk-lw-… "
                              "or lw_vk_…)";
}

/// Asks the gateway before anything is stored. Throws when nothing may be stored (rejected, the
/// URL's scheme does not match its port, or --verify and no answer); otherwise returns the check.
KeyCheck verify_before_storing(Context& ctx, const LoginOptions& o, const std::string& gateway,
                               const std::string& key) {
  KeyCheck check = check_key(gateway, key, ctx.config(), ctx.env);
  if (check.kind == KeyCheck::Kind::kOk) return check;
  if (check.kind == KeyCheck::Kind::kRejected)
    throw config_error("the gateway at " + gateway + " rejected the key (HTTP " +
                       std::to_string(check.status) + "): " + check.message +
                       "; nothing was stored" + shape_note(key));
  if (auto hint = scheme_hint(gateway, check, ctx.config(), ctx.env))
    throw config_error(gateway + " is the wrong URL: " + hint->why +
                       "; nothing was stored. Log in with `lwgw login --gateway " +
                       hint->suggested_url + "`");
  if (o.verify_strict)
    throw failure(not_verified_reason(gateway, check) + "; nothing was stored (--verify)");
  return check;
}

/// The step after logging in: set up the CLIs, or re-apply to the direct-mode ones (they carry
/// a copy of the key), or check the path the proxy-mode ones use.
std::string next_step(Context& ctx) {
  std::vector<probe::CliSetup> clis;
  try {
    clis = probe::clis_set_up(ctx.paths());
  } catch (const Error&) {
  }
  if (clis.empty()) return "lwgw setup --all";
  std::string direct;
  for (const auto& c : clis)
    if (c.mode == "direct") direct += " " + c.cli;
  if (!direct.empty())
    return "lwgw setup --direct" + direct + "   (direct mode keeps a copy of the key)";
  return "lwgw smoke   (the proxy and the CLIs set up pick up the new key)";
}

void save_gateway_url(Context& ctx, const std::string& gateway) {
  const auto& file = ctx.paths().config_file;
  edit_config_file(ctx.paths(), [&](const std::string& before) {
    return config_text_set(before, *find_config_key("gateway.url"), gateway, file.string());
  });
}

int login(Context& ctx, const LoginOptions& o) {
  check_options(o);
  Config& cfg = ctx.config();
  if (!o.gateway.empty()) cfg.apply_flag("gateway.url", o.gateway, "--gateway");
  const std::string gateway = cfg.get_string("gateway.url");

  const std::string key = read_key(ctx, o, gateway);
  std::optional<KeyCheck> check;
  if (!o.no_verify) check = verify_before_storing(ctx, o, gateway, key);

  CredentialStore& store = ctx.credentials();
  store.set(kVirtualKey, key);
  if (!store.get(kLocalToken)) store.set(kLocalToken, generate_local_token());
  if (!o.gateway.empty()) save_gateway_url(ctx, gateway);

  LoginState state{gateway, store.describe(), "", "skipped"};
  if (check) {
    Verification v = make_verification(gateway, key, *check, "login");
    state.verified_at = v.at;
    state.verification = v.summary();
    save_verification(ctx.paths(), v);
  }
  save_login_state(ctx.paths(), state);

  const bool verified = check && check->kind == KeyCheck::Kind::kOk;
  // The answer listed the served models: `setup --model <TAB>` can offer them right away.
  if (verified && !check->models.empty())
    completion::save_served_models(ctx.paths(), gateway, check->models);
  const std::string why = !check     ? "--no-verify"
                          : verified ? ""
                                     : not_verified_reason(gateway, *check);
  if (!ctx.opts.json)
    *ctx.io.out << "lwgw: logged in to " << gateway << " with " << mask_key(key) << " (stored in "
                << store.describe() << ", " << (verified ? "verified" : "NOT verified: " + why)
                << ")\n";
  if (!verified)
    ctx.log().warn(
        "the key was stored without the gateway confirming it; `lwgw whoami` checks it again");
  if (!looks_like_vk(key))
    ctx.log().warn(
        "the key does not look like a LangWatch virtual key (vk-lw-… or lw_vk_…); it was stored "
        "as given");
  if (ctx.env.get("LWGW_VK") && !ctx.env.get("LWGW_VK")->empty())
    ctx.log().warn("LWGW_VK is set in this environment and overrides the stored key here");
  if (ctx.opts.json)
    *ctx.io.out << nlohmann::ordered_json{{"gateway", gateway},
                                          {"key", mask_key(key)},
                                          {"stored_in", store.describe()},
                                          {"verified", verified},
                                          {"not_verified_because", why},
                                          {"next", next_step(ctx)}}
                       .dump(2)
                << "\n";
  else
    *ctx.io.out << "next: " << next_step(ctx) << "\n";
  return 0;
}

}  // namespace

void configure_login(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<LoginOptions>();
  cmd.add_option("--gateway", o->gateway, "Gateway URL (saved as gateway.url)")->type_name("URL");
  cmd.add_flag("--key-stdin", o->key_stdin, "Read the key from standard input");
  cmd.add_option("--key-env", o->key_env, "Read the key from this environment variable")
      ->type_name("VAR");
  cmd.add_flag("--no-verify", o->no_verify, "Store without asking the gateway");
  cmd.add_flag("--verify", o->verify_strict, "Refuse to store when the gateway cannot be reached");
  cmd.add_option("--key", o->key_argv, "refused: keys never go in argv")->group("");
  cmd.footer(
      "The key is read without echo from the terminal, or from --key-stdin / --key-env; it is\n"
      "checked with GET /v1/models (401/403: not stored, exit 3) and kept in the OS keychain\n"
      "or a 0600 file (credentials.store). LWGW_VK overrides it for one process, never stored.\n"
      "When the gateway cannot be asked the key is stored and marked NOT verified (--verify\n"
      "refuses instead, exit 1). An https:// URL on a plain-HTTP port, or the reverse, is\n"
      "refused with the URL that works (exit 3).");
  cmd.callback([&ctx, &action, o] { action = [&ctx, o] { return login(ctx, *o); }; });
}

}  // namespace lwgw
