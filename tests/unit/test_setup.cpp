// setup / teardown on real-looking dotfiles in a temp HOME: golden outputs and files for every
// CLI x {fresh, existing, already set up, malformed, symlinked}, identity, idempotence, secrets.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fstream>
#include <map>

#include "lwgw/process.hpp"
#include "lwgw/setup/edits.hpp"
#include "standin_process.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
namespace stdfs = std::filesystem;

namespace {

const std::string kToken = "lwgw_lt_TESTTOKENtesttoken0123456789abcdefghijklmno";
const std::string kVk = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";

struct Entry {
  std::string content;
  bool link = false;
  bool dir = false;
  unsigned mode = 0;
  bool operator==(const Entry&) const = default;
};
using Tree = std::map<std::string, Entry>;

// Every file, link and directory under HOME except lwgw's own state and credentials.
Tree snapshot(const TempHome& t) {
  Tree tree;
  for (auto it = stdfs::recursive_directory_iterator(t.home());
       it != stdfs::recursive_directory_iterator(); ++it) {
    auto rel = stdfs::relative(it->path(), t.home()).string();
    if (rel.rfind(".local", 0) == 0 || rel == ".config/lwgw/credentials") continue;
    Entry e;
    auto st = it->symlink_status();
    e.mode = static_cast<unsigned>(st.permissions()) & 07777;
    if (stdfs::is_symlink(st)) {
      e.link = true;
      e.content = stdfs::read_symlink(it->path()).string();
    } else if (stdfs::is_directory(st)) {
      e.dir = true;
    } else {
      e.content = t.read(it->path());
    }
    tree[rel] = e;
  }
  return tree;
}

struct Home {
  TempHome t;
  Env env;
  // Proxy-mode setup needs a key (the proxy uses it): logged in unless told otherwise.
  explicit Home(bool with_vk = true) {
    env = t.env();
    env.set("SHELL", "/bin/bash");
    env.set("LWGW_GATEWAY_URL", "http://127.0.0.1:" + std::to_string(unused_port()));
    auto cred = t.home() / ".config/lwgw/credentials";
    std::string doc = "{\n  \"local_token\": \"" + kToken + "\"" +
                      (with_vk ? ",\n  \"vk\": \"" + kVk + "\"" : std::string()) + "\n}\n";
    t.write(cred, doc);
    ::chmod(cred.parent_path().c_str(), 0700);
    ::chmod(cred.c_str(), 0600);
  }
  stdfs::path p(const std::string& rel) const { return t.home() / rel; }
  // No coding CLI on PATH, whatever this machine has installed: the reports do not vary.
  void no_clis_on_path() {
    stdfs::create_directories(t.root() / "nobin");
    env.set("PATH", (t.root() / "nobin").string());
  }
  std::string norm(const std::string& s) const {
    std::string out = s;
    const std::string root = t.root().string();
    for (size_t pos; (pos = out.find(root)) != std::string::npos;)
      out.replace(pos, root.size(), "<ROOT>");
    const std::string gw = env.get_or("LWGW_GATEWAY_URL", "");
    for (size_t pos; (pos = out.find(gw)) != std::string::npos;)
      out.replace(pos, gw.size(), "<GATEWAY>");
    return out;
  }
  std::string run(const std::vector<std::string>& args) const {
    auto r = run_inproc(args, env);
    return norm("exit " + std::to_string(r.code) + "\n" + r.out +
                (r.err.empty() ? "" : "[stderr]\n" + r.err));
  }
};

void golden(const std::string& name, const std::string& actual) {
  check_golden("setup", name, actual);
}

struct CliCase {
  std::string cli;
  std::string file;      // main file, relative to HOME
  std::string existing;  // unrelated settings (and comments where the format allows them)
  std::string malformed;
  std::string commented;  // JSONC for JSON files (refused with the block to paste); empty else
};

const std::vector<CliCase>& cases() {
  static const std::vector<CliCase> c = {
      {"claude-code", ".claude/settings.json",
       "{\n    \"model\": \"opus\",\n    \"permissions\": {\"allow\": [\"Bash(ls:*)\"]},\n    "
       "\"env\": {\"FOO\": \"bar\"}\n}\n",
       "{\n  \"model\": \"opus\",\n  \"env\": {\"FOO\": \"bar\",}\n}\n",
       "{\n  // my settings\n  \"model\": \"opus\"\n}\n"},
      {"codex", ".codex/config.toml",
       "# my codex config\nmodel = \"gpt-5\"  # favourite\napproval_policy = \"on-request\"\n\n"
       "[tui]\n# keep it dark\ntheme = \"dark\"\n\n[model_providers.legacy]\nname = \"Legacy\"\n"
       "base_url = \"http://localhost:9/v1\"\nwire_api = "
       "\"chat\"\n\n[projects.\"/src/x\"]\ntrust_level = \"trusted\"\n",
       "model = \"gpt-5\"\n[tui\ntheme = \"dark\"\n", ""},
      {"gemini-cli", ".gemini/settings.json",
       "{\n  \"ui\": {\n    \"theme\": \"GitHub\"\n  },\n  \"security\": {\n    \"auth\": {\n      "
       "\"selectedType\": \"oauth-personal\"\n    }\n  }\n}\n",
       "{\n  \"ui\": {\n    \"theme\": \"GitHub\"\n  \n",
       "{\n  /* theme */\n  \"ui\": {\"theme\": \"GitHub\"}\n}\n"},
      {"opencode", ".config/opencode/opencode.json",
       "{\n  \"$schema\": \"https://opencode.ai/config.json\",\n  \"model\": "
       "\"anthropic/claude-sonnet-4-5\",\n  \"provider\": {\n    \"other\": {\n      \"npm\": "
       "\"@ai-sdk/openai-compatible\",\n      \"options\": {\"baseURL\": "
       "\"http://localhost:1/v1\"}\n    }\n  }\n}\n",
       "{\n  \"model\": \"x\"\n  \"provider\": {}\n}\n",
       "{\n  // opencode allows comments\n  \"model\": \"anthropic/claude-sonnet-4-5\"\n}\n"},
      {"aider", ".aider.conf.yml",
       "# my aider settings\nauto-commits: false\nread: [CONVENTIONS.md, NOTES.md]\n\n# "
       "lint\nlint-cmd:\n  - \"python: flake8\"\n",
       "auto-commits: false\n\tdark-mode: true\n", ""},
  };
  return c;
}

void check_syntax(const Home& h) {
  for (const auto& [rel, shell] : std::vector<std::pair<std::string, std::string>>{
           {".bashrc", "bash"},
           {".zshrc", "zsh"},
           {".config/lwgw/env.sh", "bash"},
           {".config/lwgw/env.sh", "zsh"},
           {".config/lwgw/env.fish", "fish"},
           {".config/fish/conf.d/lwgw.fish", "fish"}}) {
    if (!stdfs::exists(h.p(rel))) continue;
    Env with_shells = h.env;
    with_shells.set("PATH", "/usr/local/bin:/usr/bin:/bin");
    auto r = process::run({shell, "-n", h.p(rel).string()}, "", with_shells);
    CHECK_MESSAGE(r.exit_code == 0, shell << " -n " << rel << ": " << r.err);
  }
}

}  // namespace

