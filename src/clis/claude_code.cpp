// Claude Code: `env` in settings.json ($CLAUDE_CONFIG_DIR), apiKeyHelper in direct mode.
#include <functional>
#include <ostream>

#include "lwgw/clis/profile.hpp"
#include "lwgw/http_client.hpp"

namespace lwgw {

namespace setup {

using ojson = nlohmann::ordered_json;

std::vector<Edit> claude_edits(const Target& t, const std::string& model,
                               const std::string& small_model, const std::string& no_proxy) {
  std::vector<Edit> e;
  auto add = std::function([&](std::vector<std::string> path, std::optional<ojson> v) {
    e.push_back({.cli = "claude-code", .path = std::move(path), .value = std::move(v)});
  });
  add({"env", "ANTHROPIC_BASE_URL"}, t.root);
  if (t.mode == Mode::kProxy) {
    add({"env", "ANTHROPIC_AUTH_TOKEN"}, t.key);
  } else {
    // The key comes from lwgw on demand, so no VK is stored in the file. The env token would
    // take precedence over the helper, so it must not be there.
    add({"env", "ANTHROPIC_AUTH_TOKEN"}, std::nullopt);
    add({"apiKeyHelper"}, sh_quote(t.self_exe) + " env --api-key --direct");
  }
  add({"env", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"}, "1");
  // Settings env replaces the process's: the user's own entries (at setup time) stay in it.
  if (t.mode == Mode::kProxy && !no_proxy.empty()) add({"env", "NO_PROXY"}, no_proxy);
  if (!model.empty()) add({"env", "ANTHROPIC_MODEL"}, model);
  if (!small_model.empty()) {
    add({"env", "ANTHROPIC_DEFAULT_HAIKU_MODEL"}, small_model);
    add({"env", "ANTHROPIC_SMALL_FAST_MODEL"}, small_model);
  }
  return e;
}

}  // namespace setup

namespace clis {

namespace {

constexpr const char* kBinary = "claude";

std::vector<setup::FileOp> files(const SetupInputs& in) {
  const setup::Target& t = in.target;
  return {{.path = in.ctx.paths().claude_config_dir / "settings.json",
           .kind = setup::FileKind::kJson,
           .owner = "claude-code",
           .edits = setup::claude_edits(t, in.model, in.small_model,
                                        http::no_proxy_with_loopback(in.ctx.env.get_or(
                                            "NO_PROXY", in.ctx.env.get_or("no_proxy", "")))),
           .secret = t.mode == setup::Mode::kProxy,
           .paste_hint = {.key = t.key, .shown_as = "<the output of `lwgw env --api-key`>"}}};
}

// An API key next to lwgw's token makes Claude Code send both headers.
void after_setup(const SetupInputs& in, const std::vector<WrittenFile>& written) {
  for (const auto& w : written) {
    nlohmann::ordered_json doc;
    if (!setup::parse_json(w.text, doc) && setup::json_get(doc, {"env", "ANTHROPIC_API_KEY"}))
      in.ctx.log().warn(w.label +
                        " sets env.ANTHROPIC_API_KEY: Claude Code then sends it as "
                        "x-api-key next to lwgw's token; remove it");
  }
  if (in.ctx.env.get_or("ANTHROPIC_API_KEY", "") != "")
    in.ctx.log().warn(
        "ANTHROPIC_API_KEY is set in your environment: Claude Code then sends it as "
        "x-api-key next to lwgw's token; unset it (lwgw never sets it)");
}

setup::ExecPlan exec(const ExecInputs& in) {
  setup::ExecPlan p{.argv = {kBinary}, .env = in.env};
  p.env.set("ANTHROPIC_BASE_URL", in.target.root);
  p.env.set("ANTHROPIC_AUTH_TOKEN", in.target.key);
  p.env.unset("ANTHROPIC_API_KEY");  // both headers would go out
  p.env.set("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
  return p;
}

}  // namespace

const CliProfile& claude_code() {
  static const CliProfile p{
      .name = "claude-code",
      .aliases = {"claude"},
      .title = "Claude Code",
      .binary = kBinary,
      .files = files,
      .after_setup = after_setup,
      .exec = exec,
      .hints = {.next = " (settings.json applies to new sessions)"},
      .models = {.small_model = true},
  };
  return p;
}

}  // namespace clis

}  // namespace lwgw
