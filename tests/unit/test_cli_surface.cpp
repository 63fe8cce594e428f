// The command line an engineer expects (issue 17): `lwgw help COMMAND`, "did you mean" for
// commands and CLI names (text and --json), the CLI aliases everywhere a CLI name is taken, and
// `lwgw exec CLI ARGS…` passing every argument after the CLI name on unchanged.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "lwgw/commands/table.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
namespace stdfs = std::filesystem;

namespace {

const std::string kToken = "lwgw_lt_TESTTOKENtesttoken0123456789abcdefghijklmno";
const std::string kVk = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";

bool has(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

// A logged-in HOME (stored key and local token) whose gateway does not answer, with a bin/ on
// PATH for fake CLIs.
struct Home {
  TempHome t;
  Env env = t.env();
  stdfs::path bin = t.root() / "bin";
  Home() {
    env.set("SHELL", "/bin/bash");
    env.set("LWGW_GATEWAY_URL", "http://127.0.0.1:" + std::to_string(unused_port()));
    env.set("LWGW_LISTEN", "127.0.0.1:" + std::to_string(unused_port()));
    stdfs::create_directories(bin);
    env.set("PATH", bin.string() + ":/usr/bin:/bin");
    t.write_credentials(kToken, kVk);
  }
  // A fake `name` on PATH that writes its arguments, one a line, and ANTHROPIC_BASE_URL.
  void fake_cli(const std::string& name) const {
    auto p = bin / name;
    t.write(p,
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$HOME/../args\"\n"
            "printf '%s' \"$ANTHROPIC_BASE_URL\" > \"$HOME/../base_url\"\nexit 0\n");
    ::chmod(p.c_str(), 0755);
  }
  std::string args() const { return t.read(t.root() / "args"); }
  std::string base_url() const { return t.read(t.root() / "base_url"); }
};

}  // namespace

TEST_CASE("help COMMAND prints what COMMAND --help prints; help alone is --help") {
  TempHome t;
  for (const auto& c : command_table()) {
    auto help = run_inproc({"help", c.name}, t.env());
    auto flag = run_inproc({c.name, "--help"}, t.env());
    CHECK_MESSAGE(help.code == 0, c.name << ": " << help.err);
    CHECK_MESSAGE(help.out == flag.out, c.name);
    CHECK_MESSAGE(!help.out.empty(), c.name);
  }
  auto top = run_bin({"help"}, t.env());
  CHECK(top.code == 0);
  CHECK(top.out == run_bin({"--help"}, t.env()).out);
  CHECK(has(top.out, "lwgw help <command>"));
  auto sub = run_inproc({"help", "config", "set"}, t.env());
  CHECK(sub.code == 0);
  CHECK(sub.out == run_inproc({"config", "set", "--help"}, t.env()).out);
  // Global options before `help` still work.
  CHECK(run_inproc({"--no-color", "help", "setup"}, t.env()).out ==
        run_inproc({"setup", "--help"}, t.env()).out);
}

TEST_CASE("help with an unknown command is a usage error with a suggestion") {
  TempHome t;
  auto r = run_bin({"help", "stup"}, t.env());
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("lwgw: error: unknown command 'stup'; did you mean 'setup'?\n", 0) == 0);
  auto none = run_bin({"help", "nosuch"}, t.env());
  CHECK(none.code == 2);
  CHECK(has(none.err, "unknown command 'nosuch'"));
  CHECK_FALSE(has(none.err, "did you mean"));
}

TEST_CASE("an unknown command suggests the closest one, exit 2, also with --json") {
  TempHome t;
  auto r = run_bin({"stup"}, t.env());
  CHECK(r.code == 2);
  CHECK(r.err.rfind("lwgw: error: unknown command 'stup'; did you mean 'setup'?\n", 0) == 0);
  CHECK(has(r.err, "lwgw --help"));
  CHECK(has(run_bin({"-v", "statsu"}, t.env()).err, "did you mean 'status'?"));
  CHECK(has(run_bin({"--config", "x.toml", "dwn"}, t.env()).err, "did you mean 'down'?"));
  auto far = run_bin({"frobnicate"}, t.env());
  CHECK(far.code == 2);
  CHECK(has(far.err, "unknown command 'frobnicate'\n"));

  auto j = run_bin({"--json", "stup"}, t.env());
  CHECK(j.code == 2);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["error"]["code"] == "usage");
  CHECK(doc["error"]["exit"] == 2);
  CHECK(doc["error"]["message"] == "unknown command 'stup'; did you mean 'setup'?");
}

TEST_CASE("an unknown CLI name suggests the closest, lists the names, exit 2, for every command") {
  Home h;
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"setup", "claud-code", "--no-service"},
                                             {"setup", "codex", "claud-code", "--dry-run"},
                                             {"teardown", "claud-code"},
                                             {"exec", "claud-code", "-p", "hi"},
                                             {"doctor", "--cli", "claud-code"}}) {
    INFO(args[0] << " " << args[1]);
    auto r = run_bin(args, h.env);
    CHECK(r.code == 2);
    CHECK(has(r.err, "unknown CLI 'claud-code'; did you mean 'claude-code'?"));
    CHECK(has(r.err,
              "claude-code (alias claude), codex, gemini-cli (alias gemini), opencode, "
              "cursor (alias cursor-agent), aider"));
  }
  auto far = run_bin({"setup", "vim"}, h.env);
  CHECK(far.code == 2);
  CHECK(has(far.err, "unknown CLI 'vim' (one of: "));
  CHECK(has(run_bin({"doctor", "gatway"}, h.env).err, "did you mean 'gateway'?"));

  auto j = run_bin({"--json", "setup", "claud-code"}, h.env);
  CHECK(j.code == 2);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["error"]["code"] == "usage");
  CHECK(doc["error"]["exit"] == 2);
  CHECK(has(doc["error"]["message"].get<std::string>(), "did you mean 'claude-code'?"));
  CHECK(!stdfs::exists(h.t.home() / ".claude"));  // nothing was written
}

