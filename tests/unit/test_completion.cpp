// Shell completion, driven in each shell: option values, this machine's values (the CLIs set up,
// the cached models) through the hidden `completion --values`, options only after '-'.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "lwgw/commands/table.hpp"
#include "lwgw/config.hpp"
#include "lwgw/process.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
namespace stdfs = std::filesystem;

namespace {

std::string sq(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (auto tab = l.find('\t'); tab != std::string::npos) l.resize(tab);  // fish: "word\tabout"
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

/// A HOME with the built lwgw on PATH (the scripts call `lwgw completion --values`) and a
/// working directory holding one file, so a completion that lists files shows `notes.txt`.
struct Shells {
  TempHome t;
  Env env;
  stdfs::path cwd;
  Shells() : env(t.env()), cwd(t.root() / "cwd") {
    env.set("PATH", stdfs::path(LWGW_BIN).parent_path().string() + ":" + *env.get("PATH"));
    t.write(cwd / "notes.txt", "x\n");
  }
  bool has(const std::string& shell) const { return process::find_in_path(shell, env).has_value(); }
  stdfs::path script(const std::string& shell) {
    auto file = t.root() / ("lwgw-completion." + shell);
    if (!stdfs::exists(file)) {
      auto r = run_bin({"completion", shell}, env);
      REQUIRE(r.code == 0);
      t.write(file, r.out);
    }
    return file;
  }
  void set_up(const std::vector<std::string>& clis) {
    std::string doc = "{\"version\": 1, \"clis\": {";
    for (size_t i = 0; i < clis.size(); ++i)
      doc += (i ? ", \"" : "\"") + clis[i] + "\": {\"mode\": \"proxy\"}";
    t.write(t.home() / ".local/state/lwgw/setup-manifest.json", doc + "}, \"files\": {}}\n");
  }
  /// Records `models` as served by the default gateway.url (the one this HOME uses).
  void cache_models(const std::vector<std::string>& models) {
    std::string doc = "{\"gateway\": \"https://gateway.langwatch.ai\", \"models\": [";
    for (size_t i = 0; i < models.size(); ++i) doc += (i ? ", \"" : "\"") + models[i] + "\"";
    t.write(t.home() / ".local/state/lwgw/models.json", doc + "]}\n");
  }

  /// The candidates `shell` offers for `words` (the last one is the word being completed).
  std::vector<std::string> complete(const std::string& shell,
                                    const std::vector<std::string>& words) {
    std::string quoted;
    for (const auto& w : words) quoted += " " + sq(w);
    std::string code;
    if (shell == "bash") {
      code = "cd " + sq(cwd.string()) + "\nsource " + sq(script("bash").string()) +
             "\nCOMP_WORDS=(" + quoted + ")\nCOMP_CWORD=" + std::to_string(words.size() - 1) +
             "\n_lwgw\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    } else if (shell == "zsh") {
      // No completion system outside an interactive shell: its builtins stubbed to print what
      // they are given (no prefix filter, so only context is checked here).
      code = "cd " + sq(cwd.string()) +
             "\ncompdef() { : }\n"
             "compadd() { while [[ $1 == -* && $1 != -- ]]; do shift; done; "
             "[[ $1 == -- ]] && shift; print -rl -- \"$@\" }\n"
             "_describe() { local e; for e in ${(P)${@[-1]}}; do print -r -- ${e%%:*}; done }\n"
             "_files() { print -rl -- *(N) }\n"
             "source " +
             sq(script("zsh").string()) + "\nwords=(" + quoted +
             ")\nCURRENT=" + std::to_string(words.size()) + "\n_lwgw\n";
    } else {
      std::string line;
      for (const auto& w : words) line += (line.empty() ? "" : " ") + w;
      code = "cd " + sq(cwd.string()) + "; source " + sq(script("fish").string()) +
             "; complete -C " + sq(line);
    }
    auto r = process::run({shell, "-c", code}, "", env);
    CHECK_MESSAGE(r.err.empty(), shell << ": " << r.err);
    return lines(r.out);
  }
};

bool has(const std::vector<std::string>& v, const std::string& w) {
  return std::find(v.begin(), v.end(), w) != v.end();
}

std::string shown(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& w : v) s += w + " ";
  return s;
}

/// A line, what it must offer and what it must not; `nothing`: it offers no candidate at all.
struct Case {
  std::vector<std::string> words;
  std::vector<std::string> want;
  std::vector<std::string> not_want;
  bool nothing = false;
};

void check_cases(Shells& s, const std::vector<Case>& cases) {
  for (const std::string shell : {"bash", "zsh", "fish"}) {
    if (!s.has(shell)) {
      MESSAGE("skipped in " << shell << ": it is not installed (packaging/deps.sh installs it)");
      continue;
    }
    for (const auto& c : cases) {
      auto got = s.complete(shell, c.words);
      std::string line;
      for (const auto& w : c.words) line += "'" + w + "' ";
      INFO(shell << ": " << line << "-> " << shown(got));
      if (c.nothing) CHECK(got.empty());
      for (const auto& w : c.want) CHECK_MESSAGE(has(got, w), "wanted " << w);
      for (const auto& w : c.not_want) CHECK_MESSAGE(!has(got, w), "unwanted " << w);
    }
  }
}

}  // namespace

