// lwgw doctor's framework without the network: the report (golden human output, JSON schema 1,
// the final filter), the runner (needs, skips that name their cause, concurrency, time limits),
// the selection of checks, and the registry's ids.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include "lwgw/clis/profile.hpp"
#include "lwgw/doctor/registry.hpp"
#include "lwgw/doctor/report.hpp"
#include "lwgw/error.hpp"
#include "lwgw/redact.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::doctor;
using namespace lwgw::test;
namespace stdfs = std::filesystem;

namespace {

bool has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

void golden(const std::string& name, const std::string& actual) {
  check_golden("doctor", name, actual);
}

Check check(std::string id, std::string group) {
  return Check{.id = std::move(id), .group = std::move(group), .title = "t"};
}

// A fixed set of results covering every status, a fix with and without a command, a source,
// details, and skips for both reasons.
struct Sample {
  std::vector<Check> checks = {check("lwgw.version", "lwgw"),    check("key.present", "key"),
                               check("key.shape", "key"),        check("proxy.listener", "proxy"),
                               check("codex.wire_api", "codex"), check("codex.provider", "codex")};
  std::vector<Ran> results;
  Header header{"0.1.0", "abc1234", "Linux 6.1.0 x86_64", "https://gw.example.com", "proxy"};
  Sample() {
    Result version = ok("lwgw 0.1.0 (commit abc1234, Release)");
    version.duration_ms = 0.4;
    Result key =
        fail("not logged in: no key stored and LWGW_VK is not set", {"log in", "lwgw login"});
    key.duration_ms = 1;
    Result shape = skip("key.present failed");
    shape.blocked = true;
    Result listener =
        warn("the proxy on 127.0.0.1:5566 is being stopped", {"start it again", "lwgw up"});
    listener.with("kind", "draining").duration_ms = 12.2;
    Result wire = fail("[model_providers.old] has wire_api = \"chat\": every codex command fails",
                       {"make it \"responses\"", "lwgw setup codex --yes"});
    wire.at("~/.codex/config.toml", 7).with("providers", std::vector<std::string>{"old"});
    Result provider = skip("not set up by lwgw (`lwgw setup codex` does it)");
    for (auto* r : {&version, &key, &shape, &listener, &wire, &provider})
      results.push_back({&checks[results.size()], *r});
  }
};

}  // namespace

TEST_CASE("doctor report: golden human output, ASCII without colour, and -v") {
  Sample s;
  const std::string plain = render_human(s.header, s.results, {.ascii = true});
  golden("human-ascii.txt", plain);
  golden("human-ascii-verbose.txt",
         render_human(s.header, s.results, {.ascii = true, .verbose = 1}));
  golden("human-utf8.txt", render_human(s.header, s.results, {}));
  CHECK(plain.find("\033[") == std::string::npos);
  for (unsigned char c : plain) CHECK_MESSAGE(c < 0x80, "non-ASCII byte in --ascii output");
  // Failures and warnings come first, in a block that cannot scroll away.
  CHECK(plain.find("Needs attention") < plain.find("\nlwgw\n"));
  CHECK(plain.find("[XX] key.present") < plain.find("[!!] proxy.listener"));
}

TEST_CASE("doctor report: colour only when asked, one colour per status") {
  Sample s;
  const std::string c = render_human(s.header, s.results, {.color = true});
  CHECK(has(c, "\033[32m✓\033[0m lwgw.version"));
  CHECK(has(c, "\033[31m✗\033[0m key.present"));
  CHECK(has(c, "\033[33m!\033[0m proxy.listener"));
  CHECK(has(c, "\033[2m–\033[0m key.shape"));
}

