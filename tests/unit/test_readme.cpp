// The README's quick start, run as written (issue 17): the commands of the block after
// `<!-- quickstart … -->` in README.md, in a temp HOME against the stand-in gateway. login (the key
// typed at its prompt) and setup must succeed, the CLI's configuration must point at lwgw's
// proxy, the new shell must get the settings, and the CLI line must run there as written.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lwgw/clis/profile.hpp"
#include "lwgw/process.hpp"
#include "standin_process.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
namespace stdfs = std::filesystem;

namespace {

const std::string kVK = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";

/// The lines of the fenced block after `<!-- quickstart … -->`.
std::vector<std::string> quickstart_lines(const std::string& readme) {
  const size_t mark = readme.find("<!-- quickstart");
  REQUIRE_MESSAGE(mark != std::string::npos, "README.md has no <!-- quickstart … --> block");
  const size_t fence = readme.find("```", mark);
  REQUIRE(fence != std::string::npos);
  const size_t body = readme.find('\n', fence) + 1;
  const size_t end = readme.find("\n```", body - 1);
  REQUIRE(end != std::string::npos);
  std::vector<std::string> lines;
  std::string text = readme.substr(body, end + 1 - body), line;
  for (std::istringstream in(text); std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// A command line's words as sh would split them (quotes; `#` starting a word begins a comment).
std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::string w;
  bool in_word = false;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        w += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) out.push_back(w);
      w.clear();
      in_word = false;
    } else if (c == '#' && !in_word) {
      break;
    } else {
      w += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(w);
  return out;
}

const clis::CliProfile* profile_of_binary(const std::string& word) {
  for (const clis::CliProfile* p : clis::all())
    if (p->binary == word) return p;
  return clis::find(word);
}

}  // namespace

TEST_CASE("README quick start: words() splits like sh") {
  CHECK(words("lwgw setup --all   # a comment") ==
        std::vector<std::string>{"lwgw", "setup", "--all"});
  CHECK(words("claude -p \"hello world\"  # x") ==
        std::vector<std::string>{"claude", "-p", "hello world"});
  CHECK(words("exec $SHELL") == std::vector<std::string>{"exec", "$SHELL"});
  CHECK(words("a#b ''") == std::vector<std::string>{"a#b", ""});
}

TEST_CASE("README quick start: login, setup, a new shell, the CLI, as written") {
  TempHome t;
  Env env = t.env();
  StandIn gw{{"--key", kVK}};
  const auto bin = t.root() / "bin";
  stdfs::create_directories(bin);
  env.set("PATH", bin.string() + ":/usr/local/bin:/usr/bin:/bin");
  env.set("SHELL", "/bin/bash");
  const std::string listen = "127.0.0.1:" + std::to_string(unused_port());
  env.set("LWGW_LISTEN", listen);  // never the default port another test or user may hold
  struct Down {
    const Env& env;
    ~Down() { run_bin({"down", "--timeout", "5"}, env); }
  } down{env};

  const auto lines = quickstart_lines(t.read(source_dir() / "README.md"));
  // login → setup → new shell → the CLI: four steps, the ones README promises.
  REQUIRE(lines.size() == 4);
  const auto login = words(lines[0]), setup = words(lines[1]), shell = words(lines[2]),
             cli = words(lines[3]);

  // 1. login: the gateway URL is the stand-in's, the key is typed at the prompt.
  REQUIRE(login.size() >= 2);
  REQUIRE(login[0] == "lwgw");
  REQUIRE(login[1] == "login");
  std::vector<std::string> args(login.begin() + 1, login.end());
  for (auto& a : args)
    if (a.rfind("https://", 0) == 0 || a.rfind("http://", 0) == 0) a = gw.url();
  bool prompted = false;
  auto l = run_inproc(args, env, "", /*tty=*/true, [&](const std::string&) {
    prompted = true;
    return std::optional<std::string>(kVK);
  });
  REQUIRE_MESSAGE(l.code == 0, lines[0] << "\n" << l.out << l.err);
  CHECK(prompted);
  CHECK(l.out.find("NOT verified") == std::string::npos);

  // 2. setup (no service manager in this HOME: it starts the proxy in the background).
  REQUIRE(setup.size() >= 2);
  REQUIRE(setup[0] == "lwgw");
  REQUIRE(setup[1] == "setup");
  auto s = run_bin(std::vector<std::string>(setup.begin() + 1, setup.end()), env);
  REQUIRE_MESSAGE(s.code == 0, lines[1] << "\n" << s.out << s.err);

  // 4's CLI (by its program name or an alias) is now set up, pointing at lwgw's proxy, which
  // answers (doctor compares its configuration with proxy.listen).
  REQUIRE(!cli.empty());
  const clis::CliProfile* p = profile_of_binary(cli[0]);
  REQUIRE_MESSAGE(p, lines[3] << ": no coding CLI runs as " << cli[0]);
  const std::string name(p->name);
  auto d = run_bin({"--json", "doctor", name + ".configured", name + ".proxy_up"}, env);
  auto doc = nlohmann::json::parse(d.out);
  int seen = 0;
  for (const auto& c : doc["checks"]) {
    const std::string id = c["id"];
    if (id != name + ".configured" && id != name + ".proxy_up") continue;
    ++seen;
    CHECK_MESSAGE(c["status"] == "ok", id << ": " << c.dump());
  }
  CHECK(seen == 2);
  if (name == "claude-code")
    CHECK(t.read(t.home() / ".claude/settings.json").find("\"http://" + listen + "\"") !=
          std::string::npos);

  // 3. + 4. A new shell (an interactive $SHELL reads its rc file) has the settings, and the CLI
  // line runs in it as written (a stand-in program of that name records what it got).
  REQUIRE(shell == std::vector<std::string>{"exec", "$SHELL"});
  auto fake = bin / cli[0];
  t.write(fake,
          "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$HOME/../cli-args\"\n"
          "printf '%s' \"$LWGW_API_KEY\" > \"$HOME/../cli-key\"\n");
  ::chmod(fake.c_str(), 0755);
  auto r = process::run({env.get_or("SHELL", ""), "-ic", lines[3]}, "", env);
  CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
  std::string expected;
  for (size_t i = 1; i < cli.size(); ++i) expected += cli[i] + "\n";
  if (cli.size() == 1) expected = "\n";
  CHECK(t.read(t.root() / "cli-args") == expected);
  auto token = run_bin({"env", "--api-key"}, env);
  REQUIRE(token.code == 0);
  CHECK(t.read(t.root() / "cli-key") + "\n" == token.out);  // the env file, sourced by the rc
}
