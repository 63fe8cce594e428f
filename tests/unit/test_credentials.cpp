// Credentials: the 0600 file store, its refusal when readable by others, LWGW_VK, local tokens.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <set>
#include <thread>

#include "lwgw/credentials.hpp"
#include "lwgw/error.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;

namespace {
mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}
const char* kKey = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";
}  // namespace

TEST_CASE("file store writes 0600 in a 0700 directory and round-trips") {
  TempHome t;
  auto paths = resolve_paths(t.env());
  auto store = make_file_store(paths);
  CHECK_FALSE(store->get(kVirtualKey).has_value());
  store->set(kVirtualKey, kKey);
  store->set(kLocalToken, "lwgw_lt_abcdefghijklmnop");
  CHECK(mode_of(paths.credentials_file) == 0600);
  CHECK(mode_of(paths.credentials_file.parent_path()) == 0700);
  CHECK(store->get(kVirtualKey) == std::string(kKey));
  CHECK(store->erase(kVirtualKey));
  CHECK_FALSE(store->get(kVirtualKey).has_value());
  CHECK(store->get(kLocalToken).has_value());
  CHECK_FALSE(store->erase(kVirtualKey));
}

TEST_CASE("a credentials file readable by others is refused with the fix") {
  TempHome t;
  auto paths = resolve_paths(t.env());
  auto store = make_file_store(paths);
  store->set(kVirtualKey, kKey);
  ::chmod(paths.credentials_file.c_str(), 0644);
  try {
    (void)store->get(kVirtualKey);
    FAIL("expected refusal");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::kConfig);
    CHECK(std::string(e.what()).find("chmod 600") != std::string::npos);
    CHECK(std::string(e.what()).find(kKey) == std::string::npos);
  }
  auto r = run_inproc({"whoami"}, t.env());
  CHECK(r.code == 3);
  CHECK(r.err.find("0644") != std::string::npos);
}

TEST_CASE("auto store falls back to the file without a keychain; keychain demanded fails") {
  TempHome t;
  Env env = t.env();
  env.set("PATH", t.root().string());  // no secret-tool, no security
  auto paths = resolve_paths(env);
  CHECK(open_credential_store("auto", paths, env)->kind() == "file");
  CHECK_THROWS_AS(open_credential_store("keychain", paths, env), Error);
}

TEST_CASE("LWGW_VK overrides the stored key and is never written") {
  TempHome t;
  Env env = t.env();
  auto paths = resolve_paths(env);
  auto store = make_file_store(paths);
  store->set(kVirtualKey, kKey);
  env.set("LWGW_VK", "vk-lw-01HZX9N0ZZZZZZZZZZZZZZZZZZ");
  auto k = resolve_vk(*store, env);
  REQUIRE(k);
  CHECK(k->key == "vk-lw-01HZX9N0ZZZZZZZZZZZZZZZZZZ");
  CHECK(k->source == "env LWGW_VK");
  CHECK(t.read(paths.credentials_file).find("ZZZZ") == std::string::npos);
  auto r = run_inproc({"whoami", "--offline"}, env);
  CHECK(r.code == 0);
  CHECK(r.out.find("env LWGW_VK") != std::string::npos);
  CHECK(r.out.find("ZZZZZZZZ") == std::string::npos);
}

TEST_CASE("local tokens are random, 32 bytes, url-safe") {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto tok = generate_local_token();
    CHECK(tok.rfind("lwgw_lt_", 0) == 0);
    CHECK(tok.size() == 8 + 43);
    CHECK(tok.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                                8) == std::string::npos);
    seen.insert(tok);
  }
  CHECK(seen.size() == 50);
}

TEST_CASE("VK shapes: both formats accepted, others only warned about") {
  CHECK(looks_like_vk(kKey));
  CHECK(looks_like_vk("lw_vk_live_abc123"));
  CHECK_FALSE(looks_like_vk("vk-lw-short"));
  CHECK_FALSE(looks_like_vk("vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTI"));  // I is not Crockford
  CHECK_FALSE(looks_like_vk("sk-ant-123"));
}