TEST_CASE("doctor report: JSON schema 1 with counts, overall and exit") {
  Sample s;
  auto doc = render_json(s.header, s.results, false);
  CHECK(doc["schema"] == 1);
  CHECK(doc["lwgw"]["version"] == "0.1.0");
  CHECK(doc["lwgw"]["commit"] == "abc1234");
  CHECK(doc["mode"] == "proxy");
  CHECK(doc["overall"] == "fail");
  CHECK(doc["exit"] == 1);
  CHECK(doc["counts"] == nlohmann::ordered_json{{"ok", 1}, {"warn", 1}, {"fail", 2}, {"skip", 2}});
  REQUIRE(doc["checks"].size() == 6);
  const auto& wire = doc["checks"][4];
  CHECK(wire["id"] == "codex.wire_api");
  CHECK(wire["group"] == "codex");
  CHECK(wire["status"] == "fail");
  CHECK(wire["source"] == nlohmann::ordered_json{{"file", "~/.codex/config.toml"}, {"line", 7}});
  CHECK(wire["fix"]["command"] == "lwgw setup codex --yes");
  CHECK(wire["details"]["providers"][0] == "old");
  CHECK(wire["duration_ms"].is_number_integer());
  CHECK(!doc["checks"][0].contains("fix"));
  CHECK(!doc["checks"][0].contains("source"));
  CHECK(doc["checks"][2]["status"] == "skip");
}

TEST_CASE("doctor exit codes: failures fail, warnings only with --strict") {
  CHECK(exit_code({.ok = 3, .warn = 0, .fail = 0, .skip = 2}, false) == 0);
  CHECK(exit_code({.ok = 3, .warn = 1, .fail = 0, .skip = 2}, false) == 0);
  CHECK(exit_code({.ok = 3, .warn = 1, .fail = 0, .skip = 2}, true) == 1);
  CHECK(exit_code({.ok = 3, .warn = 0, .fail = 1, .skip = 0}, false) == 1);
  CHECK(overall({.ok = 1, .warn = 1}) == "warn");
  CHECK(overall({.ok = 1}) == "ok");
}

TEST_CASE("doctor's final filter: live key and token replaced, home as ~, ASCII") {
  const std::string key = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";
  const std::string token = "lwgw_lt_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  const std::string odd = "sk-short";  // not key-shaped, and too short for register_secret
  std::string text = "key " + key + " token " + token + " odd " + odd +
                     " file /home/ann/.bashrc home /home/ann, other /home/anna/x\n";
  std::string out = scrub(text, {key, token, odd}, "/home/ann");
  CHECK(!has(out, key));
  CHECK(!has(out, token));
  CHECK(!has(out, odd));
  CHECK(has(out, "vk-lw-01HZX9N…"));
  CHECK(has(out, "~/.bashrc"));
  CHECK(has(out, "home ~,"));
  CHECK(has(out, "/home/anna/x"));
  CHECK(to_ascii("✓ → vk…") == "[ok] -> vk...");
  clear_secrets();
}

TEST_CASE("doctor: ASCII unless the locale is UTF-8") {
  Env env;
  CHECK(!utf8_locale(env));
  env.set("LANG", "en_US.UTF-8");
  CHECK(utf8_locale(env));
  env.set("LC_ALL", "C");
  CHECK(!utf8_locale(env));
  env.set("LC_ALL", "C.utf8");
  CHECK(utf8_locale(env));
}

namespace {

std::shared_ptr<const Facts> facts_with(double seconds) {
  auto f = std::make_shared<Facts>();
  f->deadline =
      util::MonoClock::now() + std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  return f;
}

Check runs(std::string id, std::function<Result(const Facts&, const Done&)> fn,
           std::vector<std::string> needs = {}, std::vector<std::string> after = {},
           bool slow = false) {
  return Check{.id = id,
               .group = id.substr(0, id.find('.')),
               .title = "t",
               .needs = std::move(needs),
               .after = std::move(after),
               .slow = slow,
               .run = std::move(fn)};
}

std::vector<const Check*> all_of(const std::vector<Check>& v) {
  std::vector<const Check*> out;
  for (const auto& c : v) out.push_back(&c);
  return out;
}

Result sleeping(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ok("slept");
}

}  // namespace

