// The command surface: help, version, exit codes, not-implemented commands, completions.
#include <doctest/doctest.h>

#include "lwgw/commands/table.hpp"
#include "lwgw/doctor/registry.hpp"
#include "lwgw/process.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;

TEST_CASE("--help lists every command of the table and the exit codes") {
  TempHome t;
  auto r = run_bin({"--help"}, t.env());
  CHECK(r.code == 0);
  for (const auto& c : command_table())
    CHECK_MESSAGE(r.out.find(std::string("  ") + c.name) != std::string::npos, c.name);
  CHECK(r.out.find("Exit codes") != std::string::npos);
  auto sub = run_bin({"login", "--help"}, t.env());
  CHECK(sub.code == 0);
  CHECK(sub.out.find("--key-stdin") != std::string::npos);
  CHECK(sub.out.find("--key ") == std::string::npos);  // the refusing option stays hidden
}

TEST_CASE("--version and version print version, commit, build type and libraries") {
  TempHome t;
  auto a = run_bin({"--version"}, t.env());
  auto b = run_bin({"version"}, t.env());
  CHECK(a.code == 0);
  CHECK(a.out == b.out);
  CHECK(a.out.rfind("lwgw 0.", 0) == 0);
  CHECK(a.out.find("commit ") != std::string::npos);
  CHECK(a.out.find("libcurl") != std::string::npos);
  CHECK(a.out.find("libevent 2.") != std::string::npos);
}

TEST_CASE("usage errors exit 2 with a pointer to --help") {
  TempHome t;
  auto r = run_bin({"no-such-command"}, t.env());
  CHECK(r.code == 2);
  CHECK(r.err.rfind("lwgw: error: ", 0) == 0);
  CHECK(r.err.find("lwgw --help") != std::string::npos);
  CHECK(run_bin({"setup", "vim"}, t.env()).code == 2);
  CHECK(run_bin({"login", "--bogus"}, t.env()).code == 2);
  CHECK(run_bin({"config"}, t.env()).code == 2);
}

TEST_CASE("global options work before and after the command") {
  TempHome t;
  CHECK(run_inproc({"--json", "config", "get", "log.level"}, t.env()).out.find("\"value\"") !=
        std::string::npos);
  CHECK(run_inproc({"config", "get", "log.level", "--json"}, t.env()).out.find("\"value\"") !=
        std::string::npos);
  CHECK(run_inproc({"-q", "config", "show"}, t.env()).code == 0);
}

TEST_CASE("completion scripts are generated from the table and match completions/") {
  TempHome t;
  for (const auto& [shell, file] : std::vector<std::pair<std::string, std::string>>{
           {"bash", "lwgw.bash"}, {"zsh", "_lwgw"}, {"fish", "lwgw.fish"}}) {
    auto r = run_bin({"completion", shell}, t.env());
    REQUIRE(r.code == 0);
    for (const auto& c : command_table())
      CHECK_MESSAGE(r.out.find(c.name) != std::string::npos, (shell + " " + c.name));
    for (const auto& cli : cli_names()) CHECK(r.out.find(cli) != std::string::npos);
    CHECK(r.out.find("key-stdin") != std::string::npos);
    CHECK(r.out.find("proxy.listen") != std::string::npos);
    CHECK_MESSAGE(
        r.out == t.read(source_dir() / "completions" / file),
        (std::string("completions/") + file + " is stale: run `lwgw completion " + shell + "`"));
  }
}

TEST_CASE("completion scripts pass their shell's syntax check") {
  TempHome t;
  Env env = t.env();
  for (const std::string shell : {"bash", "zsh", "fish"}) {
    if (!process::find_in_path(shell, env)) {
      MESSAGE("skipped: " << shell << " is not installed");
      continue;
    }
    auto script = run_bin({"completion", shell}, env).out;
    auto file = t.root() / ("completion." + shell);
    t.write(file, script);
    auto r = process::run({shell, "-n", file.string()}, "", env);
    CHECK_MESSAGE(r.exit_code == 0, shell << ": " << r.err);
  }
}

