// Issue 17: --json on every command, errors included. Walks the command table: each command
// run with --json prints JSON on stdout (one document, or one per line for `logs`), and an
// error is {"error":{"code","message","exit"}} with the process's exit code.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lwgw/commands/table.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
namespace stdfs = std::filesystem;

namespace {

const std::string kToken = "lwgw_lt_TESTTOKENtesttoken0123456789abcdefghijklmno";
const std::string kVk = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";

// Every line of `out` that is not blank parses, or the whole of it does.
bool json_output(const std::string& out, nlohmann::json& first) {
  first = nlohmann::json::parse(out, nullptr, false);
  if (!first.is_discarded()) return true;
  std::istringstream in(out);
  std::string line;
  bool any = false;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) return false;
    if (!any) first = j;
    any = true;
  }
  return any;
}

}  // namespace

TEST_CASE("--json on every command of the table prints JSON, errors included") {
  TempHome t;
  Env env = t.env();
  env.set("SHELL", "/bin/bash");
  env.set("LWGW_GATEWAY_URL", "http://127.0.0.1:" + std::to_string(unused_port()));
  env.set("LWGW_LISTEN", "127.0.0.1:" + std::to_string(unused_port()));
  t.write_credentials(kToken, kVk);

  // The invocations per command, in an order that works (up before down, logout last).
  const std::vector<std::pair<std::string, std::vector<std::string>>> runs = {
      {"version", {"version"}},
      {"help", {"help", "setup"}},
      {"config", {"config", "show"}},
      {"config", {"config", "get", "proxy.listen"}},
      {"config", {"config", "path"}},
      {"config", {"config", "set", "proxy.max_body_mib", "64"}},
      {"config", {"config", "unset", "proxy.max_body_mib"}},
      {"config", {"config", "get", "no.such.key"}},  // an error
      {"whoami", {"whoami"}},
      {"setup", {"setup", "codex", "--no-service"}},
      {"setup", {"setup", "nosuch-cli"}},  // a usage error
      {"env", {"env"}},
      {"exec", {"exec", "codex"}},
      {"completion", {"completion", "bash"}},
      {"service", {"service", "status"}},
      {"service", {"service", "install", "--dry-run"}},
      {"up", {"up"}},
      {"status", {"status"}},
      {"logs", {"logs"}},
      {"down", {"down"}},
      {"down", {"down"}},  // not running: an error, exit 4
      {"smoke", {"smoke"}},
      {"diff", {"diff"}},
      {"doctor", {"doctor"}},
      {"teardown", {"teardown", "--all"}},
      {"logout", {"logout"}},
      {"login", {"login", "--key-stdin", "--no-verify"}},
  };
  std::set<std::string> covered;
  for (const auto& [name, args] : runs) covered.insert(name);
  for (const auto& c : command_table()) {
    INFO("command " << c.name);
    CHECK_MESSAGE(covered.count(c.name) == 1, "no --json run for `" << c.name << "` here");
  }

  for (const auto& [name, args] : runs) {
    std::vector<std::string> argv = {"--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_inproc(argv, env, name == "login" ? kVk + "\n" : "");
    std::string shown;
    for (const auto& a : args) shown += " " + a;
    INFO("lwgw --json" << shown << " -> exit " << r.code << "\nstdout:\n"
                       << r.out << "\nstderr:\n"
                       << r.err);
    nlohmann::json doc;
    REQUIRE(json_output(r.out, doc));
    if (doc.is_object() && doc.contains("error")) {
      CHECK(doc["error"]["exit"] == r.code);
      CHECK(doc["error"]["message"].is_string());
      CHECK(doc["error"]["code"].is_string());
      CHECK(r.code != 0);
    }
  }
  run_inproc({"down"}, env);
}