TEST_CASE(
    "setup/teardown golden files: every CLI x fresh, existing, set up twice, commented, malformed, "
    "symlinked") {
  for (const auto& c : cases()) {
    const std::string g = c.cli + "/";
    INFO("cli " << c.cli);
    // fresh: nothing there yet.
    {
      Home h;
      h.no_clis_on_path();
      Tree before = snapshot(h.t);
      golden(g + "fresh.dryrun", h.run({"setup", c.cli, "--dry-run", "--no-service"}));
      CHECK(snapshot(h.t) == before);
      golden(g + "fresh.setup", h.run({"setup", c.cli, "--no-service"}));
      golden(g + "fresh.after", h.norm(h.t.read(h.p(c.file))));
      check_syntax(h);
      Tree once = snapshot(h.t);
      golden(g + "twice.setup", h.run({"setup", c.cli, "--no-service"}));
      CHECK(snapshot(h.t) == once);  // setup . setup = setup
      golden(g + "fresh.teardown-dryrun", h.run({"teardown", c.cli, "--dry-run"}));
      CHECK(snapshot(h.t) == once);
      golden(g + "fresh.teardown", h.run({"teardown", c.cli}));
      CHECK(snapshot(h.t) == before);  // setup . teardown = identity
    }
    // existing file with unrelated settings (and comments where the format has them).
    {
      Home h;
      h.no_clis_on_path();
      h.t.write(h.p(c.file), c.existing);
      h.t.write(h.p(".bashrc"), "# my bashrc\nalias ll='ls -l'\nexport EDITOR=vim");
      Tree before = snapshot(h.t);
      golden(g + "existing.dryrun", h.run({"setup", c.cli, "--dry-run", "--no-service"}));
      CHECK(snapshot(h.t) == before);
      golden(g + "existing.setup", h.run({"setup", c.cli, "--no-service"}));
      golden(g + "existing.after", h.norm(h.t.read(h.p(c.file))));
      check_syntax(h);
      golden(g + "existing.teardown", h.run({"teardown", c.cli}));
      CHECK(snapshot(h.t) == before);
    }
    // JSONC: refused with the exact block to paste, untouched.
    if (!c.commented.empty()) {
      Home h;
      h.no_clis_on_path();
      h.t.write(h.p(c.file), c.commented);
      Tree before = snapshot(h.t);
      golden(g + "commented.setup", h.run({"setup", c.cli, "--no-service"}));
      CHECK(snapshot(h.t) == before);
    }
    // malformed: refused with file:line, byte-identical afterwards, exit 3.
    {
      Home h;
      h.no_clis_on_path();
      h.t.write(h.p(c.file), c.malformed);
      Tree before = snapshot(h.t);
      std::string dry = h.run({"setup", c.cli, "--dry-run", "--no-service"});
      CHECK(dry.rfind("exit 3\n", 0) == 0);
      std::string out = h.run({"setup", c.cli, "--no-service"});
      CHECK(out.rfind("exit 3\n", 0) == 0);
      CHECK(out.find("~/" + c.file + ":") != std::string::npos);
      golden(g + "malformed.setup", out);
      CHECK(snapshot(h.t) == before);
    }
    // symlinked dotfile: written through the link, still a link, restored exactly.
    {
      Home h;
      h.no_clis_on_path();
      h.t.write(h.p("dotfiles/" + c.cli), c.existing);
      stdfs::create_directories(h.p(c.file).parent_path());
      stdfs::create_symlink(h.p("dotfiles/" + c.cli), h.p(c.file));
      Tree before = snapshot(h.t);
      golden(g + "symlink.setup", h.run({"setup", c.cli, "--no-service"}));
      CHECK(stdfs::is_symlink(h.p(c.file)));
      CHECK(h.t.read(h.p("dotfiles/" + c.cli)) != c.existing);
      golden(g + "symlink.teardown", h.run({"teardown", c.cli}));
      CHECK(stdfs::is_symlink(h.p(c.file)));
      CHECK(snapshot(h.t) == before);
    }
  }
}

TEST_CASE("cursor: setup writes nothing, prints where to paste, verifies the key") {
  LoopbackServer gw([](httplib::Server& s) {
    s.Get("/v1/models", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") != "Bearer " + kVk) {
        res.status = 401;
        res.set_content(R"({"error":{"type":"invalid_api_key","message":"invalid_api_key"}})",
                        "application/json");
        return;
      }
      res.set_content(
          R"({"object":"list","data":[{"id":"gpt-5-mini","object":"model","created":0,"owned_by":"x"}]})",
          "application/json");
    });
  });
  Home h(true);
  h.env.set("LWGW_GATEWAY_URL", gw.url());
  Tree before = snapshot(h.t);
  std::string out = h.run({"setup", "cursor", "--no-service"});
  golden("cursor/setup", out);
  CHECK(out.find("<GATEWAY>/v1") != std::string::npos);
  CHECK(out.find("verified") != std::string::npos);
  CHECK(out.find(kVk) == std::string::npos);
  CHECK(snapshot(h.t) == before);
  golden("cursor/teardown", h.run({"teardown", "cursor"}));
}

TEST_CASE("an unreadable file is refused with exit 3 and left as it is") {
  Home h;
  stdfs::create_directories(h.p(".claude/settings.json"));  // a directory: read() fails
  Tree before = snapshot(h.t);
  auto r = run_inproc({"setup", "claude-code", "--no-service"}, h.env);
  CHECK(r.code == 3);
  CHECK(r.err.find("cannot read") != std::string::npos);
  CHECK(snapshot(h.t) == before);
}

