// Issue 17: what setup and teardown tell the user. Setup shows one table (CLI, installed, mode,
// file, change, model) and one Next steps block, says which CLIs are not installed, exits 1 when
// it leaves a CLI known to be broken, prints one line under -q and JSON under --json; teardown
// warns when what it restores breaks a CLI and says what keeps running.
#include <doctest/doctest.h>

#include <sstream>

#include <sys/stat.h>
#include <nlohmann/json.hpp>

#include "lwgw/setup/report.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
using namespace lwgw::setup;
namespace stdfs = std::filesystem;

namespace {

const std::string kToken = "lwgw_lt_TESTTOKENtesttoken0123456789abcdefghijklmno";
const std::string kVk = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";

bool has(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// A logged-in HOME whose gateway does not answer, with a PATH holding only `bins`.
struct Home {
  TempHome t;
  Env env = t.env();
  explicit Home(const std::vector<std::string>& bins = {}) {
    env.set("SHELL", "/bin/bash");
    env.set("LWGW_GATEWAY_URL", "http://127.0.0.1:" + std::to_string(unused_port()));
    env.set("LWGW_LISTEN", "127.0.0.1:" + std::to_string(unused_port()));
    t.write_credentials(kToken, kVk);
    const auto bin = t.root() / "bin";
    stdfs::create_directories(bin);
    for (const auto& b : bins) {
      t.write(bin / b, "#!/bin/sh\nexit 0\n");
      ::chmod((bin / b).c_str(), 0755);
    }
    env.set("PATH", bin.string());
  }
  stdfs::path p(const std::string& rel) const { return t.home() / rel; }
};

CliRow row(const std::string& name, const std::string& binary, bool installed) {
  CliRow c;
  c.name = name;
  c.title = name;
  c.binary = binary;
  c.installed = installed;
  c.mode = "proxy";
  c.files.push_back({"~/." + name, "created", {"a", "b"}});
  return c;
}

}  // namespace

TEST_CASE("report: next steps in order, each once; broken CLIs and missing binaries named") {
  SetupReport r;
  r.mode = "proxy";
  r.clis.push_back(row("claude-code", "claude", true));
  CliRow codex = row("codex", "codex", false);
  codex.status = "broken";
  codex.uses_env_file = true;
  codex.problems = {"[model_providers.old] has wire_api = \"chat\""};
  codex.fixes = {"lwgw setup codex --yes"};
  r.clis.push_back(codex);
  CliRow cursor;
  cursor.name = "cursor";
  cursor.title = "Cursor";
  cursor.status = "by_hand";
  r.clis.push_back(cursor);
  r.shell.push_back({"~/.bashrc", "updated", {}});
  r.proxy_next = "`lwgw up`";
  const auto steps = next_steps(r);
  REQUIRE(steps.size() == 6);
  CHECK(steps[0] ==
        "Fix codex: `lwgw setup codex --yes` ([model_providers.old] has wire_api = \"chat\")");
  CHECK(has(steps[1], "Open a new shell"));
  CHECK(steps[2] == "Start the proxy: `lwgw up`.");
  CHECK(steps[3] == "Cursor: paste the values shown above into its settings.");
  CHECK(steps[4] == "Install codex: configured already, but not found on PATH.");
  CHECK(steps[5] == "Run your CLI: claude.");

  const std::string human = render_human(r, false);
  CHECK(count(human, "Next steps:") == 1);
  CHECK(has(human, "codex (broken)"));
  CHECK(has(human, "created (2 keys)"));
  CHECK(has(render_human(r, true), "created: a, b"));  // -v lists the keys
  CHECK(render_quiet(r) ==
        "set up claude-code, cursor (proxy mode); needs attention: codex (run `lwgw doctor`)\n");
  const auto j = to_json(r);
  CHECK(j["clis"][1]["status"] == "broken");
  CHECK(j["clis"][1]["installed"] == false);
  CHECK(j["clis"][2]["installed"].is_null());  // Cursor has no program
  CHECK(j["next"].size() == 6);

  SetupReport dry = r;
  dry.dry_run = true;
  CHECK(next_steps(dry) ==
        std::vector<std::string>{
            "Nothing was written: run the same command without --dry-run to apply it."});
}

TEST_CASE("setup --all: one table and one Next steps block; CLIs not installed are said") {
  Home h({"claude"});
  auto r = run_inproc({"setup", "--all", "--no-service"}, h.env);
  CHECK(r.code == 0);
  CHECK(count(r.out, "Next steps:") == 1);
  CHECK_FALSE(has(r.out, "  next: "));  // no per-CLI next lines any more
  CHECK(has(r.out, "CLI          INSTALLED  MODE"));
  CHECK(has(r.out, "claude-code  yes        proxy   ~/.claude/settings.json"));
  CHECK(has(r.out, "codex        no         proxy   ~/.codex/config.toml"));
  CHECK(has(r.out,
            "Install codex, gemini, opencode, aider: configured already, but not found on "
            "PATH."));
  CHECK(has(r.out, "Run your CLI: claude (settings.json applies to new sessions)."));
  CHECK(has(r.out, "Start the proxy: `lwgw up`."));
  // A second run changes nothing, and says so in the table.
  auto again = run_inproc({"setup", "--all", "--no-service"}, h.env);
  CHECK(again.code == 0);
  const auto at = again.out.find("~/.codex/config.toml");
  REQUIRE(at != std::string::npos);
  const std::string line = again.out.substr(at, again.out.find('\n', at) - at);
  std::istringstream cells(line);  // FILE, CHANGE[, MODEL]: the model cell may be empty
  std::string file, change;
  cells >> file >> change;
  CHECK_MESSAGE(change == "unchanged", again.out);
  CHECK_FALSE(has(again.out, "created"));
}

TEST_CASE("setup exits 1 when it leaves Codex broken, with the command that fixes it") {
  Home h({"codex"});
  const std::string orig = "[model_providers.old]\nname = \"Old\"\nwire_api = \"chat\"\n";
  h.t.write(h.p(".codex/config.toml"), orig);
  auto r = run_inproc({"setup", "codex", "--no-service"}, h.env);
  CHECK(r.code == 1);
  CHECK(has(r.err,
            "lwgw: error: codex: ~/.codex/config.toml: [model_providers.old] has wire_api "
            "= \"chat\""));
  CHECK(has(r.err, "fix: `lwgw setup codex --yes`"));
  CHECK(has(r.out, "Fix codex: `lwgw setup codex --yes`"));
  auto fixed = run_inproc({"setup", "codex", "--yes", "--no-service"}, h.env);
  CHECK(fixed.code == 0);

  // Teardown puts the user's provider back, and says that breaks Codex again.
  auto td = run_inproc({"teardown", "codex"}, h.env);
  CHECK(td.code == 0);
  CHECK(h.t.read(h.p(".codex/config.toml")) == orig);
  CHECK(has(td.err,
            "warning: ~/.codex/config.toml: [model_providers.old] is back to wire_api = "
            "\"chat\""));
  CHECK(has(td.err, "`lwgw setup codex --yes` fixes it again"));
}

TEST_CASE("setup -q prints one line; --json the report, errors and all") {
  Home h({"codex"});
  auto q = run_inproc({"-q", "setup", "codex", "aider", "--no-service"}, h.env);
  CHECK(q.code == 0);
  CHECK(q.out ==
        "set up codex, aider (proxy mode); next: Open a new shell (in this one: eval "
        "\"$(lwgw env)\"); shells and GUI apps already open keep their old "
        "environment.\n");
  CHECK(q.err.empty());

  auto j = run_inproc({"--json", "setup", "codex", "--no-service", "--dry-run"}, h.env);
  CHECK(j.code == 0);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["dry_run"] == true);
  CHECK(doc["clis"][0]["cli"] == "codex");
  CHECK(doc["clis"][0]["installed"] == true);
  CHECK(doc["clis"][0]["files"][0]["action"] == "unchanged");
  CHECK(doc["exit"] == 0);

