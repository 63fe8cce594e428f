// Claude Code: `env` in settings.json ($CLAUDE_CONFIG_DIR), apiKeyHelper in direct mode; its
// models (main, background, the opus/sonnet alias targets) in the same `env`.
#include <functional>
#include <ostream>

#include "lwgw/clis/profile.hpp"
#include "lwgw/doctor/cli.hpp"
#include "lwgw/doctor/net.hpp"
#include "lwgw/doctor/support.hpp"
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

std::filesystem::path claude_state_file(const Paths& paths, const Env& env) {
  return env.get_or("CLAUDE_CONFIG_DIR", "") != "" ? paths.claude_config_dir / ".claude.json"
                                                   : paths.home / ".claude.json";
}

}  // namespace setup

// Claude Code's doctor checks: a second credential (auth conflict), a settings file that
// overrides lwgw's base URL or a base URL ending in /v1, and onboarding not completed.
namespace doctor {

namespace {

std::filesystem::path user_settings(const Facts& f) {
  return f.paths.claude_config_dir / "settings.json";
}

/// A settings file Claude Code reads, by precedence (highest first), and what to call it.
struct Scope {
  std::filesystem::path file;
  std::string name;
};

std::vector<Scope> scopes(const Facts& f) {
  const std::filesystem::path& managed = f.claude_managed_settings;
  return {
      {managed, "managed settings " + managed.string()},
      {f.cwd / ".claude" / "settings.local.json", "project settings ./.claude/settings.local.json"},
      {f.cwd / ".claude" / "settings.json", "project settings ./.claude/settings.json"},
      {user_settings(f), f.show(user_settings(f))}};
}

/// Which scope sets env.<name> first, and its value.
std::optional<std::pair<Scope, Located>> winner(const Facts& f, const std::string& name) {
  for (const auto& s : scopes(f))
    if (auto v = json_at(s.file, {"env", name})) return std::make_pair(s, *v);
  return std::nullopt;
}

std::optional<Located> base_url(const Facts& f) {
  return json_at(user_settings(f), {"env", "ANTHROPIC_BASE_URL"});
}

std::optional<Located> key(const Facts& f) {
  return json_at(user_settings(f), {"env", "ANTHROPIC_AUTH_TOKEN"});
}

std::vector<Located> models(const Facts& f) {
  std::vector<Located> out;
  for (const char* n :
       {"ANTHROPIC_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL", "ANTHROPIC_SMALL_FAST_MODEL"})
    if (auto w = winner(f, n)) out.push_back(w->second);
  return out;
}

/// Every place ANTHROPIC_API_KEY (or an apiKeyHelper next to lwgw's token) comes from.
std::vector<std::string> second_credentials(const Facts& f, Source& first) {
  std::vector<std::string> found;
  auto note = [&](const std::string& what, const std::string& file, int line) {
    if (found.empty()) first = Source{file, line};
    found.push_back(what);
  };
  if (f.env.get_or("ANTHROPIC_API_KEY", "") != "") {
    auto lines = where_set(f.paths, "ANTHROPIC_API_KEY");
    std::string from = lines.empty() ? ""
                                     : ", exported by " + f.show(lines[0].file) + ":" +
                                           std::to_string(lines[0].line);
    note("ANTHROPIC_API_KEY in this shell's environment" + from,
         lines.empty() ? "" : f.show(lines[0].file), lines.empty() ? 0 : lines[0].line);
  }
  for (const auto& s : scopes(f)) {
    if (auto v = json_at(s.file, {"env", "ANTHROPIC_API_KEY"}))
      note("env.ANTHROPIC_API_KEY in " + s.name, f.show(s.file), v->line);
    if (f.mode_of("claude-code") == "proxy")
      if (auto v = json_at(s.file, {"apiKeyHelper"}))
        note("apiKeyHelper in " + s.name, f.show(s.file), v->line);
  }
  return found;
}

Result auth_conflict(const Facts& f, const Done&) {
  if (auto s = unless_set_up(f, "claude-code")) return *s;
  Source first;
  auto found = second_credentials(f, first);
  if (found.empty()) return ok("only lwgw's credential is set");
  const bool shell = found.front().rfind("ANTHROPIC_API_KEY in this shell", 0) == 0;
  const bool mine = found.front() == "env.ANTHROPIC_API_KEY in " + f.show(user_settings(f));
  Result r = fail(
      found.front() + ": Claude Code sends it too, next to lwgw's" +
          (found.size() > 1 ? " (and " + std::to_string(found.size() - 1) + " more)" : ""),
      shell  ? Fix{"unset it here, and remove it where it is exported", "unset ANTHROPIC_API_KEY"}
      : mine ? Fix{"let setup take it out of the settings lwgw manages (teardown puts it back)",
                   "lwgw setup claude-code --yes"}
             : Fix{"remove it from that file (lwgw never edits project or managed settings)", ""});
  if (!first.file.empty()) r.source = first;
  return r.with("found", found);
}

ojson winners(const Facts& f) {
  ojson out = ojson::object();
  for (const char* n : {"ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY",
                        "ANTHROPIC_MODEL", "NO_PROXY"}) {
    auto w = winner(f, n);
    if (w)
      out[n] = {{"from", w->first.name}, {"value", shown_value(n, w->second.value)}};
    else if (f.env.get(n))
      out[n] = {{"from", "this shell"}, {"value", shown_env(f.env, n)}};
  }
  return out;
}

Result base_url_check(const Facts& f, const Done&) {
  if (auto s = unless_set_up(f, "claude-code")) return *s;
  auto w = winner(f, "ANTHROPIC_BASE_URL");
  auto mine = base_url(f);
  if (!w || !mine)
    return fail("no ANTHROPIC_BASE_URL in any settings file: Claude Code talks to Anthropic",
                {"set it up again", "lwgw setup claude-code"})
        .with("winners", winners(f));
  if (w->first.file != user_settings(f) && w->second.value != mine->value)
    return fail(w->first.name + " sets ANTHROPIC_BASE_URL to " + net::safe_url(w->second.value) +
                    ", which overrides lwgw's " + net::safe_url(mine->value),
                {"remove it from that file (lwgw never writes project or managed settings)", ""})
        .at(f.show(w->first.file), w->second.line)
        .with("winners", winners(f));
  std::string v = w->second.value;
  while (!v.empty() && v.back() == '/') v.pop_back();
  if (v.size() >= 3 && v.compare(v.size() - 3, 3, "/v1") == 0)
    return fail("ANTHROPIC_BASE_URL ends in /v1: Claude Code appends /v1/messages itself",
                {"set it up again (lwgw writes the root)", "lwgw setup claude-code"})
        .at(f.show(w->first.file), w->second.line)
        .with("winners", winners(f));
  return ok(net::safe_url(w->second.value) + " from " + w->first.name).with("winners", winners(f));
}

Result onboarding(const Facts& f, const Done&) {
  if (auto s = unless_set_up(f, "claude-code")) return *s;
  const auto file = setup::claude_state_file(f.paths, f.env);
  auto doc = read_json(file);
  if (doc && doc->is_object() && doc->value("hasCompletedOnboarding", false))
    return ok("completed (" + f.show(file) + ")");
  return warn("onboarding not completed in " + f.show(file) +
                  ": the first interactive `claude` shows Anthropic's login screen",
              {"set it up again (setup sets the flag; teardown takes it out)",
               "lwgw setup claude-code"})
      .at(f.show(file));
}

std::vector<Check> traps() {
  return {{.id = "claude-code.auth_conflict",
           .group = "claude-code",
           .title = "no ANTHROPIC_API_KEY or apiKeyHelper next to lwgw's token",
           .run = auth_conflict},
          {.id = "claude-code.base_url",
           .group = "claude-code",
           .title = "no project or managed settings override the base URL; no /v1 at its end",
           .run = base_url_check},
          {.id = "claude-code.onboarding",
           .group = "claude-code",
           .title = "onboarding completed in ~/.claude.json",
           .run = onboarding}};
}

}  // namespace

}  // namespace doctor

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
  // --yes: the API key that would go out next to lwgw's token leaves the settings lwgw manages
  // (recorded, so teardown puts it back).
  if (in.fix) edits.push_back({.cli = "claude-code", .path = {"env", "ANTHROPIC_API_KEY"}});
  // Without the onboarding flag the first interactive `claude` asks for an Anthropic login.
  setup::FileOp onboarding{
      .path = setup::claude_state_file(in.ctx.paths(), in.ctx.env),
      .kind = setup::FileKind::kJson,
      .owner = "claude-code",
      .edits = {{.cli = "claude-code", .path = {"hasCompletedOnboarding"}, .value = true}}};
  return {{.path = settings_file(in),
           .kind = setup::FileKind::kJson,
           .owner = "claude-code",
           .edits = edits,
           .secret = t.mode == setup::Mode::kProxy,
           .paste_hint = {.key = t.key, .shown_as = "<the output of `lwgw env --api-key`>"}},
          std::move(onboarding)};
}

// An API key next to lwgw's token makes Claude Code send both headers.
void after_setup(const SetupInputs& in, const std::vector<WrittenFile>& written) {
  for (const auto& w : written) {
    nlohmann::ordered_json doc;
    if (!setup::parse_json(w.text, doc) && setup::json_get(doc, {"env", "ANTHROPIC_API_KEY"}))
      in.ctx.log().warn(w.label +
                        " sets env.ANTHROPIC_API_KEY: Claude Code then sends it as "
                        "x-api-key next to lwgw's token; remove it, or run `lwgw setup "
                        "claude-code --yes` to let lwgw take it out (teardown puts it back)");
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
      .doctor = {.ca_vars = {"NODE_EXTRA_CA_CERTS"},
                 .install = "npm install -g @anthropic-ai/claude-code",
                 .base_url = doctor::base_url,
                 .key = doctor::key,
                 .models = doctor::models,
                 .traps = doctor::traps},
  };
  return p;
}

}  // namespace clis

}  // namespace lwgw