TEST_CASE("user edits made after setup survive teardown; only lwgw's keys go") {
  Home h;
  h.t.write(h.p(".codex/config.toml"), "# mine\nmodel = \"o3\"\n\n[tui]\ntheme = \"dark\"\n");
  h.t.write(h.p(".gemini/settings.json"),
            "{\"security\": {\"auth\": {\"selectedType\": \"oauth-personal\"}}}\n");
  REQUIRE(
      run_inproc({"setup", "codex", "gemini-cli", "claude-code", "aider", "--no-service"}, h.env)
          .code == 0);
  {
    std::ofstream(h.p(".codex/config.toml"), std::ios::app)
        << "\n[projects.\"/x\"]\ntrust_level = \"trusted\"\n";
    std::ofstream(h.p(".bashrc"), std::ios::app) << "export AFTER=1\n";
    std::ofstream(h.p(".aider.conf.yml"), std::ios::app) << "dark-mode: true\n";
  }
  h.t.write(h.p(".gemini/settings.json"),
            "{\"security\": {\"auth\": {\"selectedType\": \"gemini-api-key\"}}, \"privacy\": "
            "{\"usageStatisticsEnabled\": true}, \"ui\": {\"theme\": \"x\"}}\n");
  h.t.write(h.p(".claude/settings.json"),
            "{\"env\": {\"ANTHROPIC_BASE_URL\": \"http://mine\", \"ANTHROPIC_AUTH_TOKEN\": \"" +
                kToken +
                "\", \"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC\": \"1\"}, \"model\": \"opus\"}\n");
  auto r = run_inproc({"teardown", "--all"}, h.env);
  CHECK(r.code == 0);
  CHECK(h.t.read(h.p(".codex/config.toml")) ==
        "# mine\nmodel = \"o3\"\n\n[tui]\ntheme = \"dark\"\n\n[projects.\"/x\"]\ntrust_level = "
        "\"trusted\"\n");
  CHECK(h.t.read(h.p(".bashrc")) == "export AFTER=1\n");
  CHECK(h.t.read(h.p(".aider.conf.yml")) == "dark-mode: true\n");
  // selectedType was replaced by setup and is ours again: restored; the user's own change to
  // usageStatisticsEnabled and the new ui block stay.
  CHECK(h.t.read(h.p(".gemini/settings.json")) ==
        "{\n  \"security\": {\n    \"auth\": {\n      \"selectedType\": \"oauth-personal\"\n    "
        "}\n  },\n"
        "  \"privacy\": {\n    \"usageStatisticsEnabled\": true\n  },\n  \"ui\": {\n    \"theme\": "
        "\"x\"\n  }\n}\n");
  // The base URL the user changed stays; lwgw's token and flag go.
  CHECK(h.t.read(h.p(".claude/settings.json")) ==
        "{\n  \"env\": {\n    \"ANTHROPIC_BASE_URL\": \"http://mine\"\n  },\n  \"model\": "
        "\"opus\"\n}\n");
  CHECK_FALSE(stdfs::exists(h.p(".config/lwgw/env.sh")));
}

TEST_CASE("user edits made between two setups survive teardown: no stale whole-file restore") {
  Home h;
  h.t.write(h.p(".bashrc"), "# mine\n");
  REQUIRE(run_inproc({"setup", "claude-code", "codex", "--no-service"}, h.env).code == 0);
  // The user changes each file (and drops one of lwgw's settings), then runs setup again, which
  // rewrites them: the originals are no longer the way back.
  h.t.write(h.p(".claude/settings.json"), "{\"theme\": \"dark\"}\n");
  std::ofstream(h.p(".bashrc"), std::ios::app) << "export AFTER=1\n";
  std::ofstream(h.p(".codex/config.toml"), std::ios::app) << "\n[tui]\ntheme = \"dark\"\n";
  REQUIRE(run_inproc({"setup", "claude-code", "codex", "--no-service"}, h.env).code == 0);
  REQUIRE(run_inproc({"teardown", "--all"}, h.env).code == 0);
  CHECK(h.t.read(h.p(".claude/settings.json")) == "{\n  \"theme\": \"dark\"\n}\n");
  CHECK(h.t.read(h.p(".bashrc")) == "# mine\nexport AFTER=1\n");
  CHECK(h.t.read(h.p(".codex/config.toml")) == "\n[tui]\ntheme = \"dark\"\n");
}

TEST_CASE("what lwgw owns goes at teardown even when changed between two setups") {
  Home h;
  REQUIRE(run_inproc({"setup", "codex", "--no-service"}, h.env).code == 0);
  // A value inside lwgw's own provider table, and lwgw's own env file, changed by hand; setup
  // again puts lwgw's back. Neither the old value nor the file is the user's to get back.
  const auto config = h.p(".codex/config.toml");
  std::string text = h.t.read(config);
  const std::string responses = "wire_api = \"responses\"";
  REQUIRE(text.find(responses) != std::string::npos);
  text.replace(text.find(responses), responses.size(), "wire_api = \"chat\"");
  h.t.write(config, text);
  std::ofstream(h.p(".config/lwgw/env.sh"), std::ios::app) << "# edited\n";
  REQUIRE(run_inproc({"setup", "codex", "--no-service"}, h.env).code == 0);
  REQUIRE(run_inproc({"teardown", "codex"}, h.env).code == 0);
  CHECK(!stdfs::exists(config));  // setup created it; nothing of lwgw's provider is left
  CHECK(!stdfs::exists(h.p(".config/lwgw/env.sh")));
}

TEST_CASE("proxy mode: no VK in any file, token files 0600, no secret on stdout/stderr") {
  Home h(true);
  h.env.set("HTTPS_PROXY", "http://proxy.corp:3128");
  h.env.set("NO_PROXY", ".corp");
  auto r = run_inproc({"setup", "--all", "--shell", "all", "--no-service"}, h.env);
  CHECK(r.code == 0);
  for (const std::string& s : {kVk, kToken}) {
    CHECK(r.out.find(s) == std::string::npos);
    CHECK(r.err.find(s) == std::string::npos);
  }
  for (const auto& [rel, e] : snapshot(h.t)) {
    if (e.dir || e.link) continue;
    CHECK_MESSAGE(e.content.find(kVk) == std::string::npos, rel);
    if (e.content.find(kToken) != std::string::npos) CHECK_MESSAGE(e.mode == 0600, rel);
  }
  for (const auto& rel :
       {".claude/settings.json", ".aider.conf.yml", ".config/lwgw/env.sh", ".config/lwgw/env.fish"})
    CHECK_MESSAGE(h.t.read(h.p(rel)).find(kToken) != std::string::npos, rel);
  // NO_PROXY is appended to, never replaced, and only once however often it is sourced.
  auto sh = process::run(
      {"bash", "-c",
       ". \"$HOME/.bashrc\"; . \"$HOME/.bashrc\"; printf '%s|%s' \"$NO_PROXY\" \"$LWGW_API_KEY\""},
      "", h.env);
  CHECK(sh.out == ".corp,127.0.0.1,localhost,::1|" + kToken);
  auto fish = process::run({"fish", "--no-config", "-c",
                            "source $HOME/.config/fish/conf.d/lwgw.fish; printf '%s' $NO_PROXY"},
                           "", h.env);
  CHECK(fish.out == ".corp,127.0.0.1,localhost,::1");
  check_syntax(h);
}

