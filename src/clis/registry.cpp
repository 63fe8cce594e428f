// The table of coding CLI profiles, and the lookups over it.
#include <algorithm>

#include "lwgw/clis/profile.hpp"
#include "lwgw/http_client.hpp"
#include "lwgw/util/suggest.hpp"

namespace lwgw {

namespace clis {

// One per file in src/clis/. A new CLI: declare its profile here and add it to the table.
const CliProfile& claude_code();
const CliProfile& codex();
const CliProfile& gemini_cli();
const CliProfile& opencode();
const CliProfile& cursor();
const CliProfile& aider();

const std::vector<const CliProfile*>& all() {
  static const std::vector<const CliProfile*> table = {
      &claude_code(), &codex(), &gemini_cli(), &opencode(), &cursor(), &aider(),
  };
  return table;
}

const CliProfile* find(std::string_view name) {
  for (const CliProfile* p : all())
    if (p->name == name ||
        std::find(p->aliases.begin(), p->aliases.end(), name) != p->aliases.end())
      return p;
  return nullptr;
}

const CliProfile& get(std::string_view name) {
  if (const CliProfile* p = find(name)) return *p;
  throw usage_error(unknown_cli_message(name));
}

std::string accepted_names() {
  std::string out;
  for (const CliProfile* p : all()) {
    if (!out.empty()) out += ", ";
    out += p->name;
    for (size_t i = 0; i < p->aliases.size(); ++i)
      out += std::string(i ? ", " : " (alias ") + std::string(p->aliases[i]);
    if (!p->aliases.empty()) out += ")";
  }
  return out;
}

std::string unknown_cli_message(std::string_view name) {
  // Aliases are candidates too ("gemni" is close to "gemini"); the suggestion is the real name.
  std::vector<std::string> words;
  std::vector<const CliProfile*> owner;
  for (const CliProfile* p : all()) {
    words.emplace_back(p->name);
    owner.push_back(p);
    for (auto a : p->aliases) {
      words.emplace_back(a);
      owner.push_back(p);
    }
  }
  std::string msg = "unknown CLI '" + std::string(name) + "'";
  if (auto c = util::closest(name, words)) {
    const auto at = static_cast<size_t>(std::find(words.begin(), words.end(), *c) - words.begin());
    msg += "; did you mean '" + std::string(owner[at]->name) + "'?";
  }
  return msg + " (one of: " + accepted_names() + ")";
}

std::vector<std::string> canonical_names(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& n : names) {
    std::string c(get(n).name);
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const CliProfile* p : all()) out.emplace_back(p->name);
  return out;
}

std::vector<setup::EnvNeed> env_needs(const std::vector<const CliProfile*>& profiles) {
  std::vector<setup::EnvNeed> needs;
  for (const CliProfile* p : all())
    if (std::find(profiles.begin(), profiles.end(), p) != profiles.end())
      needs.insert(needs.end(), p->env.begin(), p->env.end());
  return needs;
}

setup::ExecPlan exec_plan(const CliProfile& p, const ExecInputs& in,
                          const std::vector<std::string>& args) {
  if (!p.exec) throw usage_error(std::string(p.hints.no_exec));
  setup::ExecPlan plan = p.exec(in);
  // Loopback never goes through an HTTP proxy (a VPN client's, a corporate one).
  for (const char* name : {"NO_PROXY", "no_proxy"})
    plan.env.set(name, http::no_proxy_with_loopback(plan.env.get_or(name, "")));
  plan.argv.insert(plan.argv.end(), args.begin(), args.end());
  return plan;
}

}  // namespace clis

namespace setup {

EnvVars env_vars(const Target& t, bool gemini) {
  std::vector<const clis::CliProfile*> profiles;
  for (const clis::CliProfile* p : clis::all())
    if (gemini || p != &clis::gemini_cli()) profiles.push_back(p);
  return env_vars(t, clis::env_needs(profiles));
}

ExecPlan exec_plan(const std::string& cli, const Target& t, const std::vector<std::string>& args,
                   const Env& env, const std::filesystem::path& runtime_dir,
                   const std::optional<std::string>& gemini_user_settings) {
  return clis::exec_plan(
      clis::get(cli),
      {.target = t,
       .env = env,
       .runtime_dir = runtime_dir,
       .read_file = [&](const std::filesystem::path&) { return gemini_user_settings; }},
      args);
}

}  // namespace setup

}  // namespace lwgw
