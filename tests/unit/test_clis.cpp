// The coding CLI profiles: the registry resolves names and aliases, every profile is complete,
// names are unique, and the exec plan and env needs come from the profiles.
#include <doctest/doctest.h>

#include <set>

#include "lwgw/clis/profile.hpp"
#include "lwgw/commands/table.hpp"

using namespace lwgw;

TEST_CASE("clis: names and aliases resolve to their profile, unknown names to none") {
  REQUIRE(clis::find("claude-code"));
  CHECK(clis::find("claude") == clis::find("claude-code"));
  REQUIRE(clis::find("gemini-cli"));
  CHECK(clis::find("gemini") == clis::find("gemini-cli"));
  for (const clis::CliProfile* p : clis::all()) {
    CHECK(clis::find(p->name) == p);
    CHECK(&clis::get(p->name) == p);
    for (auto alias : p->aliases) CHECK(clis::find(alias) == p);
  }
  CHECK_FALSE(clis::find("vim"));
  CHECK_FALSE(clis::find(""));
  CHECK_FALSE(clis::find("Claude-Code"));  // names are exact
  try {
    (void)clis::get("vim");
    FAIL("get accepted an unknown name");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::kUsage);
    CHECK(std::string(e.what()) ==
          "unknown CLI 'vim' (one of: claude-code (alias claude), codex, gemini-cli (alias "
          "gemini), opencode, cursor (alias cursor-agent), aider)");
  }
}

TEST_CASE("clis: the aliases claude, gemini and cursor-agent, resolved to the real names") {
  CHECK(clis::find("cursor-agent") == clis::find("cursor"));
  CHECK(clis::canonical_names({"claude", "gemini", "cursor-agent", "codex", "claude-code"}) ==
        std::vector<std::string>{"claude-code", "gemini-cli", "cursor", "codex"});
  CHECK_THROWS_AS(clis::canonical_names({"codex", "vim"}), Error);
}