TEST_CASE(
    "direct mode: Claude Code gets an apiKeyHelper (no key in its file); the VK stays off the "
    "terminal") {
  Home h(true);
  auto r = run_inproc({"setup", "claude-code", "codex", "--direct"}, h.env);
  CHECK(r.code == 0);
  CHECK(r.out.find(kVk) == std::string::npos);
  CHECK(r.err.find(kVk) == std::string::npos);
  std::string settings = h.t.read(h.p(".claude/settings.json"));
  CHECK(settings.find(kVk) == std::string::npos);
  CHECK(settings.find(std::string("\"apiKeyHelper\": \"") + LWGW_BIN +
                      " env --api-key --direct\"") != std::string::npos);
  CHECK(settings.find("ANTHROPIC_AUTH_TOKEN") == std::string::npos);
  CHECK(h.t.read(h.p(".codex/config.toml"))
            .find("base_url = \"" + h.env.get_or("LWGW_GATEWAY_URL", "") + "/v1\"") !=
        std::string::npos);
  // The helper prints exactly the key (the real binary, as Claude Code would run it).
  auto k = run_bin({"env", "--api-key", "--direct"}, h.env);
  CHECK(k.code == 0);
  CHECK(k.out == kVk + "\n");
  // Not logged in: direct mode is a configuration problem.
  Home none(false);
  auto n = run_inproc({"setup", "codex", "--direct"}, none.env);
  CHECK(n.code == 3);
  CHECK(n.err.find("not logged in") != std::string::npos);
}

TEST_CASE("direct mode never writes a VK that only LWGW_VK provides") {
  Home h(false);
  h.env.set("LWGW_VK", kVk);
  auto r = run_inproc({"setup", "aider", "--direct"}, h.env);
  CHECK(r.code == 3);
  CHECK_FALSE(stdfs::exists(h.p(".aider.conf.yml")));
}

TEST_CASE(
    "codex: wire_api = \"chat\" providers are reported, and fixed (then restored) with --yes") {
  Home h;
  const std::string orig = "[model_providers.old]\nname = \"Old\"\nwire_api = \"chat\"\n";
  h.t.write(h.p(".codex/config.toml"), orig);
  auto r = run_inproc({"setup", "codex", "--no-service"}, h.env);
  CHECK(r.err.find("[model_providers.old] has wire_api = \"chat\"") != std::string::npos);
  CHECK(h.t.read(h.p(".codex/config.toml")).find("wire_api = \"chat\"") != std::string::npos);
  auto y = run_inproc({"setup", "codex", "--yes", "--no-service"}, h.env);
  CHECK(y.code == 0);
  std::string text = h.t.read(h.p(".codex/config.toml"));
  CHECK(text.find("wire_api = \"chat\"") == std::string::npos);
  CHECK(text.rfind("model_provider = \"lwgw\"\n", 0) == 0);  // root key before any table
  CHECK(run_inproc({"teardown", "codex"}, h.env).code == 0);
  CHECK(h.t.read(h.p(".codex/config.toml")) == orig);
}

TEST_CASE("--model and --small-model write each CLI's own model setting") {
  Home h;  // the gateway does not answer: the names are written unchecked, and said so
  auto r = run_inproc({"setup", "claude-code", "opencode", "aider", "--model", "gw-model",
                       "--small-model", "gw-small", "--no-service"},
                      h.env);
  CHECK(r.code == 0);
  CHECK(r.out.find("claude-code: model gw-model (not checked: the gateway's list is unknown), "
                   "background gw-small (not checked: the gateway's list is unknown)\n") !=
        std::string::npos);
  std::string c = h.t.read(h.p(".claude/settings.json"));
  CHECK(c.find("\"ANTHROPIC_MODEL\": \"gw-model\"") != std::string::npos);
  CHECK(c.find("\"ANTHROPIC_DEFAULT_HAIKU_MODEL\": \"gw-small\"") != std::string::npos);
  CHECK(c.find("\"ANTHROPIC_SMALL_FAST_MODEL\": \"gw-small\"") != std::string::npos);
  auto oc = nlohmann::json::parse(h.t.read(h.p(".config/opencode/opencode.json")));
  CHECK(oc["model"] == "lwgw/gw-model");
  CHECK(oc["small_model"] == "lwgw/gw-small");
  CHECK(oc["provider"]["lwgw"]["models"].contains("gw-model"));  // opencode needs it listed
  std::string a = h.t.read(h.p(".aider.conf.yml"));
  CHECK(a.find("model: \"openai/gw-model\"\nweak-model: \"openai/gw-small\"\n") !=
        std::string::npos);
  CHECK(run_inproc({"setup", "codex", "--model", "gw-model", "--no-service"}, h.env).code == 0);
  CHECK(h.t.read(h.p(".codex/config.toml")).find("model = \"gw-model\"") != std::string::npos);
  CHECK(run_inproc({"setup", "gemini-cli", "--model", "gw-model", "--no-service"}, h.env).code ==
        0);
  CHECK(h.t.read(h.p(".gemini/settings.json")).find("\"name\": \"gw-model\"") != std::string::npos);
  // --small-model names a background model, which Codex and Gemini CLI do not have.
  auto small = run_inproc({"setup", "codex", "--small-model", "x", "--no-service"}, h.env);
  CHECK(small.code == 2);
  CHECK(small.err.find("only claude-code, opencode, aider have") != std::string::npos);
}

// A stand-in gateway serving `models`, and a logged-in HOME pointed at it.
struct Served {
  StandIn gw;
  Home h;
  explicit Served(const std::string& models) : gw({"--models", models}) {
    h.env.set("LWGW_GATEWAY_URL", gw.url());
  }
};