  h.t.write(h.p(".codex/config.toml"), "[model_providers.old]\nwire_api = \"chat\"\n");
  auto broken = run_inproc({"--json", "setup", "codex", "--no-service"}, h.env);
  CHECK(broken.code == 1);
  doc = nlohmann::json::parse(broken.out);
  CHECK(doc["clis"][0]["status"] == "broken");
  CHECK(doc["clis"][0]["fixes"][0] == "lwgw setup codex --yes");
  CHECK(doc["exit"] == 1);
}

TEST_CASE("teardown says what keeps running, and --json reports it") {
  Home h({"codex"});
  REQUIRE(run_inproc({"setup", "codex", "--no-service"}, h.env).code == 0);
  REQUIRE(run_bin({"up"}, h.env).code == 0);
  auto td = run_inproc({"teardown", "codex"}, h.env);
  CHECK(td.code == 0);
  CHECK(has(td.out, "note: the proxy keeps running on http://" + h.env.get_or("LWGW_LISTEN", "") +
                        " (pid "));
  CHECK(has(td.out, "no CLI set up uses it): `lwgw down` stops it"));
  REQUIRE(run_inproc({"setup", "codex", "--no-service"}, h.env).code == 0);
  auto j = run_inproc({"--json", "teardown", "--all"}, h.env);
  CHECK(j.code == 0);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["clis"][0]["cli"] == "codex");
  CHECK(doc["clis"][0]["status"] == "restored");
  REQUIRE(doc["still_running"].size() == 1);
  CHECK(has(doc["still_running"][0].get<std::string>(), "`lwgw down` stops it"));
  run_bin({"down", "--timeout", "5"}, h.env);
}
