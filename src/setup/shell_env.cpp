// The shell side of setup: the env file's exports and the rc hooks that source it.
#include <algorithm>
#include <cctype>

#include "lwgw/setup/edits.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::setup {

namespace {

std::string sh_single_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string fish_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// "$HOME/rel" (double-quoted, for sh and fish alike) when under home, else the absolute path.
std::string home_relative(const std::filesystem::path& p, const std::filesystem::path& home,
                          bool fish) {
  auto esc = [&](const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '"' || c == '\\' || c == '$' || (!fish && c == '`')) out += '\\';
      out += c;
    }
    return out;
  };
  std::string ps = p.lexically_normal().string();
  std::string raw_home = home.lexically_normal().string();
  std::string hs = util::trim_trailing_slashes(raw_home);
  if (hs.empty()) hs = raw_home.substr(0, 1);  // "/" stays "/"
  if (ps.rfind(hs + "/", 0) == 0) return "\"$HOME/" + esc(ps.substr(hs.size() + 1)) + "\"";
  return "\"" + esc(ps) + "\"";
}

constexpr const char* kAdded =
    "# Added by `lwgw setup`; `lwgw teardown` removes it. The gateway settings of your coding "
    "CLIs.";

}  // namespace

std::string sh_quote(const std::string& s) {
  bool safe = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string("/._-+:,@%=").find(c) != std::string::npos;
  });
  return safe ? s : sh_single_quote(s);
}

std::string default_shell(const Env& env) {
  std::string sh = env.get_or("SHELL", "");
  auto slash = sh.rfind('/');
  if (slash != std::string::npos) sh = sh.substr(slash + 1);
  if (sh == "bash" || sh == "zsh" || sh == "fish") return sh;
  return "bash";
}

EnvVars env_vars(const Target& t, const std::vector<EnvNeed>& needs) {
  EnvVars v;
  for (const EnvNeed& n : needs) {
    auto same = [&](const auto& kv) { return kv.first == n.name; };
    if (std::any_of(v.vars.begin(), v.vars.end(), same)) continue;
    v.vars.emplace_back(n.name, n.value == EnvNeed::Value::kRoot ? t.root : t.key);
  }
  return v;
}

std::string env_script(const std::string& shell, const EnvVars& vars) {
  std::string out =
      "# lwgw: environment for the coding CLIs set up by `lwgw setup` (written by lwgw; do not "
      "edit).\n";
  if (shell == "fish") {
    for (const auto& [k, v] : vars.vars) out += "set -gx " + k + " " + fish_quote(v) + "\n";
    for (const char* n : {"NO_PROXY", "no_proxy"})
      out += std::string("if not string match -q -- '*127.0.0.1*' \"$") + n + "\"\n    set -gx " +
             n + " (string join , -- $" + n + " 127.0.0.1 localhost ::1)\nend\n";
  } else {
    for (const auto& [k, v] : vars.vars) out += "export " + k + "=" + sh_single_quote(v) + "\n";
    for (const char* n : {"NO_PROXY", "no_proxy"})
      out += std::string("case \",${") + n + ":-},\" in *,127.0.0.1,*) ;; *) export " + n +
             "=\"${" + n + ":+$" + n + ",}127.0.0.1,localhost,::1\" ;; esac\n";
  }
  return out;
}

std::string rc_source_body(const std::string& /*shell*/, const std::filesystem::path& env_file,
                           const std::filesystem::path& home) {
  std::string p = home_relative(env_file, home, false);
  return std::string(kAdded) + "\nif [ -f " + p + " ]; then . " + p + "; fi\n";
}

std::string fish_conf_file(const std::filesystem::path& env_file,
                           const std::filesystem::path& home) {
  std::string p = home_relative(env_file, home, true);
  return std::string(kAdded) + "\nif test -f " + p + "\n    source " + p + "\nend\n";
}

}  // namespace lwgw::setup
