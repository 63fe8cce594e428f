// login / whoami / logout against an in-test gateway answering 200, 401, 403, or nothing.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <atomic>

#include "lwgw/redact.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;

namespace {
const std::string kKey = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";

struct FakeGateway {
  std::atomic<int> calls{0};
  std::string last_auth;
  LoopbackServer server{[this](httplib::Server& s) {
    s.Get("/v1/models", [this](const httplib::Request& req, httplib::Response& res) {
      ++calls;
      last_auth = req.get_header_value("Authorization");
      if (last_auth == "Bearer " + kKey) {
        res.set_content(
            R"({"object":"list","data":[{"id":"gpt-5-mini","object":"model","created":0,"owned_by":"openai"}]})",
            "application/json");
      } else if (last_auth.find("REVOKED") != std::string::npos) {
        res.status = 403;
        res.set_content(
            R"({"error":{"type":"virtual_key_revoked","code":"virtual_key_revoked","message":"this virtual key was revoked"}})",
            "application/json");
      } else {
        res.status = 401;
        res.set_content(
            R"({"error":{"type":"invalid_api_key","code":"invalid_api_key","message":"invalid_api_key"}})",
            "application/json");
      }
    });
  }};
};
}  // namespace

TEST_CASE("login --key-stdin verifies with GET /v1/models, stores 0600 and a local token") {
  FakeGateway gw;
  TempHome t;
  Env env = t.env();
  auto r = run_inproc({"login", "--gateway", gw.server.url(), "--key-stdin"}, env, kKey + "\n");
  CHECK(r.code == 0);
  CHECK(gw.calls == 1);
  CHECK(gw.last_auth == "Bearer " + kKey);
  CHECK(r.out.find("vk-lw-01HZX9N…") != std::string::npos);
  CHECK(r.out.find(kKey) == std::string::npos);
  auto cred = t.home() / ".config/lwgw/credentials";
  struct stat st {};
  REQUIRE(::stat(cred.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(t.read(cred).find(kKey) != std::string::npos);
  CHECK(t.read(cred).find("lwgw_lt_") != std::string::npos);
  // The gateway URL went into the user config.
  CHECK(t.read(t.home() / ".config/lwgw/config.toml").find(gw.server.url()) != std::string::npos);

  auto w = run_inproc({"whoami"}, env);
  CHECK(w.code == 0);
  CHECK(w.out.find(gw.server.url()) != std::string::npos);
  CHECK(w.out.find("vk-lw-01HZX9N…") != std::string::npos);
  CHECK(w.out.find("file (~/.config/lwgw/credentials)") != std::string::npos);
  CHECK(w.out.find("(ok)") != std::string::npos);
  CHECK(w.out.find(kKey) == std::string::npos);

  // A second login keeps the same local token.
  std::string tok_before = t.read(cred).substr(t.read(cred).find("lwgw_lt_"), 51);
  CHECK(run_inproc({"login", "--key-stdin"}, env, kKey).code == 0);
  CHECK(t.read(cred).find(tok_before) != std::string::npos);

  auto o = run_inproc({"logout"}, env);
  CHECK(o.code == 0);
  CHECK(t.read(cred).find(kKey) == std::string::npos);
  CHECK(t.read(cred).find(tok_before) != std::string::npos);
  auto w2 = run_inproc({"whoami"}, env);
  CHECK(w2.code == 3);
  CHECK(w2.err.find("lwgw login") != std::string::npos);
}

TEST_CASE("login with a key the gateway rejects: its message, exit 3, nothing stored") {
  FakeGateway gw;
  TempHome t;
  Env env = t.env();
  const std::string bad = "vk-lw-01HZX9N0BADBADBADBADBADBAD";
  auto r = run_inproc({"login", "--gateway", gw.server.url(), "--key-stdin"}, env, bad);
  CHECK(r.code == 3);
  CHECK(r.err.find("invalid_api_key") != std::string::npos);
  CHECK(r.err.find("401") != std::string::npos);
  CHECK(r.err.find(bad) == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(t.home() / ".config/lwgw/credentials"));

  auto revoked = run_inproc({"login", "--gateway", gw.server.url(), "--key-stdin"}, env,
                            "vk-lw-REVOKED0000000000000000000");
  CHECK(revoked.code == 3);
  CHECK(revoked.err.find("this virtual key was revoked") != std::string::npos);
}

TEST_CASE("login with the gateway unreachable warns and stores, unless --verify") {
  TempHome t;
  Env env = t.env();
  std::string url = "http://127.0.0.1:" + std::to_string(unused_port());
  auto strict = run_inproc({"login", "--gateway", url, "--key-stdin", "--verify"}, env, kKey);
  CHECK(strict.code == 1);
  CHECK(strict.err.find("could not reach") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(t.home() / ".config/lwgw/credentials"));

  auto r = run_inproc({"login", "--gateway", url, "--key-stdin"}, env, kKey);
  CHECK(r.code == 0);
  CHECK(r.err.find("warning: could not reach") != std::string::npos);
  CHECK(t.read(t.home() / ".config/lwgw/credentials").find(kKey) != std::string::npos);
  auto w = run_inproc({"whoami"}, env);
  CHECK(w.out.find("unreachable") != std::string::npos);
}

TEST_CASE("login --key-env, the prompt, --no-verify, and keys in argv refused") {
  FakeGateway gw;
  TempHome t;
  Env env = t.env();
  env.set("MY_VK", kKey);
  CHECK(run_inproc({"login", "--gateway", gw.server.url(), "--key-env", "MY_VK"}, env).code == 0);
  CHECK(run_inproc({"login", "--key-env", "UNSET_VAR"}, env).code == 2);

  std::string prompt_seen;
  auto p = run_inproc({"login"}, env, "", /*tty=*/true, [&](const std::string& prompt) {
    prompt_seen = prompt;
    return std::optional<std::string>(kKey);
  });
  CHECK(p.code == 0);
  CHECK(prompt_seen.find("input hidden") != std::string::npos);

  // No terminal, no flag: a usage error that says what to do.
  auto none = run_inproc({"login"}, env);
  CHECK(none.code == 2);
  CHECK(none.err.find("--key-stdin") != std::string::npos);

  int before = gw.calls;
  CHECK(run_inproc({"login", "--no-verify", "--key-stdin"}, env, "some-odd-key-format").code == 0);
  CHECK(gw.calls == before);

  auto argv_key = run_inproc({"login", "--key", kKey}, env);
  CHECK(argv_key.code == 2);
  CHECK(argv_key.err.find("never takes a key") != std::string::npos);
  CHECK(argv_key.err.find(kKey) == std::string::npos);
}

TEST_CASE("odd key shapes warn but are stored") {
  TempHome t;
  auto r = run_inproc({"login", "--no-verify", "--key-stdin"}, t.env(), "sk-something-else-123");
  CHECK(r.code == 0);
  CHECK(r.err.find("does not look like a LangWatch virtual key") != std::string::npos);
}

TEST_CASE("the real binary: login via stdin, whoami --json") {
  FakeGateway gw;
  TempHome t;
  Env env = t.env();
  auto r = run_bin({"login", "--gateway", gw.server.url(), "--key-stdin"}, env, kKey + "\n");
  CHECK(r.code == 0);
  auto w = run_bin({"whoami", "--json"}, env);
  CHECK(w.code == 0);
  CHECK(w.out.find("\"key\": \"vk-lw-01HZX9N…RSTV\"") != std::string::npos);
  CHECK(w.out.find("\"verification\": \"ok\"") != std::string::npos);
  CHECK(w.out.find(kKey) == std::string::npos);
}
