// `lwgw env`: print the exports for eval.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

#include "lwgw/clis/profile.hpp"
#include "lwgw/commands/table.hpp"
#include "lwgw/setup/engine.hpp"

namespace lwgw {

namespace {
struct EnvOptions {
  std::string shell;
  bool direct = false;
  bool api_key = false;
};

int print_env(Context& ctx, const EnvOptions& o) {
  // Both outputs exist to hand over a secret: they bypass redaction on purpose.
  setup::Target t =
      setup::resolve_target(ctx, {.mode = o.direct ? setup::Mode::kDirect : setup::Mode::kProxy});
  if (ctx.opts.json) {  // {"NAME": "value"}; with --api-key {"key": "…"}
    nlohmann::ordered_json doc = nlohmann::ordered_json::object();
    if (o.api_key)
      doc["key"] = t.key;
    else
      for (const auto& [name, value] : setup::env_vars(t, clis::env_needs(clis::all())).vars)
        doc[name] = value;
    *ctx.io.raw_out << doc.dump(2) << "\n";
    ctx.io.raw_out->flush();
    return 0;
  }
  if (o.api_key) {
    *ctx.io.raw_out << t.key << "\n";
    ctx.io.raw_out->flush();
    return 0;
  }
  std::string shell = o.shell.empty() ? setup::default_shell(ctx.env) : o.shell;
  *ctx.io.raw_out << setup::env_script(shell, setup::env_vars(t, clis::env_needs(clis::all())));
  ctx.io.raw_out->flush();
  return 0;
}
}  // namespace

void configure_env(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<EnvOptions>();
  cmd.add_option("--shell", o->shell, "Syntax of the exports (default: from $SHELL)")
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd.add_flag("--direct", o->direct, "Gateway URL and key instead of the local proxy");
  // For Claude Code's apiKeyHelper (direct mode): prints only the key.
  cmd.add_flag("--api-key", o->api_key, "Print only the key for the mode")->group("");
  cmd.footer(
      "Prints LWGW_API_KEY (the local token, or the virtual key with --direct) and the Gemini CLI\n"
      "variables; NO_PROXY gains 127.0.0.1,localhost when a proxy is set. Use: eval \"$(lwgw "
      "env)\"");
  cmd.callback([&ctx, &action, o] { action = [&ctx, o] { return print_env(ctx, *o); }; });
}

}  // namespace lwgw