const std::string kMany =
    "gpt-5,gpt-5-mini,claude-sonnet-4-5-20250929,claude-haiku-4-5-20251001,"
    "claude-opus-4-1-20250805,gemini-2.5-pro,gemini-2.5-flash";

// Each CLI's own model settings, as a user who already had some would have them.
void seed_user_models(Home& h) {
  h.t.write(h.p(".codex/config.toml"),
            "# mine\nmodel = 'o4-mini'  # my favourite\n\n[tui]\ntheme = \"dark\"\n");
  h.t.write(h.p(".claude/settings.json"),
            "{\n  \"model\": \"opus\",\n  \"env\": {\n    \"ANTHROPIC_SMALL_FAST_MODEL\": "
            "\"claude-3-5-haiku-20241022\"\n  }\n}\n");
  h.t.write(h.p(".gemini/settings.json"),
            "{\n    \"model\": {\"name\": \"gemini-3.8-flash\"},\n    \"ui\": {}\n}\n");
  h.t.write(h.p(".config/opencode/opencode.json"),
            "{\"model\": \"anthropic/claude-sonnet-4-5-20250929\"}");
  h.t.write(h.p(".aider.conf.yml"), "# my aider settings\nauto-commits: false\n");
}

TEST_CASE(
    "setup pins served models in each CLI's own settings, says which, and teardown gives the "
    "user's model values back byte for byte") {
  Served s(kMany);
  Home& h = s.h;
  seed_user_models(h);
  Tree before = snapshot(h.t);
  auto r = run_inproc({"setup", "--all", "--no-service"}, h.env);
  CHECK(r.code == 0);
  CHECK(r.err.find("warning") == std::string::npos);
  for (const std::string line :
       {"claude-code: model claude-opus-4-1-20250805 (served, as configured), background "
        "claude-haiku-4-5-20251001 (served), opus claude-opus-4-1-20250805 (served), sonnet "
        "claude-sonnet-4-5-20250929 (served)\n",
        "codex: model gpt-5 (served)\n", "gemini-cli: model gemini-2.5-pro (served)\n",
        "opencode: model claude-sonnet-4-5-20250929 (served, as configured), small_model "
        "claude-haiku-4-5-20251001 (served)\n",
        "aider: model gpt-5 (served), weak-model gpt-5-mini (served)\n"})
    CHECK_MESSAGE(r.out.find(line) != std::string::npos, line << "\nin:\n" << r.out);
  // Claude Code: its own `model` alias stays and now resolves to a served opus; the background
  // model and the alias targets are pinned in `env`.
  auto c = nlohmann::json::parse(h.t.read(h.p(".claude/settings.json")));
  CHECK(c["model"] == "opus");
  CHECK_FALSE(c["env"].contains("ANTHROPIC_MODEL"));
  CHECK(c["env"]["ANTHROPIC_DEFAULT_HAIKU_MODEL"] == "claude-haiku-4-5-20251001");
  CHECK(c["env"]["ANTHROPIC_SMALL_FAST_MODEL"] == "claude-haiku-4-5-20251001");
  CHECK(c["env"]["ANTHROPIC_DEFAULT_OPUS_MODEL"] == "claude-opus-4-1-20250805");
  CHECK(c["env"]["ANTHROPIC_DEFAULT_SONNET_MODEL"] == "claude-sonnet-4-5-20250929");
  // Codex: the root model, in place, the user's comment and tables kept.
  CHECK(h.t.read(h.p(".codex/config.toml"))
            .rfind("# mine\nmodel = \"gpt-5\"  # my favourite\nmodel_provider = \"lwgw\"\n", 0) ==
        0);
  auto g = nlohmann::json::parse(h.t.read(h.p(".gemini/settings.json")));
  CHECK(g["model"]["name"] == "gemini-2.5-pro");
  auto oc = nlohmann::json::parse(h.t.read(h.p(".config/opencode/opencode.json")));
  CHECK(oc["model"] == "lwgw/claude-sonnet-4-5-20250929");
  CHECK(oc["small_model"] == "lwgw/claude-haiku-4-5-20251001");
  CHECK(oc["provider"]["lwgw"]["models"].size() == 7);
  CHECK(h.t.read(h.p(".aider.conf.yml"))
            .find("model: \"openai/gpt-5\"\nweak-model: \"openai/gpt-5-mini\"\n# <<< lwgw <<<") !=
        std::string::npos);
  // Again: the same choice, nothing changes.
  Tree once = snapshot(h.t);
  auto again = run_inproc({"setup", "--no-service"}, h.env);
  CHECK(again.code == 0);
  CHECK(again.out.find("codex: model gpt-5 (served, as configured)") != std::string::npos);
  CHECK(snapshot(h.t) == once);
  // Teardown: every file as the user had it, their own model values included.
  CHECK(run_inproc({"teardown", "--all"}, h.env).code == 0);
  CHECK(snapshot(h.t) == before);
  CHECK(h.t.read(h.p(".codex/config.toml")) ==
        "# mine\nmodel = 'o4-mini'  # my favourite\n\n[tui]\ntheme = \"dark\"\n");
}

TEST_CASE("setup keeps a configured model the gateway serves; --dry-run shows the choice") {
  Served s(kMany);
  Home& h = s.h;
  h.t.write(h.p(".codex/config.toml"), "model = \"gpt-5-mini\"\n");
  auto dry = run_inproc({"setup", "codex", "gemini-cli", "--dry-run", "--no-service"}, h.env);
  CHECK(dry.code == 0);
  CHECK(dry.out.find("codex: model gpt-5-mini (served, as configured)\n") != std::string::npos);
  CHECK(dry.out.find("+    \"name\": \"gemini-2.5-pro\"\n") != std::string::npos);
  CHECK(dry.out.find("gemini-cli: model gemini-2.5-pro (served)\n") != std::string::npos);
  CHECK(h.t.read(h.p(".codex/config.toml")) == "model = \"gpt-5-mini\"\n");
  CHECK_FALSE(stdfs::exists(h.p(".gemini/settings.json")));
  CHECK(run_inproc({"setup", "codex", "--no-service"}, h.env).code == 0);
  CHECK(h.t.read(h.p(".codex/config.toml")).rfind("model = \"gpt-5-mini\"\n", 0) == 0);
}

