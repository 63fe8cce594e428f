// Redaction: a key fed through every reachable error path never comes back out.
#include <doctest/doctest.h>

#include "lwgw/log.hpp"
#include "lwgw/redact.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;

namespace {
const std::string kKey = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";
const std::string kOld = "lw_vk_live_0123456789abcdef0123";
const std::string kTok = "lwgw_lt_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE";

void no_secret(const RunResult& r) {
  for (const auto& s : {kKey, kOld, kTok}) {
    CHECK_MESSAGE(r.out.find(s) == std::string::npos, r.out);
    CHECK_MESSAGE(r.err.find(s) == std::string::npos, r.err);
  }
}
}  // namespace

TEST_CASE("mask_key shows the display prefix and the last 4 characters") {
  CHECK(mask_key(kKey) == "vk-lw-01HZX9N…RSTV");
  CHECK(mask_key("vk-lw-01HZX9N0ABCDEFGHJKMNPQ7XZ") == "vk-lw-01HZX9N…Q7XZ");
  CHECK(mask_key(kOld) == "lw_vk_live_01…0123");
  CHECK(mask_key(kTok) == "lwgw_lt_AbCdE…bCdE");
  CHECK(mask_key("sk-ant-api03-abcdefghijklmnopqrstuvwxyz") == "sk-ant-api03-…wxyz");
  // Two keys issued the same week share the prefix; the tail tells them apart.
  CHECK(mask_key("vk-lw-01HZX9N0AAAAAAAAAAAAAAAAAA") !=
        mask_key("vk-lw-01HZX9N0AAAAAAAAAAAAAAABBB"));
  // Short keys are masked entirely; mid-length ones keep at least a third (8+ chars) hidden.
  CHECK(mask_key("short") == "…");
  CHECK(mask_key("abcdefghijklmno") == "…");  // 15 chars
  CHECK(mask_key("vk-lw-ABCDEFGHIJ") == "vk-l…GHIJ");
  for (std::string k : {std::string(16, 'x'), std::string(20, 'y'), std::string(24, 'z')}) {
    const std::string m = mask_key(k);
    const size_t shown = m.size() - std::string("…").size();
    CHECK(k.size() - shown >= std::max<size_t>(8, k.size() / 3));
  }
}

TEST_CASE("redact masks registered secrets and anything shaped like a key") {
  clear_secrets();
  CHECK(redact("key=" + kKey + " end") == "key=vk-lw-01HZX9N… end");
  CHECK(redact("Bearer " + kOld) == "Bearer lw_vk_live_01…");
  CHECK(redact(kTok) == "lwgw_lt_AbCdE…");
  // A key already shown masked (with its tail) passes through unchanged.
  CHECK(redact(mask_key(kKey)) == mask_key(kKey));
  register_secret("custom-secret-value-123");
  CHECK(redact("x custom-secret-value-123 y").find("custom-secret-value-123") == std::string::npos);
  register_secret("abc");  // too short to register
  CHECK(redact("abc") == "abc");
  clear_secrets();
}

TEST_CASE("the logger redacts") {
  std::ostringstream out;
  Logger log(out);
  log.warn("failed with " + kKey);
  CHECK(out.str().find(kKey) == std::string::npos);
  CHECK(out.str().find("vk-lw-01HZX9N…") != std::string::npos);
}

TEST_CASE("a key through every error path the CLI has never appears in its output") {
  TempHome t;
  Env env = t.env();
  for (const auto& key : {kKey, kOld, kTok}) {
    // Parse errors that echo the offending argument.
    no_secret(run_inproc({key}, env));
    no_secret(run_inproc({"login", key}, env));
    no_secret(run_inproc({"login", "--key", key}, env));
    no_secret(run_inproc({"login", "--key=" + key}, env));
    no_secret(run_inproc({"setup", key, "--no-service"}, env));
    no_secret(run_inproc({"config", "get", key}, env));
    no_secret(run_inproc({"config", "set", "proxy.max_connections", key}, env));
    no_secret(run_inproc({"config", "set", "gateway.url", key}, env));
    no_secret(run_inproc({"config", "set", "proxy.listen", key}, env));
    no_secret(run_inproc({"config", "set", "proxy.allowed_origins", "[" + key}, env));
    no_secret(run_inproc({"login", "--key-env", key}, env));
    // Environment values that are invalid.
    Env e2 = env;
    e2.set("LWGW_GATEWAY_URL", key);
    no_secret(run_inproc({"config", "show"}, e2));
    e2 = env;
    e2.set("LWGW_LISTEN", key);
    no_secret(run_inproc({"whoami"}, e2));
    // A gateway URL carrying the key, unreachable.
    no_secret(
        run_inproc({"login", "--gateway", "http://127.0.0.1:1/" + key, "--key-stdin"}, env, key));
    // A malformed config file quoting the key.
    t.write(t.home() / ".config/lwgw/config.toml", "[gateway]\nurl = " + key + "\n");
    no_secret(run_inproc({"config", "show"}, env));
    std::filesystem::remove(t.home() / ".config/lwgw/config.toml");
    // Login paths: odd shape warning, unreachable gateway, success message.
    no_secret(run_inproc({"login", "--no-verify", "--key-stdin"}, env, key));
    no_secret(run_inproc({"whoami"}, env));
    no_secret(run_inproc({"--json", "whoami"}, env));
    no_secret(run_inproc({"logout"}, env));
    clear_secrets();
  }
}

TEST_CASE("a gateway that echoes the key in its error message is redacted too") {
  LoopbackServer gw([](httplib::Server& s) {
    s.Get("/v1/models", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 401;
      res.set_content(R"({"error":{"type":"invalid_api_key","message":"bad key )" +
                          req.get_header_value("Authorization") + "\"}}",
                      "application/json");
    });
  });
  TempHome t;
  auto r = run_inproc({"login", "--gateway", gw.url(), "--key-stdin"}, t.env(), kKey);
  CHECK(r.code == 3);
  CHECK(r.err.find("bad key Bearer vk-lw-01HZX9N…") != std::string::npos);
  no_secret(r);
}
