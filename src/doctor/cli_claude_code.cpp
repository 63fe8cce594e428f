// Claude Code's doctor checks: a second credential (auth conflict), a settings file that
// overrides lwgw's base URL or a base URL ending in /v1, and onboarding not completed.
#include "clis.hpp"
#include "net.hpp"
#include "support.hpp"

namespace lwgw::doctor {

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
#if defined(__APPLE__)
  const std::filesystem::path managed =
      "/Library/Application Support/ClaudeCode/managed-settings.json";
#else
  const std::filesystem::path managed = "/etc/claude-code/managed-settings.json";
#endif
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
  Result r = fail(
      found.front() + ": Claude Code sends it too, next to lwgw's" +
          (found.size() > 1 ? " (and " + std::to_string(found.size() - 1) + " more)" : ""),
      shell ? Fix{"unset it here, and remove it where it is exported", "unset ANTHROPIC_API_KEY"}
            : Fix{"remove it from that file", ""});
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
  const auto file = f.env.get_or("CLAUDE_CONFIG_DIR", "") != ""
                        ? f.paths.claude_config_dir / ".claude.json"
                        : f.paths.home / ".claude.json";
  auto doc = read_json(file);
  if (doc && doc->is_object() && doc->value("hasCompletedOnboarding", false))
    return ok("completed (" + f.show(file) + ")");
  return warn("onboarding not completed in " + f.show(file) +
                  ": the first interactive `claude` shows Anthropic's login screen",
              {"add \"hasCompletedOnboarding\": true to " + f.show(file), ""})
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

const CliDoctor& claude_code_doctor() {
  static const CliDoctor d{.cli = "claude-code",
                           .ca_vars = {"NODE_EXTRA_CA_CERTS"},
                           .install = "npm install -g @anthropic-ai/claude-code",
                           .base_url = base_url,
                           .key = key,
                           .models = models,
                           .traps = traps};
  return d;
}

}  // namespace lwgw::doctor