TEST_CASE("doctor runner: a failed need skips its dependents, transitively, naming the cause") {
  std::vector<Check> checks = {
      runs("a.root",
           [](const Facts&, const Done&) {
             return fail("down", {"fix", "cmd"});
           }),
      runs("a.child", [](const Facts&, const Done&) { return ok("never"); }, {"a.root"}),
      runs("a.grandchild", [](const Facts&, const Done&) { return ok("never"); }, {"a.child"}),
      runs("a.na", [](const Facts&, const Done&) { return skip("not applicable"); }),
      runs("a.after_na", [](const Facts&, const Done&) { return ok("ran"); }, {"a.na"}),
      runs("a.reader",
           [](const Facts&, const Done& d) { return ok("root said " + d.find("a.root")->summary); },
           {}, {"a.root"})};
  auto r = run_checks(checks, all_of(checks), facts_with(5));
  REQUIRE(r.size() == 6);
  CHECK(r[1].result.status == Status::kSkip);
  CHECK(r[1].result.summary == "a.root failed");
  CHECK(r[1].result.blocked);
  CHECK(r[2].result.summary == "a.child was skipped");
  CHECK(r[4].result.status == Status::kOk);  // a skip for "not applicable" blocks nothing
  CHECK(r[5].result.summary == "root said down");
}

TEST_CASE("doctor runner: slow checks run concurrently, each within its limit") {
  std::vector<Check> checks = {
      runs(
          "n.a", [](const Facts&, const Done&) { return sleeping(400); }, {}, {}, true),
      runs(
          "n.b", [](const Facts&, const Done&) { return sleeping(400); }, {}, {}, true),
      runs(
          "n.c", [](const Facts&, const Done&) { return sleeping(400); }, {}, {}, true),
      runs(
          "n.hang", [](const Facts&, const Done&) { return sleeping(3000); }, {}, {}, true)};
  const auto start = std::chrono::steady_clock::now();
  auto r = run_checks(checks, all_of(checks), facts_with(5), 0.5);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(s < 1.5);  // 3 × 0.4 s in parallel and a hang cut at 0.5 s (+0.5 s grace)
  CHECK(r[0].result.status == Status::kOk);
  CHECK(r[2].result.status == Status::kOk);
  CHECK(r[3].result.status == Status::kFail);
  CHECK(has(r[3].result.summary, "did not finish"));
}

TEST_CASE("doctor runner: nothing slow starts after the run's deadline") {
  std::vector<Check> checks = {
      runs("n.fast", [](const Facts&, const Done&) { return ok("local"); }),
      runs(
          "n.net", [](const Facts&, const Done&) { return ok("never"); }, {}, {}, true)};
  auto r = run_checks(checks, all_of(checks), facts_with(0));
  CHECK(r[0].result.status == Status::kOk);
  CHECK(r[1].result.status == Status::kSkip);
  CHECK(has(r[1].result.summary, "time limit"));
}

TEST_CASE("doctor runner: an exception in a check is that check's failure") {
  std::vector<Check> checks = {runs(
      "x.boom", [](const Facts&, const Done&) -> Result { throw std::runtime_error("kaput"); })};
  auto r = run_checks(checks, all_of(checks), facts_with(5));
  CHECK(r[0].result.status == Status::kFail);
  CHECK(has(r[0].result.summary, "kaput"));
}