TEST_CASE("bash completion completes commands, CLI names and config keys") {
  TempHome t;
  Env env = t.env();
  if (!process::find_in_path("bash", env)) return;
  auto file = t.root() / "c.bash";
  t.write(file, run_bin({"completion", "bash"}, env).out);
  auto complete = [&](const std::string& line) {
    std::string script = "source " + file.string() + "\nCOMP_WORDS=(" + line +
                         ")\nCOMP_CWORD=$((${#COMP_WORDS[@]}-1))\n"
                         "_lwgw\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    return process::run({"bash", "-c", script}, "", env).out;
  };
  CHECK(complete("lwgw se ''").find("setup") == std::string::npos);  // 'se' is not the current word
  CHECK(complete("lwgw se").find("setup") != std::string::npos);
  CHECK(complete("lwgw setup c").find("codex") != std::string::npos);
  CHECK(complete("lwgw setup c").find("claude-code") != std::string::npos);
  CHECK(complete("lwgw config get pro").find("proxy.listen") != std::string::npos);
  CHECK(complete("lwgw service i").find("install") != std::string::npos);
}

TEST_CASE("the man page documents every command, each its own entry, and passes groff") {
  TempHome t;
  auto man = t.read(source_dir() / "man" / "lwgw.1");
  for (const auto& c : command_table()) {
    bool documented = man.find(std::string("\n\\fB") + c.name) != std::string::npos ||
                      man.find(std::string("\n.B ") + c.name + "\n") != std::string::npos;
    CHECK_MESSAGE(documented, c.name);
  }
  Env env = t.env();
  if (!process::find_in_path("groff", env)) return;
  const std::string page = (source_dir() / "man" / "lwgw.1").string();
  auto r = process::run({"groff", "-man", "-ww", "-z", page}, "", env);
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK_MESSAGE(r.err.empty(), r.err);
  // Rendered: every command starts a tagged paragraph of its own in COMMANDS (a missing .TP
  // once folded `up` into the text of `exec`).
  auto text = process::run({"groff", "-man", "-Tutf8", "-P-c", "-P-b", "-P-u", page}, "", env);
  REQUIRE(text.exit_code == 0);
  const std::string& out = text.out;
  const size_t from = out.find("\nCOMMANDS\n"), to = out.find("\nCONFIGURATION\n");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  const std::string commands = out.substr(from, to - from);
  for (const auto& c : command_table()) {
    const std::string tag = "\n       " + std::string(c.name);
    const size_t at = commands.find(tag);
    const bool own = at != std::string::npos &&
                     (commands[at + tag.size()] == ' ' || commands[at + tag.size()] == '\n');
    CHECK_MESSAGE(own, c.name << " has no entry of its own in the rendered COMMANDS section");
  }
  // SEE ALSO names only pages that exist (the coding CLIs have none).
  const std::string see_also = out.substr(out.find("\nSEE ALSO\n"));
  for (const char* missing : {"claude(1)", "codex(1)", "gemini(1)"})
    CHECK_MESSAGE(see_also.find(missing) == std::string::npos, missing);
}

TEST_CASE(
    "the man page and the README name every doctor check id, the man page in an entry of its own") {
  TempHome t;
  std::string man = t.read(source_dir() / "man" / "lwgw.1");
  for (size_t at = man.find("\\-"); at != std::string::npos; at = man.find("\\-", at))
    man.replace(at, 2, "-");
  const std::string readme = t.read(source_dir() / "README.md");
  const size_t section = man.find("\n.SH DOCTOR CHECKS\n");
  REQUIRE(section != std::string::npos);
  for (const auto& c : doctor::all_checks()) {
    CHECK_MESSAGE(man.find("\n.TP\n.B " + c.id + "\n", section) != std::string::npos, c.id);
    CHECK_MESSAGE(readme.find("`" + c.id + "`") != std::string::npos, c.id);
  }
}