TEST_CASE(
    "setup refuses --model the gateway does not serve (unless --force) and one --model for "
    "CLIs of different families") {
  Served s("gpt-5-mini,claude-haiku-4-5-20251001,gemini-2.5-flash");
  Home& h = s.h;
  Tree before = snapshot(h.t);
  auto r = run_inproc({"setup", "codex", "--model", "gpt-9", "--no-service"}, h.env);
  CHECK(r.code == 2);
  CHECK(r.err ==
        "lwgw: error: the gateway does not serve gpt-9 (--model); it serves: gpt-5-mini, "
        "claude-haiku-4-5-20251001, gemini-2.5-flash. Pick one of those, or add --force to "
        "write gpt-9 anyway\n");
  CHECK(snapshot(h.t) == before);
  auto small = run_inproc(
      {"setup", "claude-code", "--small-model", "claude-haiku-3", "--no-service"}, h.env);
  CHECK(small.code == 2);
  CHECK(small.err.find("does not serve claude-haiku-3 (--small-model)") != std::string::npos);
  auto mixed =
      run_inproc({"setup", "claude-code", "codex", "--model", "gpt-5-mini", "--no-service"}, h.env);
  CHECK(mixed.code == 2);
  CHECK(mixed.err.find("--model gpt-5-mini would go to CLIs of different families, claude-code "
                       "(claude-*) and codex (gpt-*/o*)") != std::string::npos);
  CHECK(run_inproc({"setup", "--all", "--model", "gpt-5-mini", "--no-service"}, h.env).code == 2);
  CHECK(snapshot(h.t) == before);
  // One family with the CLIs that take any model is fine.
  CHECK(run_inproc({"setup", "codex", "opencode", "--model", "gpt-5-mini", "--no-service"}, h.env)
            .code == 0);
  auto forced =
      run_inproc({"setup", "codex", "--model", "gpt-9", "--force", "--no-service"}, h.env);
  CHECK(forced.code == 0);
  CHECK(forced.out.find("codex: model gpt-9 (NOT served; written because of --force)") !=
        std::string::npos);
  CHECK(forced.err.find("gpt-9 is not on the gateway's list") != std::string::npos);
  CHECK(h.t.read(h.p(".codex/config.toml")).find("model = \"gpt-9\"") != std::string::npos);
}

TEST_CASE("setup warns when the gateway serves nothing of a CLI's family, naming what will fail") {
  Served s("gpt-5-mini");
  Home& h = s.h;
  h.t.write(h.p(".gemini/settings.json"), "{\"model\": {\"name\": \"gemini-3.8-flash\"}}\n");
  auto r = run_inproc({"setup", "claude-code", "gemini-cli", "--no-service"}, h.env);
  CHECK(r.code == 0);
  CHECK(r.out.find("claude-code: model its built-in default (NOT served), background its "
                   "built-in default (NOT served)\n") != std::string::npos);
  CHECK(r.out.find("gemini-cli: model gemini-3.8-flash (NOT served)\n") != std::string::npos);
  CHECK(r.err.find("lwgw: warning: claude-code: the gateway serves no claude-* model for Claude "
                   "Code's model, so its requests for its built-in default model will fail "
                   "(model_not_allowed). The gateway serves: gpt-5-mini; pick one with `lwgw "
                   "setup claude-code --model NAME`\n") != std::string::npos);
  CHECK(r.err.find("gemini-cli: the gateway serves no gemini-* model for Gemini CLI's model, so "
                   "its requests for gemini-3.8-flash (its own setting) will fail") !=
        std::string::npos);
  // Nothing was pinned: the settings stay the CLIs' own.
  CHECK(h.t.read(h.p(".claude/settings.json")).find("MODEL") == std::string::npos);
  CHECK(nlohmann::json::parse(h.t.read(h.p(".gemini/settings.json")))["model"]["name"] ==
        "gemini-3.8-flash");
}

TEST_CASE("gateway down at setup: models untouched and said so; a later bare setup checks again") {
  Home h;  // LWGW_GATEWAY_URL: a port nothing listens on
  h.t.write(h.p(".codex/config.toml"), "model = \"o4-mini\"\n");
  auto r = run_inproc({"setup", "codex", "opencode", "--no-service"}, h.env);
  CHECK(r.code == 0);
  CHECK(r.out.find("models: the gateway's list (GET /v1/models) could not be fetched, so no "
                   "model was checked and the CLIs keep theirs; run `lwgw setup` again when the "
                   "gateway answers\n") != std::string::npos);
  CHECK(r.out.find("codex: model") == std::string::npos);
  CHECK(h.t.read(h.p(".codex/config.toml")).rfind("model = \"o4-mini\"\n", 0) == 0);
  auto oc = nlohmann::json::parse(h.t.read(h.p(".config/opencode/opencode.json")));
  CHECK_FALSE(oc.contains("model"));
  // The gateway is back: a bare `lwgw setup` re-applies and now pins served models.
  StandIn gw({"--models", "gpt-5-mini,claude-haiku-4-5-20251001"});
  h.env.set("LWGW_GATEWAY_URL", gw.url());
  auto again = run_inproc({"setup", "--no-service"}, h.env);
  CHECK(again.code == 0);
  CHECK(again.out.find("codex: model gpt-5-mini (served)\n") != std::string::npos);
  CHECK(h.t.read(h.p(".codex/config.toml")).rfind("model = \"gpt-5-mini\"\n", 0) == 0);
  oc = nlohmann::json::parse(h.t.read(h.p(".config/opencode/opencode.json")));
  CHECK(oc["model"] == "lwgw/gpt-5-mini");
  CHECK(oc["provider"]["lwgw"]["models"].size() == 2);
  // Down again: the served list opencode's provider had stays, and so do the pinned models.
  h.env.set("LWGW_GATEWAY_URL", "http://127.0.0.1:" + std::to_string(unused_port()));
  CHECK(run_inproc({"setup", "--no-service"}, h.env).code == 0);
  oc = nlohmann::json::parse(h.t.read(h.p(".config/opencode/opencode.json")));
  CHECK(oc["provider"]["lwgw"]["models"].size() == 2);
  CHECK(oc["model"] == "lwgw/gpt-5-mini");
  CHECK(run_inproc({"teardown", "--all"}, h.env).code == 0);
  CHECK(h.t.read(h.p(".codex/config.toml")) == "model = \"o4-mini\"\n");
}