TEST_CASE("doctor selection: ids, groups, CLI aliases, --cli; unknown names are usage errors") {
  const auto& all = all_checks();
  auto ids = [](const std::vector<const Check*>& v) {
    std::set<std::string> out;
    for (const Check* c : v) out.insert(c->id);
    return out;
  };
  auto key = ids(select_checks(all, {{"key"}, ""}));
  CHECK(key == std::set<std::string>{"key.present", "key.shape", "key.local_token"});
  CHECK(ids(select_checks(all, {{"gateway.auth", "codex.wire_api"}, ""})) ==
        std::set<std::string>{"gateway.auth", "codex.wire_api"});
  auto claude = ids(select_checks(all, {{"claude"}, ""}));
  CHECK(claude.count("claude-code.auth_conflict"));
  CHECK(!claude.count("codex.wire_api"));
  auto only_codex = ids(select_checks(all, {{}, "codex"}));
  CHECK(only_codex.count("gateway.auth"));
  CHECK(only_codex.count("codex.wire_api"));
  CHECK(!only_codex.count("claude-code.auth_conflict"));
  try {
    select_checks(all, {{"gatway"}, ""});
    FAIL("an unknown name was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::kUsage);
    CHECK(has(e.what(), "--list"));
  }
  CHECK_THROWS_AS(select_checks(all, {{}, "vim"}), Error);
}

TEST_CASE("doctor registry: unique ids under their group, known dependencies, every CLI a group") {
  const auto& all = all_checks();
  std::set<std::string> ids;
  for (const auto& c : all) {
    CHECK_MESSAGE(ids.insert(c.id).second, "duplicate id " << c.id);
    CHECK_MESSAGE(c.id.rfind(c.group + ".", 0) == 0, c.id);
    CHECK_MESSAGE(!c.title.empty(), c.id);
    CHECK_MESSAGE(static_cast<bool>(c.run), c.id);
  }
  for (const auto& c : all)
    for (const auto& list : {c.needs, c.after})
      for (const auto& dep : list) CHECK_MESSAGE(ids.count(dep), c.id << " needs unknown " << dep);
  auto groups = group_names(all);
  for (const auto& name : clis::names())
    CHECK_MESSAGE(std::find(groups.begin(), groups.end(), name) != groups.end(), name);
  for (const char* g : {"lwgw", "key", "proxy", "network", "gateway"})
    CHECK(std::find(groups.begin(), groups.end(), g) != groups.end());
}

TEST_CASE("doctor report: a CLI lwgw did not set up is one line, unless -v") {
  std::vector<Check> checks = {check("aider.installed", "aider"),
                               check("aider.configured", "aider"), check("aider.block", "aider")};
  std::vector<Ran> results = {
      {&checks[0], skip("not installed (`aider` is not on PATH)")},
      {&checks[1], skip("not set up by lwgw (`lwgw setup aider` does it)")},
      {&checks[2], skip("not set up by lwgw (`lwgw setup aider` does it)")}};
  Header h{"0.1.0", "abc1234", "Linux", "https://gw.example.com", "none"};
  golden("human-collapsed.txt", render_human(h, results, {.ascii = true}));
  const std::string verbose = render_human(h, results, {.ascii = true, .verbose = 1});
  CHECK(has(verbose, "[--] aider.installed"));
  CHECK(has(verbose, "[--] aider.block"));
  // A failure in the group shows every line.
  results[2].result =
      fail("lwgw's block is not in ~/.aider.conf.yml", {"set it up again", "lwgw setup aider"});
  CHECK(has(render_human(h, results, {.ascii = true}), "[--] aider.installed"));
}

TEST_CASE("doctor: Claude Code's managed settings override lwgw's base URL; named with its line") {
  lwgw::test::TempHome t;
  auto f = std::make_shared<Facts>();
  f->env = t.env();
  f->paths = resolve_paths(f->env);
  f->cwd = t.root();
  f->clis = {{"claude-code", "proxy"}};
  f->mode = "proxy";
  f->listen = "127.0.0.1:5566";
  f->deadline = util::MonoClock::now() + std::chrono::seconds(5);
  f->claude_managed_settings = t.root() / "etc/claude-code/managed-settings.json";
  t.write(f->paths.claude_config_dir / "settings.json",
          "{\"env\": {\"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:5566\"}}\n");
  t.write(f->claude_managed_settings,
          "{\n  \"env\": {\n    \"ANTHROPIC_BASE_URL\": \"https://corp.example/anthropic\"\n  "
          "}\n}\n");
  const auto& all = all_checks();
  std::vector<const Check*> one;
  for (const auto& c : all)
    if (c.id == "claude-code.base_url") one.push_back(&c);
  REQUIRE(one.size() == 1);
  auto ran = run_checks(all, one, f);
  REQUIRE(ran.size() == 1);
  const Result& r = ran[0].result;
  CHECK(r.status == Status::kFail);
  CHECK_MESSAGE(r.summary.find("managed settings") != std::string::npos, r.summary);
  CHECK(r.summary.find("corp.example") != std::string::npos);
  REQUIRE(r.source);
  CHECK(r.source->line == 3);
  REQUIRE(r.fix);
  CHECK(r.fix->command.empty());  // by hand: lwgw never edits managed settings
  std::filesystem::remove(f->claude_managed_settings);
  CHECK(run_checks(all, one, f)[0].result.status == Status::kOk);
}
