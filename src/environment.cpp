// Env and Paths: the injected environment and the XDG layout derived from it.
#include "lwgw/environment.hpp"

#include "lwgw/error.hpp"

namespace lwgw {

namespace fs = std::filesystem;

Env Env::from_environ(char** envp) {
  std::map<std::string, std::string> vars;
  for (char** e = envp; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    vars.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return Env(std::move(vars));
}

std::optional<std::string> Env::get(const std::string& name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

std::string Env::get_or(const std::string& name, const std::string& fallback) const {
  auto v = get(name);
  return v && !v->empty() ? *v : fallback;
}

namespace {
// XDG says relative values are invalid and must be ignored.
fs::path xdg_dir(const Env& env, const char* name, const fs::path& fallback) {
  auto v = env.get(name);
  if (v && !v->empty() && fs::path(*v).is_absolute()) return fs::path(*v);
  return fallback;
}
}  // namespace

Paths resolve_paths(const Env& env) {
  auto home = env.get("HOME");
  if (!home || home->empty() || !fs::path(*home).is_absolute())
    throw config_error("HOME is not set to an absolute path; lwgw needs it to find its files");
  Paths p;
  p.home = fs::path(*home);
  p.xdg_config_home = xdg_dir(env, "XDG_CONFIG_HOME", p.home / ".config");
  p.config_dir = p.xdg_config_home / "lwgw";
  p.config_file = p.config_dir / "config.toml";
  if (auto c = env.get("LWGW_CONFIG"); c && !c->empty()) p.config_file = fs::path(*c);
  p.system_config = fs::path(env.get_or("LWGW_SYSTEM_CONFIG", "/etc/lwgw/config.toml"));
  p.credentials_file = p.config_dir / "credentials";
  p.state_dir = xdg_dir(env, "XDG_STATE_HOME", p.home / ".local" / "state") / "lwgw";
  auto runtime = env.get("XDG_RUNTIME_DIR");
  p.runtime_dir = (runtime && !runtime->empty() && fs::path(*runtime).is_absolute())
                      ? fs::path(*runtime) / "lwgw"
                      : p.state_dir;
  p.codex_home = xdg_dir(env, "CODEX_HOME", p.home / ".codex");
  p.claude_config_dir = xdg_dir(env, "CLAUDE_CONFIG_DIR", p.home / ".claude");
  p.zdotdir = xdg_dir(env, "ZDOTDIR", p.home);
  return p;
}

std::string display_path(const fs::path& p, const fs::path& home) {
  std::string s = p.string();
  std::string h = home.string();
  if (!h.empty() && s.rfind(h, 0) == 0 && (s.size() == h.size() || s[h.size()] == '/'))
    return "~" + s.substr(h.size());
  return s;
}

}  // namespace lwgw