TEST_CASE("the help of commands taking a CLI name lists the names and their aliases") {
  TempHome t;
  for (const char* cmd : {"setup", "teardown", "exec", "doctor"}) {
    auto r = run_inproc({cmd, "--help"}, t.env());
    CHECK_MESSAGE(has(r.out, "claude-code (alias claude)"), cmd);
    CHECK_MESSAGE(has(r.out, "gemini-cli (alias gemini)"), cmd);
    CHECK_MESSAGE(has(r.out, "cursor (alias cursor-agent)"), cmd);
  }
}

TEST_CASE("aliases: setup, teardown, exec and doctor take claude, gemini, cursor-agent") {
  Home h;
  auto s = run_inproc({"setup", "claude", "gemini", "--no-service"}, h.env);
  REQUIRE_MESSAGE(s.code == 0, s.err);
  CHECK(has(s.out, "claude-code"));
  CHECK(has(s.out, "gemini-cli"));
  // The real names are what is recorded.
  auto manifest = h.t.read(h.t.home() / ".local/state/lwgw/setup-manifest.json");
  CHECK(has(manifest, "\"claude-code\""));
  CHECK(has(manifest, "\"gemini-cli\""));
  CHECK_FALSE(has(manifest, "\"claude\""));
  CHECK_FALSE(has(manifest, "\"gemini\""));
  CHECK(has(h.t.read(h.t.home() / ".claude/settings.json"), "ANTHROPIC_BASE_URL"));

  auto td = run_inproc({"teardown", "claude"}, h.env);
  CHECK_MESSAGE(td.code == 0, td.err);
  CHECK(has(td.out, "claude-code"));
  CHECK_FALSE(stdfs::exists(h.t.home() / ".claude/settings.json"));
  CHECK(has(h.t.read(h.t.home() / ".gemini/settings.json"), "gemini-api-key"));  // still set up
  CHECK(run_inproc({"teardown", "gemini"}, h.env).code == 0);

  h.fake_cli("claude");
  auto e = run_bin({"exec", "--direct", "claude", "-p", "hi"}, h.env);
  CHECK_MESSAGE(e.code == 0, e.err);
  CHECK(h.args() == "-p\nhi\n");
  // Cursor has no exec plan: the alias finds it, and exec says why it cannot run it.
  auto c = run_bin({"exec", "cursor-agent"}, h.env);
  CHECK(c.code == 2);
  CHECK_FALSE(has(c.err, "unknown CLI"));

  auto d = run_bin({"doctor", "--cli", "cursor-agent", "lwgw"}, h.env);
  CHECK_FALSE(has(d.err, "unknown CLI"));
  CHECK(d.code != 2);
}

TEST_CASE("exec passes every argument after the CLI name on unchanged, with or without --") {
  Home h;
  h.fake_cli("claude");
  const std::string gw = h.env.get_or("LWGW_GATEWAY_URL", "");
  // Options after the name are the CLI's, even ones lwgw also has (--direct, --help, --json).
  auto r = run_bin({"exec", "--direct", "claude-code", "-p", "hi", "--model", "x", "--direct",
                    "--help", "--json"},
                   h.env);
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(h.args() == "-p\nhi\n--model\nx\n--direct\n--help\n--json\n");
  CHECK(h.base_url() == gw);  // lwgw's --direct, before the name, was lwgw's
  // `--` right after the name is not passed on; a second one is.
  REQUIRE(run_bin({"exec", "--direct", "claude", "--", "-p", "hi"}, h.env).code == 0);
  CHECK(h.args() == "-p\nhi\n");
  REQUIRE(run_bin({"exec", "--direct", "claude", "--", "--", "-x"}, h.env).code == 0);
  CHECK(h.args() == "--\n-x\n");
  REQUIRE(run_bin({"exec", "--direct", "claude", "a", "--", "b"}, h.env).code == 0);
  CHECK(h.args() == "a\n--\nb\n");
  // A --json before `exec` is lwgw's: refused (the output would be the CLI's), the CLI not run.
  REQUIRE(run_bin({"exec", "--direct", "claude"}, h.env).code == 0);
  CHECK(h.args() == "\n");  // printf with no argument prints one empty line
  auto json = run_bin({"--json", "exec", "--direct", "claude", "-p", "x"}, h.env);
  CHECK(json.code == 2);
  CHECK(json.out.find("--json does not apply to `exec`") != std::string::npos);
  CHECK(h.args() == "\n");  // unchanged: the CLI did not run
  // lwgw's options after the name are no longer lwgw's: --no-start goes to the CLI too.
  REQUIRE(run_bin({"exec", "--direct", "claude", "--no-start"}, h.env).code == 0);
  CHECK(h.args() == "--no-start\n");
}
