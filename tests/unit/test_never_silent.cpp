// Issue 11 ("never silent"): setup installs the login service or starts the proxy, exec starts a
// missing proxy, the CLIs and the proxy follow proxy.listen, a bare setup re-applies, NO_PROXY
// always covers loopback, setup before login says to log in.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

#include "lwgw/process.hpp"
#include "standin_process.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
namespace stdfs = std::filesystem;

namespace {

const std::string kVK = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";

// A logged-in HOME with its own proxy port and a stand-in gateway; stops its proxy at the end.
struct World {
  TempHome t;
  Env env = t.env();
  StandIn gw{{}};
  int port = unused_port();
  stdfs::path bin = t.root() / "bin";

  World() {
    env.set("SHELL", "/bin/bash");
    stdfs::create_directories(bin);
    env.set("PATH", bin.string() + ":/usr/local/bin:/usr/bin:/bin");
    REQUIRE(run_bin({"login", "--gateway", gw.url(), "--key-stdin"}, env, kVK).code == 0);
    REQUIRE(run_bin({"config", "set", "proxy.listen", listen()}, env).code == 0);
  }
  ~World() { run_bin({"down", "--timeout", "5"}, env); }
  std::string listen(int p = 0) const { return "127.0.0.1:" + std::to_string(p ? p : port); }
  RunResult run(const std::vector<std::string>& args) const { return run_bin(args, env); }
  // An executable script on PATH.
  void script(const std::string& name, const std::string& body) const {
    auto p = bin / name;
    std::ofstream(p) << "#!/bin/sh\n" << body;
    ::chmod(p.c_str(), 0755);
  }
  bool proxy_running() const { return run({"status"}).code != 4; }
};

bool has(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

// The line of setup's table that names `file`.
std::string row_of(const std::string& out, const std::string& file) {
  const auto at = out.find(file);
  if (at == std::string::npos) return "";
  const auto begin = out.rfind('\n', at);
  const auto end = out.find('\n', at);
  return out.substr(begin == std::string::npos ? 0 : begin + 1,
                    end == std::string::npos ? std::string::npos : end - begin - 1);
}

}  // namespace

TEST_CASE("setup before login says to log in first, exit 3, and writes nothing") {
  TempHome t;
  Env env = t.env();
  auto r = run_bin({"setup", "codex"}, env);
  CHECK(r.code == 3);
  CHECK(has(r.err, "run `lwgw login` first"));
  CHECK_FALSE(stdfs::exists(t.home() / ".codex/config.toml"));
}

TEST_CASE("setup in proxy mode installs and starts the login service where systemd --user runs") {
  World w;
  // A session bus and a systemctl that records what it is asked.
  auto runtime = w.t.root() / "run";
  stdfs::create_directories(runtime);
  std::ofstream(runtime / "bus") << "";
  w.env.set("XDG_RUNTIME_DIR", runtime.string());
  auto calls = w.t.root() / "systemctl.calls";
  w.script("systemctl", "echo \"$*\" >> '" + calls.string() +
                            "'\ncase \"$*\" in *is-active*) echo inactive; exit 3;; esac\n");
  auto r = w.run({"setup", "codex", "--shell", "bash"});
  CHECK(r.code == 0);
  CHECK(has(r.out, "proxy: the login service (systemd --user) is installed"));
  auto units = w.t.home() / ".config/systemd/user";
  REQUIRE(stdfs::exists(units / "lwgw.socket"));
  CHECK(has(w.t.read(units / "lwgw.socket"), "ListenStream=" + w.listen() + "\n"));
  CHECK(has(w.t.read(units / "lwgw.service"), " up --foreground\n"));
  std::string log = w.t.read(calls);
  CHECK(has(log, "--user daemon-reload"));
  CHECK(has(log, "--user enable --now lwgw.socket"));
  // The address moves: the socket unit follows and the service manager is told.
  int other = unused_port();
  auto moved = w.run({"config", "set", "proxy.listen", w.listen(other)});
  CHECK(moved.code == 0);
  CHECK(has(w.t.read(units / "lwgw.socket"), "ListenStream=" + w.listen(other) + "\n"));
  CHECK(has(w.t.read(calls), "--user restart lwgw.socket"));
  // --no-service: nothing of the kind.
  World n;
  n.env.set("XDG_RUNTIME_DIR", runtime.string());
  n.script("systemctl", "echo \"$*\" >> '" + calls.string() + "'\n");
  auto before = w.t.read(calls);
  CHECK(n.run({"setup", "codex", "--shell", "bash", "--no-service"}).code == 0);
  CHECK_FALSE(stdfs::exists(n.t.home() / ".config/systemd/user/lwgw.socket"));
  CHECK(w.t.read(calls) == before);
  CHECK_FALSE(n.proxy_running());
}

TEST_CASE("setup without a service manager starts the proxy in the background and says so") {
  World w;
  auto r = w.run({"setup", "codex", "--shell", "bash"});
  CHECK(r.code == 0);
  CHECK(has(r.out, "proxy: started in the background on http://" + w.listen()));
  CHECK(has(r.err, "no login service here"));
  CHECK(has(r.err, "after a reboot"));
  CHECK(w.proxy_running());
  CHECK_FALSE(stdfs::exists(w.t.home() / ".config/systemd/user/lwgw.socket"));
  // Again: the proxy already runs; nothing else starts.
  auto again = w.run({"setup", "codex", "--shell", "bash"});
  CHECK(has(again.out, "proxy: already runs on http://" + w.listen()));
  // --dry-run says what it would do and starts nothing.
  REQUIRE(w.run({"down"}).code == 0);
  auto dry = w.run({"setup", "codex", "--dry-run"});
  CHECK(has(dry.out, "proxy: would start the proxy in the background"));
  CHECK_FALSE(w.proxy_running());
}

TEST_CASE("exec starts a missing proxy, or with --no-start exits 4 with the fix") {
  World w;
  w.script("codex", "echo \"ran with NO_PROXY=$NO_PROXY\"\n");
  auto refused = w.run({"exec", "--no-start", "codex", "--", "exec", "hi"});
  CHECK(refused.code == 4);
  CHECK(has(refused.err, "the proxy is not running on " + w.listen()));
  CHECK(has(refused.err, "lwgw up"));
  CHECK_FALSE(has(refused.out, "ran with"));

  auto r = w.run({"exec", "codex", "--", "exec", "hi"});
  CHECK(r.code == 0);
  CHECK(has(r.err, "started the proxy on http://" + w.listen()));
  CHECK(has(r.out, "ran with NO_PROXY=127.0.0.1,localhost,::1"));
  CHECK(w.proxy_running());
  // Running: nothing said, nothing started.
  auto again = w.run({"exec", "codex", "--", "exec", "hi"});
  CHECK(again.code == 0);
  CHECK_FALSE(has(again.err, "started the proxy"));
}

TEST_CASE("exec refuses when another program holds proxy.listen, naming it") {
  World w;
  LoopbackServer other([](httplib::Server& s) {
    s.Get(".*", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content("not here", "text/plain");
    });
  });
  REQUIRE(w.run({"config", "set", "proxy.listen", w.listen(other.port())}).code == 0);
  w.script("codex", "echo ran\n");
  auto r = w.run({"exec", "codex", "--", "exec", "hi"});
  CHECK(r.code == 4);
  CHECK(has(r.err, "that is not lwgw"));
  CHECK(has(r.err, "lwgw config set proxy.listen"));
  CHECK_FALSE(has(r.out, "ran"));
}