TEST_CASE("aider: a model line of the user's own is left to them, with a warning") {
  Served s("gpt-5-mini,gpt-5");
  Home& h = s.h;
  h.t.write(h.p(".aider.conf.yml"), "model: openai/o4-mini\n");
  auto r = run_inproc({"setup", "aider", "--no-service"}, h.env);
  CHECK(r.code == 0);
  CHECK(r.err.find("~/.aider.conf.yml:1: `model` is set here, so Aider keeps it instead of gpt-5 "
                   "(served)") != std::string::npos);
  std::string text = h.t.read(h.p(".aider.conf.yml"));
  CHECK(text.find("model: \"openai/gpt-5\"") == std::string::npos);
  CHECK(text.find("weak-model: \"openai/gpt-5-mini\"") != std::string::npos);
  // Asked for by name, it is refused as before: the user's line would win.
  auto flag = run_inproc({"setup", "aider", "--model", "gpt-5", "--no-service"}, h.env);
  CHECK(flag.code == 3);
  CHECK(flag.err.find("`model` is already set here; remove that line") != std::string::npos);
  // A served model of the user's own stays theirs.
  Served ok("gpt-5-mini,gpt-5");
  ok.h.t.write(ok.h.p(".aider.conf.yml"), "model: openai/gpt-5\n");
  auto kept = run_inproc({"setup", "aider", "--no-service"}, ok.h.env);
  CHECK(kept.code == 0);
  CHECK(kept.err.find("warning") == std::string::npos);
  CHECK(kept.out.find("aider: model gpt-5 (served, as configured)") != std::string::npos);
}

TEST_CASE("opencode: the models map comes from the gateway's GET /v1/models when it answers") {
  LoopbackServer gw([](httplib::Server& s) {
    s.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(
          R"({"object":"list","data":[{"id":"gw-a","object":"model","created":0,"owned_by":"x"},{"id":"gw-b","object":"model","created":0,"owned_by":"x"}]})",
          "application/json");
    });
  });
  Home h(true);
  h.env.set("LWGW_GATEWAY_URL", gw.url());
  auto r = run_inproc({"setup", "opencode", "--no-service"}, h.env);
  CHECK(r.code == 0);
  CHECK(r.out.find("models the gateway serves: gw-a, gw-b") != std::string::npos);
  nlohmann::json doc = nlohmann::json::parse(h.t.read(h.p(".config/opencode/opencode.json")));
  auto& p = doc["provider"]["lwgw"];
  CHECK(p["npm"] == "@ai-sdk/openai-compatible");
  CHECK(p["options"]["baseURL"] == "http://127.0.0.1:5566/v1");
  CHECK(p["options"]["apiKey"] == "{env:LWGW_API_KEY}");
  CHECK(p["models"].size() == 2);
  CHECK(p["models"].contains("gw-a"));
}

