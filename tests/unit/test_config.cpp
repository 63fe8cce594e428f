// Configuration: layering with origins, malformed files, `config` subcommands.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "lwgw/config.hpp"
#include "lwgw/error.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;

TEST_CASE("layers: defaults < system file < user file < env < flag, each with its origin") {
  TempHome t;
  Env env = t.env();
  auto paths = resolve_paths(env);
  {
    auto c = Config::load(paths, env);
    CHECK(c.get_string("proxy.listen") == "127.0.0.1:5566");
    CHECK(c.setting("proxy.listen").origin == "default");
    CHECK(c.get_int("proxy.max_body_mib") == 64);
    CHECK(c.get_bool("proxy.require_local_token"));
  }
  t.write(paths.system_config,
          "[gateway]\nurl = \"https://org.example\"\n[proxy]\nlisten = \"127.0.0.1:6000\"\n"
          "max_connections = 100\n");
  t.write(paths.config_file, "[proxy]\nlisten = \"127.0.0.1:7000\"\n");
  {
    auto c = Config::load(paths, env);
    CHECK(c.get_string("gateway.url") == "https://org.example");
    CHECK(c.setting("gateway.url").origin == paths.system_config.string());
    CHECK(c.get_int("proxy.max_connections") == 100);
    CHECK(c.get_string("proxy.listen") == "127.0.0.1:7000");
    CHECK(c.setting("proxy.listen").origin == "~/.config/lwgw/config.toml");
  }
  env.set("LWGW_LISTEN", "127.0.0.1:8000");
  env.set("LWGW_GATEWAY_URL", "http://127.0.0.1:9");
  auto c = Config::load(paths, env);
  CHECK(c.get_string("proxy.listen") == "127.0.0.1:8000");
  CHECK(c.setting("proxy.listen").origin == "env LWGW_LISTEN");
  CHECK(c.setting("gateway.url").origin == "env LWGW_GATEWAY_URL");
  c.apply_flag("proxy.listen", "127.0.0.1:9000", "--listen");
  CHECK(c.get_string("proxy.listen") == "127.0.0.1:9000");
  CHECK(c.setting("proxy.listen").origin == "flag --listen");
}

TEST_CASE("config show prints every key with value and origin; --json too") {
  TempHome t;
  Env env = t.env();
  t.write(t.home() / ".config/lwgw/config.toml", "[log]\nlevel = \"debug\"\n");
  auto r = run_inproc({"config", "show"}, env);
  CHECK(r.code == 0);
  for (const auto& k : config_keys()) CHECK(r.out.find(k.name) != std::string::npos);
  CHECK(r.out.find("debug") != std::string::npos);
  CHECK(r.out.find("(~/.config/lwgw/config.toml)") != std::string::npos);
  CHECK(r.out.find("(default)") != std::string::npos);
  auto j = run_inproc({"--json", "config", "show"}, env);
  CHECK(j.code == 0);
  CHECK(j.out.find("\"log.level\"") != std::string::npos);
  CHECK(j.out.find("\"origin\": \"default\"") != std::string::npos);
}

TEST_CASE("a malformed config is refused with file, line and column, exit 3") {
  TempHome t;
  Env env = t.env();
  auto file = t.home() / ".config/lwgw/config.toml";
  t.write(file, "[proxy]\nlisten = \"127.0.0.1:1\"\nmax_body_mib = = 3\n");
  auto r = run_inproc({"config", "show"}, env);
  CHECK(r.code == 3);
  CHECK(r.err.find(file.string() + ":3:16") != std::string::npos);
  // config set refuses too, and leaves the file untouched.
  std::string before = t.read(file);
  auto s = run_inproc({"config", "set", "proxy.listen", "127.0.0.1:2"}, env);
  CHECK(s.code == 3);
  CHECK(t.read(file) == before);
}

