// `lwgw login`: store the gateway URL and the virtual key, after asking the gateway about it.
#include <CLI/CLI.hpp>
#include <iostream>

#include "lwgw/commands/table.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/util/clock.hpp"
#include "lwgw/util/text.hpp"

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
  return key;
}

int login(Context& ctx, const LoginOptions& o) {
  if (!o.key_argv.empty()) {
    register_secret(o.key_argv);
    throw usage_error(
        "lwgw never takes a key as an argument (it would land in shell history and `ps`); "
        "use --key-stdin, --key-env VAR, or the prompt");
  }
  if (o.key_stdin && !o.key_env.empty()) throw usage_error("use either --key-stdin or --key-env");
  if (o.no_verify && o.verify_strict) throw usage_error("use either --verify or --no-verify");
  Config& cfg = ctx.config();
  if (!o.gateway.empty()) cfg.apply_flag("gateway.url", o.gateway, "--gateway");
  const std::string gateway = cfg.get_string("gateway.url");

  const std::string key = read_key(ctx, o, gateway);
  if (!looks_like_vk(key))
    ctx.log().warn(
        "the key does not look like a LangWatch virtual key (vk-lw-… or lw_vk_…); "
        "storing it anyway");

  LoginState state{gateway, "", "", "skipped"};
  if (!o.no_verify) {
    KeyCheck check = check_key(gateway, key, cfg, ctx.env);
    state.verified_at = util::utc_now_iso();
    switch (check.kind) {
      case KeyCheck::Kind::kOk:
        state.verification = "ok";
        break;
      case KeyCheck::Kind::kRejected:
        throw config_error("the gateway at " + gateway + " rejected the key (HTTP " +
                           std::to_string(check.status) + "): " + check.message +
                           "; nothing was stored");
      case KeyCheck::Kind::kUnreachable:
      case KeyCheck::Kind::kUnexpected: {
        std::string why = check.kind == KeyCheck::Kind::kUnreachable
                              ? "could not reach " + gateway + " (" + check.message + ")"
                              : gateway + " answered GET /v1/models with " + check.message;
        if (o.verify_strict) throw failure(why + "; nothing was stored (--verify)");
        ctx.log().warn(why + "; storing the key anyway. Check later with `lwgw smoke`.");
        state.verification =
            (check.kind == KeyCheck::Kind::kUnreachable ? "unreachable: " : "unexpected: ") +
            check.message;
        break;
      }
    }
  }

  CredentialStore& store = ctx.credentials();
  store.set(kVirtualKey, key);
  if (!store.get(kLocalToken)) store.set(kLocalToken, generate_local_token());
  state.store = store.describe();

  if (!o.gateway.empty()) {
    const auto& file = ctx.paths().config_file;
    std::string before = fs::read_file(file).value_or("");
    std::string after =
        config_text_set(before, *find_config_key("gateway.url"), gateway, file.string());
    if (after != before) fs::atomic_write(file, after, 0600);
  }
  save_login_state(ctx.paths(), state);

  *ctx.io.out << "lwgw: logged in to " << gateway << " with " << mask_key(key) << " (stored in "
              << store.describe() << (state.verification == "ok" ? ", verified" : "") << ")\n";
  if (ctx.env.get("LWGW_VK") && !ctx.env.get("LWGW_VK")->empty())
    ctx.log().warn("LWGW_VK is set in this environment and overrides the stored key here");
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
      "or a 0600 file (credentials.store). LWGW_VK overrides it for one process, never stored.");
  cmd.callback([&ctx, &action, o] { action = [&ctx, o] { return login(ctx, *o); }; });
}

}  // namespace lwgw
