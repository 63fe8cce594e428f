// What setup writes for each CLI, the env file / `lwgw env` exports, and how `exec` runs a CLI.
#include <openssl/evp.h>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>

#include "lwgw/error.hpp"
#include "lwgw/setup.hpp"
#include "lwgw/toml_edit.hpp"
#include "lwgw/util/diff.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::setup {

using ojson = nlohmann::ordered_json;

const std::vector<std::string>& default_models() {
  static const std::vector<std::string> models = {"gpt-5-mini", "gpt-5",
                                                  "claude-sonnet-4-5-20250929",
                                                  "claude-haiku-4-5-20251001", "gemini-2.5-flash"};
  return models;
}

namespace {

// A word for a POSIX shell: bare when safe, else single-quoted.
std::string sh_quote(const std::string& s) {
  bool safe = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string("/._-+:,@%=").find(c) != std::string::npos;
  });
  if (safe) return s;
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

std::vector<Edit> claude_edits(const Target& t, const std::string& model,
                               const std::string& small_model) {
  std::vector<Edit> e;
  auto add = std::function([&](std::vector<std::string> path, std::optional<ojson> v) {
    Edit ed;
    ed.cli = "claude-code";
    ed.path = std::move(path);
    ed.value = std::move(v);
    e.push_back(std::move(ed));
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
  if (!model.empty()) add({"env", "ANTHROPIC_MODEL"}, model);
  if (!small_model.empty()) {
    add({"env", "ANTHROPIC_DEFAULT_HAIKU_MODEL"}, small_model);
    add({"env", "ANTHROPIC_SMALL_FAST_MODEL"}, small_model);
  }
  return e;
}

std::vector<Edit> codex_edits(const Target& t, const std::string& model,
                              const std::vector<std::string>& fix_chat) {
  std::vector<Edit> e;
  auto add = [&](std::vector<std::string> path, const std::string& literal) {
    Edit ed;
    ed.cli = "codex";
    ed.path = std::move(path);
    ed.value = literal;
    e.push_back(std::move(ed));
  };
  add({"model_provider"}, toml_edit::quote("lwgw"));
  if (!model.empty()) add({"model"}, toml_edit::quote(model));
  add({"model_providers", "lwgw", "name"}, toml_edit::quote("LangWatch AI Gateway (lwgw)"));
  add({"model_providers", "lwgw", "base_url"}, toml_edit::quote(t.root + "/v1"));
  add({"model_providers", "lwgw", "env_key"}, toml_edit::quote(kKeyEnv));
  add({"model_providers", "lwgw", "wire_api"}, toml_edit::quote("responses"));
  for (const auto& id : fix_chat)
    if (id != "lwgw") add({"model_providers", id, "wire_api"}, toml_edit::quote("responses"));
  return e;
}

std::vector<Edit> gemini_edits() {
  std::vector<Edit> e(2);
  e[0].cli = e[1].cli = "gemini-cli";
  e[0].path = {"security", "auth", "selectedType"};
  e[0].value = "gemini-api-key";
  e[1].path = {"privacy", "usageStatisticsEnabled"};
  e[1].value = false;
  return e;
}

ojson opencode_provider(const Target& t, const std::vector<std::string>& models) {
  ojson p = ojson::object();
  p["npm"] = "@ai-sdk/openai-compatible";
  p["name"] = "LangWatch AI Gateway (lwgw)";
  p["options"] = ojson::object();
  p["options"]["baseURL"] = t.root + "/v1";
  p["options"]["apiKey"] = std::string("{env:") + kKeyEnv + "}";
  p["models"] = ojson::object();
  for (const auto& m : models) p["models"][m] = ojson{{"name", m}};
  return p;
}

std::vector<Edit> opencode_edits(const Target& t, const std::vector<std::string>& models,
                                 const std::string& model) {
  std::vector<Edit> e(1);
  e[0].cli = "opencode";
  e[0].path = {"provider", "lwgw"};
  e[0].value = opencode_provider(t, models);
  if (!model.empty()) {
    Edit m;
    m.cli = "opencode";
    m.path = {"model"};
    m.value = "lwgw/" + model;
    e.push_back(m);
  }
  return e;
}

std::string aider_block(const Target& t, const std::string& model) {
  std::string b = "# Added by `lwgw setup aider`; `lwgw teardown aider` removes it.\n";
  b += "openai-api-base: " + yaml_quote(t.root + "/v1") + "\n";
  b += "openai-api-key: " + yaml_quote(t.key) + "\n";
  if (!model.empty()) b += "model: " + yaml_quote("openai/" + model) + "\n";
  return b;
}

std::string default_shell(const Env& env) {
  std::string sh = env.get_or("SHELL", "");
  auto slash = sh.rfind('/');
  if (slash != std::string::npos) sh = sh.substr(slash + 1);
  if (sh == "bash" || sh == "zsh" || sh == "fish") return sh;
  return "bash";
}

EnvVars env_vars(const Target& t, bool gemini, const Env& env) {
  EnvVars v;
  v.vars.emplace_back(kKeyEnv, t.key);
  if (gemini) {
    v.vars.emplace_back("GOOGLE_GEMINI_BASE_URL", t.root);
    v.vars.emplace_back("GEMINI_API_KEY", t.key);
  }
  for (const char* p :
       {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"})
    if (!env.get_or(p, "").empty()) v.no_proxy = true;
  return v;
}

std::string env_script(const std::string& shell, const EnvVars& vars) {
  std::string out =
      "# lwgw: environment for the coding CLIs set up by `lwgw setup` (written by lwgw; do not "
      "edit).\n";
  if (shell == "fish") {
    for (const auto& [k, v] : vars.vars) out += "set -gx " + k + " " + fish_quote(v) + "\n";
    if (vars.no_proxy)
      for (const char* n : {"NO_PROXY", "no_proxy"})
        out += std::string("if not string match -q -- '*127.0.0.1*' \"$") + n + "\"\n    set -gx " +
               n + " (string join , -- $" + n + " 127.0.0.1 localhost)\nend\n";
  } else {
    for (const auto& [k, v] : vars.vars) {
      std::string q = "'";
      for (char c : v) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += "export " + k + "=" + q + "'\n";
    }
    if (vars.no_proxy)
      for (const char* n : {"NO_PROXY", "no_proxy"})
        out += std::string("case \",${") + n + ":-},\" in *,127.0.0.1,*) ;; *) export " + n +
               "=\"${" + n + ":+$" + n + ",}127.0.0.1,localhost\" ;; esac\n";
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

// exec ----------------------------------------------------------------------------------------

ExecPlan exec_plan(const std::string& cli, const Target& t, const std::vector<std::string>& args,
                   const Env& env, const std::filesystem::path& runtime_dir,
                   const std::optional<std::string>& gemini_user_settings) {
  ExecPlan p;
  p.env = env;
  if (cli == "claude-code") {
    p.argv = {"claude"};
    p.env.set("ANTHROPIC_BASE_URL", t.root);
    p.env.set("ANTHROPIC_AUTH_TOKEN", t.key);
    p.env.unset("ANTHROPIC_API_KEY");  // both headers would go out
    p.env.set("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
  } else if (cli == "codex") {
    p.argv = {"codex", "-c", "model_provider=" + toml_edit::quote("lwgw"), "-c",
              "model_providers.lwgw={ name = " + toml_edit::quote("LangWatch AI Gateway (lwgw)") +
                  ", base_url = " + toml_edit::quote(t.root + "/v1") +
                  ", env_key = " + toml_edit::quote(kKeyEnv) +
                  ", wire_api = " + toml_edit::quote("responses") + " }"};
    p.env.set(kKeyEnv, t.key);
  } else if (cli == "gemini-cli") {
    p.argv = {"gemini"};
    p.env.set("GOOGLE_GEMINI_BASE_URL", t.root);
    p.env.set("GEMINI_API_KEY", t.key);
    // With a custom base URL Gemini CLI insists on selectedType = gemini-api-key in a settings
    // file. Its system settings files are ignored unless they and every directory above them are
    // owned by root and not group/world-writable (0.61), so a per-user override cannot go there.
    // Instead GEMINI_CLI_HOME points at a shadow home in the runtime dir whose .gemini holds the
    // user's settings with that key merged in (exec links the other entries of ~/.gemini), so
    // the user's files stay untouched.
    ojson doc = ojson::object();
    if (gemini_user_settings) {
      ojson user;
      if (!parse_json(*gemini_user_settings, user) && user.is_object()) doc = user;
    }
    std::vector<Edit> edits = gemini_edits();
    std::string text = json_apply(doc.dump(2) + "\n", edits);
    auto shadow = runtime_dir / "gemini-home";
    p.env.set("GEMINI_CLI_HOME", shadow.string());
    p.file = std::make_pair(shadow / ".gemini" / "settings.json", text);
  } else if (cli == "opencode") {
    p.argv = {"opencode"};
    ojson provider = opencode_provider(t, default_models());
    // The key goes literally into this process's environment only: {env:} substitution inside
    // OPENCODE_CONFIG_CONTENT is not reliable across opencode versions.
    provider["options"]["apiKey"] = t.key;
    ojson cfg = ojson::object();
    cfg["provider"] = ojson::object();
    cfg["provider"]["lwgw"] = provider;
    p.env.set("OPENCODE_CONFIG_CONTENT", cfg.dump());
    p.env.set(kKeyEnv, t.key);
  } else if (cli == "aider") {
    p.argv = {"aider"};
    p.env.set("AIDER_OPENAI_API_BASE", t.root + "/v1");
    p.env.set("AIDER_OPENAI_API_KEY", t.key);
  } else if (cli == "cursor") {
    throw usage_error(
        "Cursor has no command line to run: its requests come from Cursor's servers. Run "
        "`lwgw setup cursor` for what to paste into its settings");
  } else {
    throw usage_error("unknown CLI: " + cli);
  }
  p.argv.insert(p.argv.end(), args.begin(), args.end());
  return p;
}

// diff ----------------------------------------------------------------------------------------

std::string unified_diff(const std::string& a, const std::string& b, const std::string& label_a,
                         const std::string& label_b) {
  return util::unified_diff(a, b, label_a, label_b);
}

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    out += buf;
  }
  return out;
}

}  // namespace lwgw::setup