TEST_CASE("changing proxy.listen moves the CLIs set up for the proxy and the running proxy") {
  World w;
  REQUIRE(w.run({"setup", "codex", "claude-code", "--shell", "bash", "--no-service"}).code == 0);
  REQUIRE(w.run({"setup", "opencode", "--direct"}).code == 0);
  REQUIRE(w.run({"up"}).code == 0);
  const std::string opencode_before = w.t.read(w.t.home() / ".config/opencode/opencode.json");
  int other = unused_port();
  auto r = w.run({"config", "set", "proxy.listen", w.listen(other)});
  CHECK(r.code == 0);
  CHECK(has(r.err, "pointing claude-code, codex at http://" + w.listen(other)));
  CHECK(has(row_of(r.out, "~/.codex/config.toml"), " updated "));
  CHECK(has(w.t.read(w.t.home() / ".codex/config.toml"), w.listen(other)));
  CHECK(has(w.t.read(w.t.home() / ".claude/settings.json"), w.listen(other)));
  // Direct mode does not involve the proxy: untouched.
  CHECK(w.t.read(w.t.home() / ".config/opencode/opencode.json") == opencode_before);
  // The proxy moved with them.
  CHECK(has(r.err, "proxy listening on http://" + w.listen(other)));
  CHECK(has(w.run({"status"}).out, w.listen(other)));

  // --no-reapply: nothing moves, and it says what to run.
  int third = unused_port();
  auto n = w.run({"config", "set", "proxy.listen", w.listen(third), "--no-reapply"});
  CHECK(n.code == 0);
  CHECK(has(n.err, "still point at " + w.listen(other) + ": run `lwgw setup`"));
  CHECK(has(n.err, "until `lwgw down && lwgw up`"));
  CHECK(has(w.t.read(w.t.home() / ".codex/config.toml"), w.listen(other)));
  // A bare `lwgw setup` re-applies to what is set up, each in its own mode.
  auto bare = w.run({"setup", "--no-service"});
  CHECK(bare.code == 0);
  CHECK(has(w.t.read(w.t.home() / ".codex/config.toml"), w.listen(third)));
  CHECK(w.t.read(w.t.home() / ".config/opencode/opencode.json") == opencode_before);
  CHECK(has(row_of(bare.out, "~/.config/opencode/opencode.json"), " unchanged"));
}