TEST_CASE("completion --values: the CLIs set up, the cached models, the config keys; offline") {
  TempHome t;
  Env env = t.env();
  // Nothing recorded: nothing offered (not every CLI, not a network call).
  auto none = run_inproc({"completion", "--values", "teardown-clis"}, env);
  CHECK(none.code == 0);
  CHECK(none.out.empty());
  CHECK(run_inproc({"completion", "--values", "models"}, env).out.empty());
  t.write(t.home() / ".local/state/lwgw/setup-manifest.json",
          "{\"version\": 1, \"clis\": {\"codex\": {\"mode\": \"proxy\"}, \"aider\": {\"mode\": "
          "\"direct\"}}, \"files\": {}}\n");
  CHECK(run_inproc({"completion", "--values", "teardown-clis"}, env).out == "aider\ncodex\n");
  t.write(t.home() / ".local/state/lwgw/models.json",
          "{\"gateway\": \"https://gateway.langwatch.ai/\", \"models\": [\"m-1\", \"m-2\"]}\n");
  CHECK(run_inproc({"completion", "--values", "models"}, env).out == "m-1\nm-2\n");
  // Recorded for another gateway than gateway.url: not offered.
  env.set("LWGW_GATEWAY_URL", "https://other.example.com");
  CHECK(run_inproc({"completion", "--values", "models"}, env).out.empty());
  env.unset("LWGW_GATEWAY_URL");
  auto keys = run_inproc({"completion", "--values", "config-keys"}, env).out;
  for (const auto& k : config_keys()) CHECK(keys.find(k.name + "\n") != std::string::npos);
  // A broken manifest or cache: still nothing, and no error on the user's prompt.
  t.write(t.home() / ".local/state/lwgw/setup-manifest.json", "{not json");
  t.write(t.home() / ".local/state/lwgw/models.json", "[");
  auto broken = run_inproc({"completion", "--values", "teardown-clis"}, env);
  CHECK(broken.code == 0);
  CHECK(broken.out.empty());
  CHECK(broken.err.empty());
  CHECK(run_inproc({"completion", "--values", "models"}, env).out.empty());
  CHECK(run_inproc({"completion", "--values", "bogus"}, env).code == 2);
  // An internal helper: in neither help, but `completion` still needs a shell without it.
  CHECK(run_inproc({"--help"}, env).out.find("--values") == std::string::npos);
  CHECK(run_inproc({"completion", "--help"}, env).out.find("--values") == std::string::npos);
  CHECK(run_inproc({"completion"}, env).code == 2);
}

TEST_CASE("every option value and argument declares what it completes to") {
  // The generator refuses an undeclared value option (a test catches it here, not a user); the
  // table names nothing the command tree does not have.
  TempHome t;
  auto r = run_inproc({"completion", "bash"}, t.env());
  REQUIRE_MESSAGE(r.code == 0, r.err);
  for (const auto& spec : value_specs()) {
    const std::string cmd = spec.command.substr(0, spec.command.find(' '));
    std::vector<std::string> help_args{cmd};
    if (cmd != spec.command) help_args.push_back(spec.command.substr(cmd.size() + 1));
    help_args.push_back("--help");
    auto help = run_inproc(help_args, t.env());
    CHECK_MESSAGE(help.out.find(spec.name) != std::string::npos,
                  spec.command << " " << spec.name << " is not in its help");
  }
}

