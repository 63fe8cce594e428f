// Claude Code: `env` in settings.json ($CLAUDE_CONFIG_DIR), apiKeyHelper in direct mode; its
// models (main, background, the opus/sonnet alias targets) in the same `env`.
#include <functional>
#include <ostream>

#include "lwgw/clis/profile.hpp"
#include "lwgw/fs.hpp"
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

using ojson = nlohmann::ordered_json;

constexpr const char* kBinary = "claude";

// The alias targets Claude Code resolves `opus` / `sonnet` (its model picker, subagents) with.
constexpr const char* kOpusKey = "ANTHROPIC_DEFAULT_OPUS_MODEL";
constexpr const char* kSonnetKey = "ANTHROPIC_DEFAULT_SONNET_MODEL";

std::filesystem::path settings_file(const SetupInputs& in) {
  return in.ctx.paths().claude_config_dir / "settings.json";
}

std::string env_string(const ojson& doc, const char* key) {
  auto v = setup::json_get(doc, {"env", key});
  return v && v->is_string() ? v->get<std::string>() : "";
}

// settings.json's own `model` ("opus", "sonnet[1m]", or a full name), which ANTHROPIC_MODEL
// overrides. An alias counts as the served model it resolves to, when there is one.
std::optional<setup::Configured> settings_model(const SetupInputs& in, const ojson& doc) {
  auto v = setup::json_get(doc, {"model"});
  if (!v || !v->is_string() || v->get<std::string>().empty()) return std::nullopt;
  std::string m = v->get<std::string>();
  if (m.find("claude") != std::string::npos) return setup::Configured{.id = m, .elsewhere = true};
  std::string word = m.substr(0, m.find('['));
  if (word == "opusplan") word = "opus";
  if (word != "opus" && word != "sonnet" && word != "haiku") return std::nullopt;  // "default"
  const std::string target = env_string(doc, word == "opus"     ? kOpusKey
                                             : word == "sonnet" ? kSonnetKey
                                                                : "ANTHROPIC_DEFAULT_HAIKU_MODEL");
  const auto& served = in.models;
  if (in.models_from_gateway && !target.empty() &&
      std::count(served.begin(), served.end(), target) > 0)
    return setup::Configured{.id = target, .elsewhere = true};
  auto best = setup::ranked(served, setup::Family::kClaude,
                            word == "haiku" ? setup::Tier::kSmall : setup::Tier::kMain, word);
  if (in.models_from_gateway && !best.empty())
    return setup::Configured{.id = best.front(), .elsewhere = true};
  return setup::Configured{.id = m, .elsewhere = true};
}

std::map<std::string, setup::Configured> configured(const SetupInputs& in) {
  std::map<std::string, setup::Configured> out;
  ojson doc;
  if (setup::parse_json(fs::read_file(settings_file(in)).value_or(""), doc) || !doc.is_object())
    return out;  // planning reports a malformed file
  if (std::string m = env_string(doc, "ANTHROPIC_MODEL"); !m.empty())
    out["model"] = {.id = m};
  else if (auto s = settings_model(in, doc))
    out["model"] = *s;
  std::string bg = env_string(doc, "ANTHROPIC_DEFAULT_HAIKU_MODEL");
  if (bg.empty()) bg = env_string(doc, "ANTHROPIC_SMALL_FAST_MODEL");
  if (!bg.empty()) out["background"] = {.id = bg};
  if (std::string o = env_string(doc, kOpusKey); !o.empty()) out["opus"] = {.id = o};
  if (std::string o = env_string(doc, kSonnetKey); !o.empty()) out["sonnet"] = {.id = o};
  return out;
}

std::vector<setup::FileOp> files(const SetupInputs& in) {
  const setup::Target& t = in.target;
  auto edits = setup::claude_edits(t, in.write("model"), in.write("background"),
                                   http::no_proxy_with_loopback(in.ctx.env.get_or(
                                       "NO_PROXY", in.ctx.env.get_or("no_proxy", ""))));
  for (const auto& [slot, key] : {std::pair{"opus", kOpusKey}, std::pair{"sonnet", kSonnetKey}})
    if (std::string id = in.write(slot); !id.empty())
      edits.push_back({.cli = "claude-code", .path = {"env", key}, .value = id});
  return {{.path = settings_file(in),
           .kind = setup::FileKind::kJson,
           .owner = "claude-code",
           .edits = edits,
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
      .models =
          {.family = setup::Family::kClaude,
           .slots = {{.name = "model"},
                     {.name = "background", .tier = setup::Tier::kSmall, .from_small_flag = true},
                     {.name = "opus", .word = "opus", .optional = true},
                     {.name = "sonnet", .word = "sonnet", .optional = true}},
           .configured = configured},
  };
  return p;
}

}  // namespace clis

}  // namespace lwgw