TEST_CASE("a bare setup with nothing set up says what to do; --direct needs names") {
  World w;
  auto r = w.run({"setup"});
  CHECK(r.code == 2);
  CHECK(has(r.err, "nothing is set up yet"));
  CHECK(w.run({"setup", "--direct"}).code == 2);
}

TEST_CASE("up --listen on another address than the CLIs use warns") {
  World w;
  REQUIRE(w.run({"setup", "codex", "--shell", "bash", "--no-service"}).code == 0);
  auto r = w.run({"up", "--listen", w.listen(unused_port())});
  CHECK(r.code == 0);
  CHECK(has(r.err, "codex is set up for " + w.listen() + " (proxy.listen)"));
}

TEST_CASE("Claude Code's settings keep loopback away from HTTP proxies, with the user's NO_PROXY") {
  World w;
  w.env.set("NO_PROXY", ".corp.example");
  w.env.set("HTTPS_PROXY", "http://proxy.corp.example:3128");
  REQUIRE(w.run({"setup", "claude-code", "--no-service"}).code == 0);
  auto settings = w.t.read(w.t.home() / ".claude/settings.json");
  CHECK(has(settings, "\"NO_PROXY\": \".corp.example,127.0.0.1,localhost,::1\""));
  // Idempotent once the env file's NO_PROXY is in the environment.
  w.env.set("NO_PROXY", ".corp.example,127.0.0.1,localhost,::1");
  auto again = w.run({"setup", "claude-code", "--no-service"});
  CHECK(has(row_of(again.out, "~/.claude/settings.json"), " unchanged"));
  REQUIRE(w.run({"teardown", "claude-code"}).code == 0);
  CHECK_FALSE(stdfs::exists(w.t.home() / ".claude/settings.json"));
}