TEST_CASE("completion offers option values: words, files only for paths, nothing for numbers") {
  Shells s;
  s.cache_models({"gw-fast", "gw-smart"});
  check_cases(
      s, {
             {{"lwgw", "setup", "--shell", ""}, {"bash", "zsh", "fish", "all"}, {"notes.txt"}},
             {{"lwgw", "env", "--shell", ""}, {"bash", "zsh", "fish"}, {"all", "notes.txt"}},
             {{"lwgw", "setup", "--model", ""}, {"gw-fast", "gw-smart"}, {"notes.txt", "codex"}},
             {{"lwgw", "setup", "codex", "--small-model", ""}, {"gw-smart"}, {"notes.txt"}},
             {{"lwgw", "doctor", "--cli", ""}, cli_names(), {"notes.txt"}},
             {{"lwgw", "diff", "--baseline", ""}, {"builtin", "notes.txt"}, {}},
             {{"lwgw", "diff", "--record", ""}, {"notes.txt"}, {}},
             {{"lwgw", "doctor", "--report", ""}, {"notes.txt"}, {}},
             {{"lwgw", "--config", ""}, {"notes.txt"}, {"setup"}},
             {{"lwgw", "status", "--config", ""}, {"notes.txt"}, {}},
             {{"lwgw", "down", "--timeout", ""}, {}, {}, true},
             {{"lwgw", "logs", "-n", ""}, {}, {}, true},
             {{"lwgw", "up", "--listen", ""}, {}, {}, true},
             {{"lwgw", "login", "--gateway", ""}, {}, {}, true},
             // The value consumed by --shell is not taken for a CLI name.
             {{"lwgw", "setup", "--shell", "zsh", ""}, {"codex", "aider"}, {"bash"}},
         });
}

TEST_CASE("completion offers config keys and, for an enumeration, the key's values") {
  Shells s;
  check_cases(
      s, {
             {{"lwgw", "config", ""}, {"get", "set", "show", "unset"}, {"--help"}},
             {{"lwgw", "config", "get", ""}, {"proxy.listen", "log.level"}, {"true"}},
             {{"lwgw", "config", "unset", ""}, {"gateway.url"}, {}},
             {{"lwgw", "config", "set", ""}, {"proxy.allow_remote"}, {"true"}},
             {{"lwgw", "config", "set", "proxy.allow_remote", ""}, {"true", "false"}, {}},
             {{"lwgw", "config", "set", "log.level", ""},
              {"error", "warn", "info", "debug", "trace"},
              {"log.level"}},
             {{"lwgw", "config", "set", "credentials.store", ""}, {"auto", "file", "keychain"}, {}},
             {{"lwgw", "config", "set", "gateway.ca_file", ""}, {"notes.txt"}, {}},
             {{"lwgw", "config", "set", "proxy.listen", ""}, {}, {}, true},
             {{"lwgw", "config", "set", "proxy.max_body_mib", ""}, {}, {}, true},
             {{"lwgw", "config", "set", "log.level", "info", ""}, {}, {}, true},
             {{"lwgw", "config", "get", "log.level", ""}, {}, {}, true},
         });
}

TEST_CASE("teardown offers only the CLIs set up; none when setup recorded none") {
  Shells s;
  check_cases(s, {{{"lwgw", "teardown", ""}, {}, {}, true}});
  s.set_up({"codex", "opencode"});
  check_cases(s, {
                     {{"lwgw", "teardown", ""}, {"codex", "opencode"}, {"aider", "claude-code"}},
                     {{"lwgw", "teardown", "codex", ""}, {"opencode"}, {"aider"}},
                     // setup and exec still offer every CLI.
                     {{"lwgw", "setup", ""}, cli_names(), {}},
                     {{"lwgw", "exec", ""}, cli_names(), {}},
                 });
}

TEST_CASE("completion offers options only after '-', each once") {
  Shells s;
  check_cases(s, {
                     {{"lwgw", ""}, {"setup", "teardown", "config"}, {"--help", "-h", "--json"}},
                     {{"lwgw", "setup", ""}, {"codex"}, {"--help", "--all", "--json"}},
                     {{"lwgw", "status", ""}, {}, {}, true},
                     {{"lwgw", "exec", "codex", ""}, {}, {}, true},
                     {{"lwgw", "-"}, {"--help", "--json", "--config"}, {"setup"}},
                     {{"lwgw", "setup", "-"}, {"--all", "--model", "--help", "--json"}, {"codex"}},
                     {{"lwgw", "config", "set", "-"}, {"--help"}, {"log.level"}},
                 });
  for (const std::string shell : {"bash", "zsh", "fish"}) {
    if (!s.has(shell)) continue;
    for (const auto& words : std::vector<std::vector<std::string>>{
             {"lwgw", "-"}, {"lwgw", "setup", "-"}, {"lwgw", "config", "-"}}) {
      auto got = s.complete(shell, words);
      for (const std::string opt : {"--help", "-h", "--json"})
        CHECK_MESSAGE(std::count(got.begin(), got.end(), opt) == 1,
                      shell << ": " << words[1] << " offers " << opt << " "
                            << std::count(got.begin(), got.end(), opt) << " times");
    }
  }
}