TEST_CASE("wrong types and invalid values are configuration errors naming the key") {
  TempHome t;
  Env env = t.env();
  t.write(t.home() / ".config/lwgw/config.toml", "[proxy]\nmax_connections = \"many\"\n");
  auto r = run_inproc({"config", "get", "proxy.max_connections"}, env);
  CHECK(r.code == 3);
  CHECK(r.err.find("proxy.max_connections") != std::string::npos);
  CHECK(r.err.find(":2:19") != std::string::npos);

  t.write(t.home() / ".config/lwgw/config.toml", "[gateway]\nurl = \"ftp://x\"\n");
  CHECK(run_inproc({"config", "show"}, env).code == 3);

  TempHome t2;
  Env env2 = t2.env();
  env2.set("LWGW_LISTEN", "nonsense");
  auto e = run_inproc({"config", "show"}, env2);
  CHECK(e.code == 3);
  CHECK(e.err.find("LWGW_LISTEN") != std::string::npos);
}

TEST_CASE("unknown keys warn and are ignored") {
  TempHome t;
  Env env = t.env();
  t.write(t.home() / ".config/lwgw/config.toml", "[proxy]\nlisten_addr = \"x\"\n[extra]\nk = 1\n");
  auto r = run_inproc({"config", "get", "proxy.listen"}, env);
  CHECK(r.code == 0);
  CHECK(r.out == "127.0.0.1:5566\n");
  CHECK(r.err.find("unknown key 'proxy.listen_addr'") != std::string::npos);
  CHECK(r.err.find("unknown key 'extra.k'") != std::string::npos);
}

TEST_CASE("config set keeps the user's comments, creates a 0600 file, unset removes") {
  TempHome t;
  Env env = t.env();
  auto file = t.home() / ".config/lwgw/config.toml";
  auto r = run_inproc({"config", "set", "proxy.listen", "127.0.0.1:5999"}, env);
  CHECK(r.code == 0);
  CHECK(t.read(file) == "[proxy]\nlisten = \"127.0.0.1:5999\"\n");
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  t.write(file, "# my settings\n[proxy]\n# port for work\nlisten = \"127.0.0.1:5999\" # keep\n");
  CHECK(run_inproc({"config", "set", "proxy.listen", "127.0.0.1:6001"}, env).code == 0);
  CHECK(run_inproc(
            {"config", "set", "proxy.allowed_origins", "https://a.example,https://b.example"}, env)
            .code == 0);
  CHECK(run_inproc({"config", "set", "log.level", "debug"}, env).code == 0);
  CHECK(t.read(file) ==
        "# my settings\n[proxy]\n# port for work\nlisten = \"127.0.0.1:6001\" # keep\n"
        "allowed_origins = [\"https://a.example\", \"https://b.example\"]\n\n[log]\nlevel = "
        "\"debug\"\n");
  auto g = run_inproc({"config", "get", "proxy.allowed_origins"}, env);
  CHECK(g.out == "https://a.example,https://b.example\n");

  CHECK(run_inproc({"config", "unset", "proxy.listen"}, env).code == 0);
  CHECK(t.read(file).find("listen =") == std::string::npos);
  CHECK(t.read(file).find("# port for work") != std::string::npos);
}

TEST_CASE("config set rejects bad values and unknown keys without touching the file") {
  TempHome t;
  Env env = t.env();
  auto file = t.home() / ".config/lwgw/config.toml";
  CHECK(run_inproc({"config", "set", "proxy.max_connections", "lots"}, env).code == 2);
  CHECK(run_inproc({"config", "set", "no.such", "1"}, env).code == 2);
  CHECK(run_inproc({"config", "set", "credentials.store", "vault"}, env).code == 3);
  CHECK_FALSE(std::filesystem::exists(file));
}

TEST_CASE("config path and --config") {
  TempHome t;
  Env env = t.env();
  auto r = run_inproc({"config", "path"}, env);
  CHECK(r.out == (t.home() / ".config/lwgw/config.toml").string() + "\n");
  auto other = t.root() / "other.toml";
  t.write(other, "[log]\nlevel = \"warn\"\n");
  auto g = run_inproc({"--config", other.string(), "config", "get", "log.level"}, env);
  CHECK(g.out == "warn\n");
  auto g2 = run_inproc({"config", "get", "log.level", "--config", other.string()}, env);
  CHECK(g2.out == "warn\n");
  env.set("LWGW_CONFIG", other.string());
  CHECK(run_inproc({"config", "path"}, env).out == other.string() + "\n");
}