TEST_CASE("two setups cannot interleave: the second one fails while the lock is held") {
  Home h;
  auto lockfile = h.p(".local/state/lwgw/setup.lock");
  stdfs::create_directories(lockfile.parent_path());
  int fd = ::open(lockfile.c_str(), O_RDWR | O_CREAT, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  auto r = run_inproc({"setup", "codex", "--no-service"}, h.env);
  CHECK(r.code == 1);
  CHECK(r.err.find("another `lwgw setup`") != std::string::npos);
  CHECK_FALSE(stdfs::exists(h.p(".codex/config.toml")));
  ::close(fd);
  CHECK(run_inproc({"setup", "codex", "--no-service"}, h.env).code == 0);
}

TEST_CASE("bash: a ~/.bash_profile that does not source ~/.bashrc is pointed out") {
  Home h;
  h.t.write(h.p(".bash_profile"), "export PATH=$HOME/bin:$PATH\n");
  auto r = run_inproc({"setup", "codex", "--no-service"}, h.env);
  CHECK(r.err.find("~/.bash_profile does not source ~/.bashrc") != std::string::npos);
  Home ok;
  ok.t.write(ok.p(".bash_profile"), "[ -f ~/.bashrc ] && . ~/.bashrc\n");
  CHECK(run_inproc({"setup", "codex", "--no-service"}, ok.env).err.find("bash_profile") ==
        std::string::npos);
}

TEST_CASE("--shell picks the rc files; the default comes from $SHELL") {
  Home h;
  h.env.set("SHELL", "/usr/bin/zsh");
  h.env.set("ZDOTDIR", (h.t.home() / "zdot").string());
  CHECK(run_inproc({"setup", "codex", "--no-service"}, h.env).code == 0);
  CHECK(stdfs::exists(h.p("zdot/.zshrc")));
  CHECK_FALSE(stdfs::exists(h.p(".bashrc")));
  CHECK(run_inproc({"setup", "codex", "--shell", "fish", "--no-service"}, h.env).code == 0);
  CHECK(stdfs::exists(h.p(".config/fish/conf.d/lwgw.fish")));
  check_syntax(h);
  CHECK(run_inproc({"teardown", "codex"}, h.env).code == 0);
  CHECK_FALSE(stdfs::exists(h.p("zdot/.zshrc")));
  CHECK_FALSE(stdfs::exists(h.p(".config/fish/conf.d/lwgw.fish")));
}

TEST_CASE("env prints the exports for eval; --api-key only the key") {
  Home h(true);
  auto r = run_bin({"env", "--shell", "bash"}, h.env);
  CHECK(r.code == 0);
  auto sh = process::run({"bash", "-c",
                          "eval \"$1\"; printf '%s %s %s' \"$LWGW_API_KEY\" "
                          "\"$GOOGLE_GEMINI_BASE_URL\" \"$GEMINI_API_KEY\"",
                          "x", r.out},
                         "", h.env);
  CHECK(sh.out == kToken + " http://127.0.0.1:5566 " + kToken);
  CHECK(r.out.find(kVk) == std::string::npos);
  auto f = run_bin({"env", "--shell", "fish"}, h.env);
  CHECK(process::run({"fish", "--no-config", "-n", "-c", f.out}, "", h.env).exit_code == 0);
  auto d = run_bin({"env", "--direct"}, h.env);
  CHECK(d.out.find("export LWGW_API_KEY='" + kVk + "'") != std::string::npos);
  CHECK(run_bin({"env", "--api-key"}, h.env).out == kToken + "\n");
  Home none(false);
  CHECK(run_inproc({"env", "--direct"}, none.env).code == 3);
}

TEST_CASE("exec runs the CLI from PATH with the settings in its environment only") {
  Home h;
  auto bin = h.t.root() / "bin";
  stdfs::create_directories(bin);
  auto script = bin / "codex";
  h.t.write(script,
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$HOME/../args\"\nprintf '%s' \"$LWGW_API_KEY\" > "
            "\"$HOME/../key\"\nexit 7\n");
  ::chmod(script.c_str(), 0755);
  h.env.set("PATH", bin.string() + ":/usr/bin:/bin");
  const std::string listen = "127.0.0.1:" + std::to_string(unused_port());
  h.env.set("LWGW_LISTEN", listen);
  Tree before = snapshot(h.t);
  auto r = run_bin({"exec", "codex", "--", "exec", "hello"}, h.env);
  CHECK(r.code == 7);  // the process was replaced by the CLI
  CHECK(r.err.find("started the proxy on http://" + listen) != std::string::npos);
  CHECK(h.t.read(h.t.root() / "key") == kToken);
  CHECK(h.t.read(h.t.root() / "args") ==
        "-c\nmodel_provider=\"lwgw\"\n-c\nmodel_providers.lwgw={ name = \"LangWatch AI Gateway "
        "(lwgw)\", "
        "base_url = \"http://" +
            listen +
            "/v1\", env_key = \"LWGW_API_KEY\", wire_api = "
            "\"responses\" }\nexec\nhello\n");
  CHECK(snapshot(h.t) == before);  // no dotfile touched
  CHECK(run_bin({"down"}, h.env).code == 0);
  auto missing = run_bin({"exec", "aider"}, h.env);
  CHECK(missing.code == 1);
  CHECK(missing.err.find("not on PATH") != std::string::npos);
  CHECK(run_bin({"exec", "cursor"}, h.env).code == 2);
}

TEST_CASE("exec_plan: each CLI's environment") {
  setup::Target t{setup::Mode::kProxy, "http://127.0.0.1:5566", kToken, "/usr/bin/lwgw"};
  Env env;
  env.set("ANTHROPIC_API_KEY", "sk-ant-user");
  auto c = setup::exec_plan("claude-code", t, {"-p", "hi"}, env, "/run/lwgw", std::nullopt);
  CHECK(c.argv == std::vector<std::string>{"claude", "-p", "hi"});
  CHECK(c.env.get("ANTHROPIC_BASE_URL") == "http://127.0.0.1:5566");
  CHECK(c.env.get("ANTHROPIC_AUTH_TOKEN") == kToken);
  CHECK_FALSE(c.env.get("ANTHROPIC_API_KEY"));
  CHECK(c.env.get("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC") == "1");

  auto g = setup::exec_plan("gemini-cli", t, {}, env, "/run/lwgw",
                            std::string("{\"general\": {\"disableAutoUpdate\": true}}"));
  CHECK(g.env.get("GOOGLE_GEMINI_BASE_URL") == "http://127.0.0.1:5566");
  CHECK(g.env.get("GEMINI_API_KEY") == kToken);
  // Gemini 0.61 ignores a system settings file that is not root-owned all the way up, so the
  // override is a shadow home (GEMINI_CLI_HOME), not GEMINI_CLI_SYSTEM_SETTINGS_PATH.
  CHECK(g.env.get("GEMINI_CLI_HOME") == "/run/lwgw/gemini-home");
  CHECK_FALSE(g.env.get("GEMINI_CLI_SYSTEM_SETTINGS_PATH"));
  REQUIRE(g.file);
  CHECK(g.file->first == std::filesystem::path("/run/lwgw/gemini-home/.gemini/settings.json"));
  auto gs = nlohmann::json::parse(g.file->second);
  CHECK(gs["security"]["auth"]["selectedType"] == "gemini-api-key");
  CHECK(gs["privacy"]["usageStatisticsEnabled"] == false);
  CHECK(gs["general"]["disableAutoUpdate"] == true);  // the user's settings are kept

  auto o = setup::exec_plan("opencode", t, {"run", "x"}, env, "/run/lwgw", std::nullopt);
  auto oc = nlohmann::json::parse(*o.env.get("OPENCODE_CONFIG_CONTENT"));
  CHECK(oc["provider"]["lwgw"]["options"]["baseURL"] == "http://127.0.0.1:5566/v1");
  CHECK(oc["provider"]["lwgw"]["options"]["apiKey"] == kToken);
  CHECK(o.argv == std::vector<std::string>{"opencode", "run", "x"});

  auto a = setup::exec_plan("aider", t, {}, env, "/run/lwgw", std::nullopt);
  CHECK(a.env.get("AIDER_OPENAI_API_BASE") == "http://127.0.0.1:5566/v1");
  CHECK(a.env.get("AIDER_OPENAI_API_KEY") == kToken);
  CHECK_FALSE(a.env.get("OPENAI_API_KEY"));
  for (const auto& plan : {c, g, o, a})
    for (const auto& arg : plan.argv)
      CHECK(arg.find(kToken) == std::string::npos);  // never in argv
}

TEST_CASE("teardown refuses a file broken since setup, leaves it and the shell hook in place") {
  Home h;
  REQUIRE(run_inproc({"setup", "gemini-cli", "--no-service"}, h.env).code == 0);
  h.t.write(h.p(".gemini/settings.json"), "{\"broken\": ");
  Tree before = snapshot(h.t);
  auto dry = run_inproc({"teardown", "--all", "--dry-run"}, h.env);
  CHECK(dry.code == 3);
  CHECK(dry.out.find(".bashrc") == std::string::npos);
  auto r = run_inproc({"teardown", "gemini-cli"}, h.env);
  CHECK(r.code == 3);
  CHECK(r.err.find("~/.gemini/settings.json:1:") != std::string::npos);
  CHECK(snapshot(h.t) == before);
  // Once fixed, teardown finishes the job.
  h.t.write(h.p(".gemini/settings.json"),
            "{\"security\": {\"auth\": {\"selectedType\": \"gemini-api-key\"}}}\n");
  CHECK(run_inproc({"teardown", "gemini-cli"}, h.env).code == 0);
  CHECK_FALSE(stdfs::exists(h.p(".gemini/settings.json")));
  CHECK_FALSE(stdfs::exists(h.p(".bashrc")));
}

TEST_CASE("setup records the served models `setup --model <TAB>` offers; --dry-run records none") {
  Served s("gpt-5-mini,gw-model");
  Home& h = s.h;
  CHECK(run_inproc({"setup", "codex", "--no-service", "--dry-run"}, h.env).code == 0);
  CHECK(run_inproc({"completion", "--values", "models"}, h.env).out.empty());
  CHECK(run_inproc({"setup", "codex", "--no-service"}, h.env).code == 0);
  CHECK(run_inproc({"completion", "--values", "models"}, h.env).out == "gpt-5-mini\ngw-model\n");
}