TEST_CASE("keychain store (secret-tool): secrets travel on stdin, never in argv") {
  TempHome t;
  Env env = t.env();
  // A stand-in secret-tool that keeps secrets in files and logs its argv.
  auto bin = t.root() / "bin";
  std::filesystem::create_directories(bin);
  t.write(bin / "secret-tool",
          "#!/bin/sh\n"
          "echo \"$@\" >> \"$FAKE_KEYRING/argv.log\"\n"
          "case \"$1\" in\n"
          "  store) cat > \"$FAKE_KEYRING/$6\" ;;\n"
          "  lookup) [ -f \"$FAKE_KEYRING/$5\" ] && cat \"$FAKE_KEYRING/$5\" || exit 1 ;;\n"
          "  clear) rm -f \"$FAKE_KEYRING/$5\" ;;\n"
          "esac\n");
  std::filesystem::permissions(bin / "secret-tool", std::filesystem::perms::owner_all);
  auto ring = t.root() / "ring";
  std::filesystem::create_directories(ring);
  env.set("PATH", bin.string() + ":/usr/bin:/bin");
  env.set("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
  env.set("FAKE_KEYRING", ring.string());
  CHECK(keychain_available(env));
  auto store = open_credential_store("auto", resolve_paths(env), env);
  CHECK(store->kind() == "keychain");
  store->set(kVirtualKey, kKey);
  CHECK(store->get(kVirtualKey) == std::string(kKey));
  CHECK(t.read(ring / "argv.log").find(kKey) == std::string::npos);
  CHECK(t.read(ring / "argv.log").find("store --label=lwgw vk service lwgw account vk") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(t.home() / ".config/lwgw/credentials"));
  CHECK(store->erase(kVirtualKey));
  CHECK_FALSE(store->get(kVirtualKey).has_value());
  // login through the real binary lands in the keychain too.
  auto r = run_bin({"login", "--no-verify", "--key-stdin"}, env, kKey);
  CHECK(r.code == 0);
  CHECK(r.out.find("keychain (secret-tool") != std::string::npos);
  CHECK(t.read(ring / "vk") == std::string(kKey));
  CHECK(t.read(ring / "argv.log").find(kKey) == std::string::npos);
}

TEST_CASE("concurrent config edits and credential writes never lose an update") {
  TempHome t;
  Env env = t.env();
  for (int round = 0; round < 10; ++round) {
    const std::string a = std::to_string(100 + round), b = std::to_string(20 + round);
    RunResult ra, rb, rl;
    std::thread ta([&] { ra = run_bin({"config", "set", "proxy.max_connections", a}, env); });
    std::thread tb([&] { rb = run_bin({"config", "set", "proxy.drain_timeout_s", b}, env); });
    std::thread tl([&] {
      rl = run_bin({"login", "--gateway", "http://127.0.0.1:" + std::to_string(9000 + round),
                    "--key-stdin", "--no-verify"},
                   env, "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV\n");
    });
    ta.join();
    tb.join();
    tl.join();
    REQUIRE(ra.code == 0);
    REQUIRE(rb.code == 0);
    REQUIRE(rl.code == 0);
    CHECK(run_bin({"config", "get", "proxy.max_connections"}, env).out == a + "\n");
    CHECK(run_bin({"config", "get", "proxy.drain_timeout_s"}, env).out == b + "\n");
    CHECK(run_bin({"config", "get", "gateway.url"}, env).out ==
          "http://127.0.0.1:" + std::to_string(9000 + round) + "\n");
  }
  // The file store: two writers of different entries, each keeps its own.
  auto paths = resolve_paths(env);
  for (int round = 0; round < 20; ++round) {
    std::thread w1([&] {
      open_credential_store("file", paths, env)->set("a", "one" + std::to_string(round));
    });
    std::thread w2([&] {
      open_credential_store("file", paths, env)->set("b", "two" + std::to_string(round));
    });
    w1.join();
    w2.join();
    auto store = open_credential_store("file", paths, env);
    CHECK(store->get("a") == "one" + std::to_string(round));
    CHECK(store->get("b") == "two" + std::to_string(round));
  }
}