TEST_CASE("listen addresses and loopback detection") {
  CHECK(parse_listen("127.0.0.1:5566").port == 5566);
  CHECK(parse_listen("[::1]:80").host == "::1");
  CHECK_THROWS_AS(parse_listen("127.0.0.1"), Error);
  CHECK_THROWS_AS(parse_listen("127.0.0.1:99999"), Error);
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("127.8.9.1"));
  CHECK(is_loopback_host("::1"));
  CHECK(is_loopback_host("localhost"));
  CHECK_FALSE(is_loopback_host("0.0.0.0"));
  CHECK_FALSE(is_loopback_host("192.168.1.2"));
}

TEST_CASE("every numeric key is bounded; URLs and listen addresses that could hurt are refused") {
  TempHome t;
  Env env = t.env();
  auto file = t.home() / ".config/lwgw/config.toml";
  for (const auto& k : config_keys())
    if (k.type == ConfigType::kInt) CHECK_MESSAGE(k.max > k.min, k.name);
  struct Bad {
    const char* key;
    const char* value;
  };
  for (const Bad& b :
       {Bad{"proxy.max_connections", "999999999999"}, Bad{"proxy.max_connections", "0"},
        Bad{"proxy.max_body_mib", "100000"}, Bad{"proxy.header_timeout_s", "0"},
        Bad{"proxy.response_timeout_s", "-1"}, Bad{"gateway.connect_timeout_s", "100000"},
        Bad{"gateway.url", "https://gw.example\\evil"},
        Bad{"gateway.url", "https://gw.example/\"x"}, Bad{"proxy.listen", "0.0.0.0:5566"}}) {
    auto r = run_inproc({"config", "set", b.key, b.value}, env);
    CHECK_MESSAGE(r.code == 3, b.key << " " << b.value);
    CHECK_FALSE(std::filesystem::exists(file));
  }
  auto range = run_inproc({"config", "set", "proxy.max_connections", "100000"}, env);
  CHECK(range.err.find("out of range: 1 to 10000") != std::string::npos);
  auto wild = run_inproc({"config", "set", "proxy.listen", "0.0.0.0:5566"}, env);
  CHECK(wild.err.find("allow_remote") != std::string::npos);
  // The same bounds hold for the file and the environment.
  t.write(file, "[proxy]\nmax_connections = 100000\n");
  CHECK(run_inproc({"config", "show"}, env).code == 3);
  CHECK(run_inproc({"config", "set", "proxy.header_timeout_s", "30"}, env).code == 3);
  std::filesystem::remove(file);
  CHECK(run_inproc({"config", "set", "proxy.header_timeout_s", "30"}, env).code == 0);
}

TEST_CASE("a key with a control character or a space is refused wherever it enters") {
  TempHome t;
  Env env = t.env();
  auto in = run_inproc(
      {"login", "--gateway", "http://127.0.0.1:9", "--key-env", "MY_VK", "--no-verify"}, [&] {
        Env e = env;
        e.set("MY_VK", "vk-lw-01HZX9N\r\nX-Injected: 1");
        return e;
      }());
  CHECK(in.code == 3);
  CHECK(in.err.find("control character") != std::string::npos);
  const auto creds = t.home() / ".config/lwgw/credentials";
  const bool stored =
      std::filesystem::exists(creds) && t.read(creds).find("vk-lw") != std::string::npos;
  CHECK_FALSE(stored);
  Env bad = env;
  bad.set("LWGW_VK", "vk-lw-01HZX9N\r\nX-Injected: 1");
  auto up = run_inproc({"up", "--foreground", "--listen", "127.0.0.1:1"}, bad);
  CHECK(up.code == 3);
  CHECK(up.err.find("LWGW_VK") != std::string::npos);
}