TEST_CASE("clis: an unknown CLI name suggests the closest real name and lists them all") {
  auto msg = [](const char* name) {
    try {
      (void)clis::get(name);
    } catch (const Error& e) {
      CHECK(e.code() == Exit::kUsage);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(msg("claud-code")
            .rfind("unknown CLI 'claud-code'; did you mean 'claude-code'? (one of: "
                   "claude-code (alias claude), codex,",
                   0) == 0);
  CHECK(msg("gemni").find("did you mean 'gemini-cli'?") != std::string::npos);  // via its alias
  CHECK(msg("cursor-agnet").find("did you mean 'cursor'?") != std::string::npos);
  CHECK(msg("Codex").find("did you mean 'codex'?") != std::string::npos);
  CHECK(msg("vim").find("did you mean") == std::string::npos);
  CHECK(msg("vim").find("aider") != std::string::npos);
}

TEST_CASE("clis: the registry lists the six CLIs in the documented order") {
  const std::vector<std::string> expected = {"claude-code", "codex",  "gemini-cli",
                                             "opencode",    "cursor", "aider"};
  CHECK(clis::names() == expected);
  CHECK(cli_names() == expected);  // the command table's names come from the registry
}

TEST_CASE("clis: names and aliases are unique across all profiles") {
  std::set<std::string_view> seen;
  for (const clis::CliProfile* p : clis::all()) {
    CHECK_MESSAGE(seen.insert(p->name).second, p->name);
    for (auto alias : p->aliases) {
      CHECK_MESSAGE(seen.insert(alias).second, alias);
      CHECK(alias != p->name);
    }
  }
}

TEST_CASE("clis: every profile is complete") {
  for (const clis::CliProfile* p : clis::all()) {
    INFO(p->name);
    CHECK_FALSE(p->name.empty());
    CHECK_FALSE(p->title.empty());
    CHECK(p->name.find_first_of(" \t/") == std::string_view::npos);
    // Setup either writes its files or guides the user through it, never both.
    CHECK((p->files != nullptr) != (p->guide != nullptr));
    CHECK(p->writes_files() == (p->files != nullptr));
    // A CLI setup writes nothing for says so at teardown.
    if (p->guide) CHECK_FALSE(p->hints.teardown.empty());
    const bool has_after_setup = p->after_setup != nullptr;
    if (p->guide) CHECK_FALSE(has_after_setup);
    // exec runs the binary, or says why it cannot.
    if (p->exec) {
      CHECK_FALSE(p->binary.empty());
      CHECK(p->hints.no_exec.empty());
    } else {
      CHECK_FALSE(p->hints.no_exec.empty());
    }
    // A CLI that reads the env file reads the key from LWGW_API_KEY, like the others.
    if (p->uses_env_file()) {
      CHECK(std::string(p->env.front().name) == setup::kKeyEnv);
      CHECK(p->env.front().value == setup::EnvNeed::Value::kKey);
    }
    for (const auto& need : p->env) CHECK(need.name != nullptr);
  }
}

TEST_CASE("clis: exec plans run the profile's binary with the user's arguments after its own") {
  setup::Target t{setup::Mode::kProxy, "http://127.0.0.1:5566", "tok", "/usr/bin/lwgw"};
  Env env;
  for (const clis::CliProfile* p : clis::all()) {
    INFO(p->name);
    const clis::ExecInputs in{
        .target = t,
        .env = env,
        .home = "/home/u",
        .runtime_dir = "/run/lwgw",
        .read_file = [](const std::filesystem::path&) { return std::optional<std::string>(); }};
    if (!p->exec) {
      CHECK_THROWS_AS(clis::exec_plan(*p, in, {"x"}), Error);
      continue;
    }
    auto plan = clis::exec_plan(*p, in, {"--flag", "value"});
    REQUIRE(plan.argv.size() >= 3);
    CHECK(plan.argv.front() == p->binary);
    CHECK(plan.argv[plan.argv.size() - 2] == "--flag");
    CHECK(plan.argv.back() == "value");
  }
}

TEST_CASE("clis: the env file holds each CLI's variables once, LWGW_API_KEY first") {
  setup::Target t{setup::Mode::kProxy, "http://127.0.0.1:5566", "tok", "/usr/bin/lwgw"};
  auto vars = setup::env_vars(t, clis::env_needs(clis::all()));
  std::vector<std::pair<std::string, std::string>> expected = {
      {"LWGW_API_KEY", "tok"},
      {"GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:5566"},
      {"GEMINI_API_KEY", "tok"}};
  CHECK(vars.vars == expected);
  auto codex_only = setup::env_vars(t, clis::env_needs({&clis::get("codex")}));
  CHECK(codex_only.vars ==
        std::vector<std::pair<std::string, std::string>>{{"LWGW_API_KEY", "tok"}});
  CHECK(clis::env_needs({&clis::get("claude-code"), &clis::get("aider")}).empty());
}

TEST_CASE("clis: every CLI that setup writes files for has model slots, a family and a reader") {
  for (const clis::CliProfile* p : clis::all()) {
    INFO(p->name);
    const clis::ModelSlots& m = p->models;
    if (!p->writes_files()) {
      CHECK(m.slots.empty());  // Cursor: nothing to write a model into
      continue;
    }
    REQUIRE_FALSE(m.slots.empty());
    CHECK(static_cast<bool>(m.configured));  // its own model counts when the gateway serves it
    CHECK(m.slots.front().tier == setup::Tier::kMain);  // --model sets the first slot
    CHECK_FALSE(m.slots.front().optional);
    CHECK_FALSE(m.slots.front().from_small_flag);
    std::set<std::string> names;
    for (const auto& s : m.slots) CHECK_MESSAGE(names.insert(s.name).second, s.name);
  }
  // The families the issue names; the CLIs that reach every model through the gateway take any.
  CHECK(clis::get("claude-code").models.family == setup::Family::kClaude);
  CHECK(clis::get("codex").models.family == setup::Family::kGpt);
  CHECK(clis::get("gemini-cli").models.family == setup::Family::kGemini);
  CHECK(clis::get("opencode").models.family == setup::Family::kAny);
  CHECK(clis::get("aider").models.family == setup::Family::kAny);
  // --small-model: the background models.
  std::vector<std::string> small;
  for (const clis::CliProfile* p : clis::all())
    if (p->models.small_model()) small.emplace_back(p->name);
  CHECK(small == std::vector<std::string>{"claude-code", "opencode", "aider"});
}
