// lwgw doctor against staged failures: a temp HOME, the stand-in gateway (or an in-test TLS or
// black-holed one), the real lwgw binary. Each case asserts the check's id, status and fix, and
// where the fix is a command, that running it makes the check pass.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "standin_process.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
using json = nlohmann::json;
namespace stdfs = std::filesystem;

namespace {

const std::string kVK = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";

bool has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

/// One `lwgw --json doctor` run.
struct Run {
  int code = -1;
  json doc;
  std::string out, err;
  double seconds = 0;

  const json& check(const std::string& id) const {
    for (const auto& c : doc["checks"])
      if (c["id"] == id) return c;
    FAIL("no check " << id << " in:\n" << out);
    static const json none;
    return none;
  }
  std::string status(const std::string& id) const { return check(id)["status"]; }
  std::string summary(const std::string& id) const { return check(id)["summary"]; }
  std::string command(const std::string& id) const {
    const json& c = check(id);
    return c.contains("fix") ? c["fix"]["command"].get<std::string>() : "";
  }
  std::string fix_text(const std::string& id) const {
    const json& c = check(id);
    return c.contains("fix") ? c["fix"]["text"].get<std::string>() : "";
  }
};

Run doctor(const Env& env, std::vector<std::string> args = {}) {
  args.insert(args.begin(), {"--json", "doctor"});
  const auto start = std::chrono::steady_clock::now();
  RunResult r = run_bin(args, env);
  Run out;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.code = r.code;
  out.out = r.out;
  out.err = r.err;
  out.doc = json::parse(r.out, nullptr, false);
  REQUIRE_MESSAGE(!out.doc.is_discarded(), "not JSON:\n" << r.out << r.err);
  return out;
}

/// The plan's fix for `command`, or null.
const json* fix_for(const Run& r, const std::string& command) {
  for (const auto& f : r.doc["fixes"])
    if (f["command"] == command) return &f;
  return nullptr;
}

/// A temp HOME logged in to a stand-in gateway, its proxy on a free port (not started), fake
/// coding CLIs on PATH.
struct Home {
  TempHome t;
  Env env = t.env();
  std::unique_ptr<StandIn> gw;
  int port = unused_port();
  stdfs::path bin = t.root() / "bin";

  explicit Home(std::vector<std::string> standin_args = {"--key", kVK}, bool verify = true) {
    gw = std::make_unique<StandIn>(std::move(standin_args));
    init(gw->url(), verify);
  }
  Home(const std::string& gateway_url, bool verify) { init(gateway_url, verify); }
  ~Home() { run_bin({"down", "--timeout", "5"}, env); }

  void init(const std::string& url, bool verify) {
    env.set("SHELL", "/bin/bash");
    stdfs::create_directories(bin);
    env.set("PATH", bin.string() + ":/usr/bin:/bin");
    std::vector<std::string> login{"login", "--gateway", url, "--key-stdin"};
    if (!verify) login.push_back("--no-verify");
    REQUIRE(run_bin(login, env, kVK).code == 0);
    REQUIRE(run("config", "set", "proxy.listen", listen()).code == 0);
  }
  std::string listen() const { return "127.0.0.1:" + std::to_string(port); }
  template <typename... A>
  RunResult run(A... args) const {
    return run_bin({args...}, env);
  }
  RunResult run_args(const std::vector<std::string>& args) const { return run_bin(args, env); }
  void setup(std::vector<std::string> clis) const {
    clis.insert(clis.begin(), "setup");
    for (const char* a : {"--no-service", "--shell", "bash"}) clis.emplace_back(a);
    auto r = run_args(clis);
    REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
  }
  void up() const { REQUIRE(run("up").code == 0); }
  /// What a new shell would have: the variables lwgw's env file exports.
  void reload_shell() {
    std::ifstream in(t.home() / ".config/lwgw/env.sh");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("export ", 0) != 0) continue;
      auto eq = line.find('=');
      std::string v = line.substr(eq + 1);
      if (v.size() >= 2 && v.front() == '\'') v = v.substr(1, v.size() - 2);
      env.set(line.substr(7, eq - 7), v);
    }
    env.set("NO_PROXY", "127.0.0.1,localhost,::1");
  }
  /// Installed coding CLIs (scripts printing a version).
  void fake_clis() const {
    for (const char* name : {"claude", "codex", "gemini", "opencode", "aider"}) {
      auto p = bin / name;
      std::ofstream(p) << "#!/bin/sh\necho \"" << name << " 1.0.0\"\n";
      ::chmod(p.c_str(), 0755);
    }
  }
  void append(const stdfs::path& rel, const std::string& text) const {
    std::ofstream(t.home() / rel, std::ios::app) << text;
  }
  /// A hand edit of a file under home: its first `from` becomes `to` (which must be there).
  void replace(const stdfs::path& rel, const std::string& from, const std::string& to) const {
    std::string text = t.read(t.home() / rel);
    const size_t at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from << " not in " << rel);
    text.replace(at, from.size(), to);
    t.write(t.home() / rel, text);
  }
  std::string token() const {
    return json::parse(t.read(t.home() / ".config/lwgw/credentials"))["local_token"];
  }
};

}  // namespace

namespace {

/// Every file under `root` with its mode and content, except the running proxy's own log.
std::map<std::string, std::string> snapshot(const stdfs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : stdfs::recursive_directory_iterator(root)) {
    if (e.path().filename() == "proxy.log") continue;
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    std::string content;
    if (e.is_regular_file()) {
      std::ifstream in(e.path(), std::ios::binary);
      content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    out[e.path().string()] = std::to_string(st.st_mode) + ":" + content;
  }
  return out;
}

}  // namespace

TEST_CASE("doctor: a healthy setup of all six CLIs has no failure and no warning, exit 0") {
  Home h;
  h.setup({"--all"});
  h.up();
  h.fake_clis();
  h.reload_shell();  // setup also set Claude Code's onboarding flag (claude-code.onboarding)
  Run r = doctor(h.env);
  std::string problems;
  for (const auto& c : r.doc["checks"])
    if (c["status"] == "fail" || c["status"] == "warn")
      problems += c["id"].get<std::string>() + ": " + c["summary"].get<std::string>() + "\n";
  CHECK_MESSAGE(problems.empty(), problems);
  CHECK(r.code == 0);
  CHECK(r.doc["overall"] == "ok");
  CHECK(r.doc["mode"] == "proxy");
  for (const char* id : {"gateway.auth", "proxy.listener", "codex.models_endpoint",
                         "claude-code.installed", "aider.configured", "gemini-cli.env"})
    CHECK_MESSAGE(r.status(id) == "ok", id);
  auto human = run_bin({"doctor", "--ascii"}, h.env);
  CHECK(human.code == 0);
  CHECK(!has(human.out, "[XX]"));
  CHECK(!has(human.out, "[!!]"));
  CHECK(!has(human.out, "Needs attention"));
}

TEST_CASE("doctor: not logged in is key.present's failure; the gateway's key check is skipped") {
  StandIn gw({"--key", kVK});
  TempHome t;
  Env env = t.env();
  REQUIRE(run_bin({"config", "set", "gateway.url", gw.url()}, env).code == 0);
  Run r = doctor(env);
  CHECK(r.code == 1);
  CHECK(r.status("key.present") == "fail");
  CHECK(r.command("key.present") == "lwgw login");
  CHECK(r.status("gateway.auth") == "skip");
  CHECK(r.summary("gateway.auth") == "key.present failed");
  CHECK(r.status("gateway.health") == "ok");
}

TEST_CASE("doctor maps the gateway's answers to /v1/models: 401, 403, 402, 503") {
  struct Case {
    std::vector<std::string> standin;
    std::string status, words, command, who;
  };
  const std::vector<Case> cases = {
      {{"--key", "vk-lw-SOMEONEELSE0000000000000"},
       "fail",
       "does not know this key",
       "lwgw login",
       "you"},
      {{"--key", kVK + ":revoked"}, "fail", "revoked", "lwgw login", "gateway admin"},
      {{"--key", kVK + ":budget_exceeded"}, "fail", "budget is exhausted", "", "gateway admin"},
      {{"--key", kVK + ":cp_down"},
       "fail",
       "control plane (not your laptop)",
       "",
       "gateway operators"}};
  for (const auto& c : cases) {
    Home h(c.standin, /*verify=*/false);
    Run r = doctor(h.env, {"gateway"});
    CHECK_MESSAGE(r.status("gateway.auth") == c.status, c.words);
    CHECK_MESSAGE(has(r.summary("gateway.auth"), c.words), r.summary("gateway.auth"));
    CHECK(r.command("gateway.auth") == c.command);
    CHECK(!r.fix_text("gateway.auth").empty());
    CHECK(r.check("gateway.auth")["details"]["who"] == c.who);
    CHECK(r.code == 1);
  }
  // Budget exhausted: reported once, by gateway.auth.
  Home budget({"--key", kVK + ":budget_exceeded"}, false);
  CHECK(doctor(budget.env, {"gateway"}).status("gateway.budget") == "skip");
}

TEST_CASE("doctor: a rate-limited key is a warning for the gateway admin, not a failure") {
  Home h({"--key", kVK + ":rate_limited"}, /*verify=*/false);
  Run r = doctor(h.env, {"gateway"});
  CHECK(r.status("gateway.auth") == "warn");
  CHECK(has(r.summary("gateway.auth"), "rate limited"));
  CHECK(r.check("gateway.auth")["details"]["who"] == "gateway admin");
  CHECK(!r.fix_text("gateway.auth").empty());
  CHECK(r.code == 0);
  CHECK(doctor(h.env, {"gateway", "--strict"}).code == 1);
}

TEST_CASE("doctor: clock skew against the gateway's Date: ok, a warning, then a failure") {
  struct Case {
    int offset_s;
    std::string status, words;
  };
  // (The seconds may differ by one: the Date header is read a moment after it was made.)
  for (const Case& c : {Case{0, "ok", "the gateway's"}, Case{-120, "warn", "s ahead of"},
                        Case{3600, "fail", "s behind the gateway's: TLS and token checks fail"}}) {
    Home h({"--key", kVK, "--clock-offset-s", std::to_string(c.offset_s)});
    Run r = doctor(h.env, {"network.clock", "gateway.health"});
    CHECK_MESSAGE(r.status("network.clock") == c.status, r.summary("network.clock"));
    CHECK_MESSAGE(has(r.summary("network.clock"), c.words), r.summary("network.clock"));
    if (c.status != "ok") CHECK(r.command("network.clock") == "sudo timedatectl set-ntp true");
  }
}

TEST_CASE("doctor warns about a budget past 80% and does not fail for it") {
  Home h({"--key", kVK, "--budget-warning", "project:95"});
  Run r = doctor(h.env, {"gateway"});
  CHECK(r.status("gateway.budget") == "warn");
  CHECK(has(r.summary("gateway.budget"), "project:95"));
  CHECK(r.code == 0);
  CHECK(doctor(h.env, {"gateway", "--strict"}).code == 1);
}

TEST_CASE("doctor: the gateway down is network.tcp's failure; what needs it is skipped") {
  Home h;
  h.gw->stop();
  Run r = doctor(h.env);
  CHECK(r.code == 1);
  CHECK(r.status("network.tcp") == "fail");
  CHECK(has(r.summary("network.tcp"), "cannot connect to 127.0.0.1:"));
  CHECK(r.command("network.tcp") == "lwgw config get gateway.url");
  CHECK(r.summary("gateway.health") == "network.tls was skipped");
  CHECK(r.status("gateway.auth") == "skip");
}

namespace {

/// A loopback port that accepts nothing: its accept queue is full, so new connections hang
/// (SYNs dropped) the way a firewalled gateway does.
struct BlackHole {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int filler = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  BlackHole() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 0) == 0);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    ::connect(filler, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  ~BlackHole() {
    ::close(filler);
    ::close(fd);
  }
  BlackHole(const BlackHole&) = delete;
  BlackHole& operator=(const BlackHole&) = delete;
};

}  // namespace

TEST_CASE("doctor with the gateway black-holed ends within 10 s, with a failure that says so") {
  BlackHole hole;
  Home h("http://127.0.0.1:" + std::to_string(hole.port), /*verify=*/false);
  h.setup({"codex", "claude-code"});
  h.up();
  Run r = doctor(h.env);
  CHECK(r.seconds < 10);
  CHECK(r.code == 1);
  const bool tcp = r.status("network.tcp") == "fail";
  const bool health = r.status("gateway.health") == "fail";
  CHECK_MESSAGE((tcp || health), r.out);
  CHECK(r.status("gateway.auth") == "skip");
  CHECK(r.status("proxy.listener") == "ok");
}

TEST_CASE("doctor with a gateway that accepts connections and never answers ends within 10 s") {
  // Connections complete in the kernel's backlog; nobody reads the requests.
  int port = 0;
  const int fd = listen_loopback(64, port);
  Home h("http://127.0.0.1:" + std::to_string(port), /*verify=*/false);
  Run r = doctor(h.env, {"network", "gateway"});
  CHECK(r.seconds < 10);
  CHECK(r.status("network.tcp") == "ok");
  CHECK(r.status("gateway.health") == "fail");
  CHECK(has(r.summary("gateway.health"), "no answer"));
  CHECK(r.status("gateway.auth") == "skip");
  ::close(fd);
}

TEST_CASE(
    "doctor: CLIs set up for the proxy while it is down fail with `lwgw up`, which fixes it") {
  Home h;
  h.setup({"codex", "claude-code", "aider"});
  Run r = doctor(h.env);
  CHECK(r.code == 1);
  CHECK(r.status("proxy.listener") == "fail");
  for (const char* id : {"codex.proxy_up", "claude-code.proxy_up", "aider.proxy_up"}) {
    CHECK_MESSAGE(r.status(id) == "fail", id);
    CHECK(r.command(id) == "lwgw up");
    CHECK(has(r.fix_text(id), "lwgw service install"));
  }
  CHECK(has(r.summary("codex.proxy_up"), "nothing listens on " + h.listen()));
  h.up();
  Run after = doctor(h.env, {"codex.proxy_up", "proxy"});
  CHECK(after.status("codex.proxy_up") == "ok");
  CHECK(after.status("proxy.listener") == "ok");
  CHECK(after.status("proxy.gateway") == "ok");
}

TEST_CASE("doctor: a pid file naming another live process is proxy.pidfile's failure") {
  Home h;
  h.setup({"codex"});
  Spawned sleeper({"/bin/sleep", "30"}, h.env, h.t.root() / "sleep.log");
  // Staged once it runs `sleep` (until its exec, /proc shows this test's command line, or none).
  const auto cmdline = "/proc/" + std::to_string(sleeper.pid()) + "/cmdline";
  for (int i = 0; i < 200 && !has(h.t.read(cmdline), "sleep"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  h.t.write(h.t.root() / "runtime/lwgw/proxy.json",
            json{{"pid", sleeper.pid()}, {"listen", h.listen()}}.dump());
  Run r = doctor(h.env, {"proxy"});
  CHECK(r.status("proxy.pidfile") == "fail");
  CHECK(has(r.summary("proxy.pidfile"), "sleep 30"));
  CHECK(r.command("proxy.pidfile") == "lwgw up");
  h.up();
  CHECK(doctor(h.env, {"proxy"}).status("proxy.pidfile") == "ok");
}

TEST_CASE("doctor: an lwgw of another HOME on proxy.listen refuses this HOME's token; named") {
  Home other;
  other.setup({"codex"});
  other.up();
  Home h;
  h.port = other.port;  // this HOME points its CLIs where the other HOME's proxy listens
  REQUIRE(h.run("config", "set", "proxy.listen", h.listen(), "--no-reapply").code == 0);
  h.setup({"codex"});
  Run r = doctor(h.env, {"proxy", "codex"});
  CHECK(r.status("proxy.listener") == "fail");
  CHECK(has(r.summary("proxy.listener"), "an lwgw started elsewhere"));
  CHECK(has(r.summary("proxy.listener"), "refuses this HOME's local token"));
  CHECK(r.command("proxy.listener").rfind("lwgw config set proxy.listen 127.0.0.1:", 0) == 0);
  CHECK(r.status("codex.proxy_up") == "fail");
  CHECK(r.status("proxy.gateway") == "skip");
  // The other HOME's own doctor sees its proxy as its own.
  CHECK(doctor(other.env, {"proxy.listener"}).status("proxy.listener") == "ok");
}

TEST_CASE("doctor: another program on proxy.listen is named, with the command that moves lwgw") {
  LoopbackServer other([](httplib::Server& s) {
    s.Get(".*", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content("<html>not here</html>", "text/html");
    });
  });
  Home h;
  h.port = other.port();
  REQUIRE(h.run("config", "set", "proxy.listen", h.listen()).code == 0);
  h.setup({"codex"});
  Run r = doctor(h.env, {"proxy", "codex"});
  CHECK(r.status("proxy.listener") == "fail");
  CHECK(has(r.summary("proxy.listener"), h.listen() + " is held by "));
  CHECK(has(r.summary("proxy.listener"), "HTTP 404 (text/html)"));
  CHECK(has(r.command("proxy.listener"), "lwgw config set proxy.listen 127.0.0.1:"));
  CHECK(r.status("codex.proxy_up") == "fail");
  CHECK(has(r.summary("codex.proxy_up"), "another program holds"));
}

TEST_CASE("doctor: credentials readable by others fail lwgw.permissions with the chmod") {
  Home h;
  const auto creds = h.t.home() / ".config/lwgw/credentials";
  ::chmod(creds.c_str(), 0644);
  Run r = doctor(h.env, {"lwgw", "key"});
  CHECK(r.status("lwgw.permissions") == "fail");
  CHECK(has(r.summary("lwgw.permissions"), "~/.config/lwgw/credentials is 0644"));
  CHECK(r.command("lwgw.permissions") == "chmod 600 ~/.config/lwgw/credentials");
  CHECK(r.status("key.present") == "fail");
  CHECK(r.command("key.present") == "chmod 600 ~/.config/lwgw/credentials");
  ::chmod(creds.c_str(), 0600);
  Run after = doctor(h.env, {"lwgw", "key"});
  CHECK(after.status("lwgw.permissions") == "ok");
  CHECK(after.status("key.present") == "ok");
}

TEST_CASE("doctor: a key pasted into ~/.bashrc is reported by file and line, never by value") {
  Home h;
  h.append(".bashrc", "# mine\nalias ll='ls -l'\nexport OPENAI_API_KEY=" + kVK + "\n");
  Run r = doctor(h.env, {"lwgw"});
  CHECK(r.status("lwgw.dotfile_keys") == "fail");
  CHECK(r.check("lwgw.dotfile_keys")["source"] == json{{"file", "~/.bashrc"}, {"line", 3}});
  CHECK(has(r.summary("lwgw.dotfile_keys"), "~/.bashrc:3"));
  CHECK(has(r.fix_text("lwgw.dotfile_keys"), "delete that line"));
  CHECK(!has(r.out, kVK));
}

TEST_CASE("doctor: wire_api = \"chat\" in an unrelated Codex provider; its fix makes it pass") {
  Home h;
  h.setup({"codex"});
  h.append(".codex/config.toml",
           "\n[model_providers.old]\nname = \"old\"\nbase_url = \"http://old.example/v1\"\n"
           "wire_api = \"chat\"\n");
  Run r = doctor(h.env, {"codex"});
  CHECK(r.status("codex.wire_api") == "fail");
  CHECK(has(r.summary("codex.wire_api"), "[model_providers.old] has wire_api = \"chat\""));
  CHECK(r.command("codex.wire_api") == "lwgw setup codex --yes");
  CHECK(r.check("codex.wire_api")["source"]["file"] == "~/.codex/config.toml");
  CHECK(r.check("codex.wire_api")["source"]["line"].get<int>() > 0);
  REQUIRE(h.run("setup", "codex", "--yes", "--no-service", "--shell", "bash").code == 0);
  CHECK(doctor(h.env, {"codex"}).status("codex.wire_api") == "ok");
}

TEST_CASE("doctor: Gemini CLI without selectedType fails, and setup's fix makes it pass") {
  Home h;
  h.setup({"gemini-cli"});
  h.t.write(h.t.home() / ".gemini/settings.json",
            "{\"privacy\": {\"usageStatisticsEnabled\": false}}\n");
  Run r = doctor(h.env, {"gemini-cli"});
  CHECK(r.status("gemini-cli.selected_type") == "fail");
  CHECK(has(r.summary("gemini-cli.selected_type"), "Invalid auth method selected."));
  CHECK(r.command("gemini-cli.selected_type") == "lwgw setup gemini-cli");
  h.setup({"gemini-cli"});
  CHECK(doctor(h.env, {"gemini-cli"}).status("gemini-cli.selected_type") == "ok");
}

TEST_CASE("doctor: ANTHROPIC_API_KEY next to lwgw's token names where it is exported") {
  Home h;
  h.setup({"claude-code"});
  const std::string anthropic = "sk-ant-api03-SECRETSECRETSECRET";
  h.append(".bashrc", "export ANTHROPIC_API_KEY=" + anthropic + "\n");
  h.env.set("ANTHROPIC_API_KEY", anthropic);
  Run r = doctor(h.env, {"claude-code"});
  CHECK(r.status("claude-code.auth_conflict") == "fail");
  CHECK(has(r.summary("claude-code.auth_conflict"), "exported by ~/.bashrc:"));
  CHECK(r.command("claude-code.auth_conflict") == "unset ANTHROPIC_API_KEY");
  CHECK(r.check("claude-code.auth_conflict")["source"]["file"] == "~/.bashrc");
  CHECK(!has(r.out, anthropic));
  h.env.unset("ANTHROPIC_API_KEY");
  CHECK(doctor(h.env, {"claude-code"}).status("claude-code.auth_conflict") == "ok");
}

TEST_CASE("doctor: HTTPS_PROXY with a NO_PROXY that lacks loopback; proxy credentials hidden") {
  Home h;
  h.setup({"codex"});
  h.env.set("HTTPS_PROXY", "http://ann:hunter2@proxy.corp.example:3128");
  h.env.set("NO_PROXY", ".corp.example");
  Run r = doctor(h.env, {"network"});
  CHECK(r.status("network.no_proxy") == "fail");
  CHECK(has(r.summary("network.no_proxy"), "NO_PROXY does not cover 127.0.0.1: codex"));
  CHECK(has(r.command("network.no_proxy"), "127.0.0.1,localhost,::1"));
  CHECK(has(r.fix_text("network.no_proxy"), "open a new terminal"));
  CHECK(r.check("network.proxy_env")["details"]["variables"]["HTTPS_PROXY"] ==
        "http://proxy.corp.example:3128");
  CHECK(!has(r.out, "hunter2"));
  h.env.set("NO_PROXY", ".corp.example,127.0.0.1,localhost,::1");
  CHECK(doctor(h.env, {"network"}).status("network.no_proxy") == "ok");
  // The lower- and upper-case forms disagree.
  h.env.set("https_proxy", "http://other.corp.example:8080");
  Run mixed = doctor(h.env, {"network"});
  CHECK(mixed.status("network.proxy_env") == "warn");
  CHECK(mixed.command("network.proxy_env") == "export HTTPS_PROXY=\"$https_proxy\"");
}

TEST_CASE("doctor --fix: an env file without the loopback NO_PROXY clause is set up again") {
  Home h;
  h.setup({"codex"});
  const auto env_sh = h.t.home() / ".config/lwgw/env.sh";
  std::string kept;
  {
    std::istringstream in(h.t.read(env_sh));
    for (std::string line; std::getline(in, line);)
      if (line.find("127.0.0.1") == std::string::npos) kept += line + "\n";
  }
  h.t.write(env_sh, kept);  // as an older lwgw wrote it, or an edit
  h.env.set("HTTPS_PROXY", "http://proxy.corp.example:3128");
  h.env.set("NO_PROXY", ".corp.example");
  Run r = doctor(h.env, {"network"});
  CHECK(r.status("network.no_proxy") == "fail");
  CHECK(has(r.summary("network.no_proxy"), "lwgw's env file does not add loopback"));
  CHECK(r.command("network.no_proxy") == "lwgw setup");
  Run applied = doctor(h.env, {"network", "--fix", "--yes"});
  REQUIRE(fix_for(applied, "lwgw setup"));
  CHECK((*fix_for(applied, "lwgw setup"))["applied"] == true);
  CHECK(has(h.t.read(env_sh), "127.0.0.1,localhost,::1"));
  // What is left is this shell: a new terminal has loopback.
  Run after = doctor(h.env, {"network"});
  CHECK(has(after.fix_text("network.no_proxy"), "open a new terminal"));
  h.env.set("NO_PROXY", ".corp.example,127.0.0.1,localhost,::1");
  CHECK(doctor(h.env, {"network"}).status("network.no_proxy") == "ok");
  const auto fixed = snapshot(h.t.root());
  CHECK(doctor(h.env, {"network", "--fix", "--yes"}).doc["fixes"].empty());
  CHECK(snapshot(h.t.root()) == fixed);
  REQUIRE(h.run("teardown", "codex").code == 0);
  CHECK(!stdfs::exists(env_sh));
  const auto bashrc = h.t.home() / ".bashrc";  // setup created it
  CHECK((!stdfs::exists(bashrc) || !has(h.t.read(bashrc), "lwgw")));
}

TEST_CASE("doctor: a shell started before setup is a warning to open a new terminal") {
  Home h;
  h.setup({"codex", "gemini-cli"});
  h.up();
  Run r = doctor(h.env, {"codex", "gemini-cli"});
  CHECK(r.status("codex.env") == "warn");
  CHECK(has(r.summary("codex.env"), "LWGW_API_KEY is not set here"));
  CHECK(has(r.fix_text("codex.env"), "open a new terminal"));
  CHECK(r.command("codex.env") == ". ~/.config/lwgw/env.sh");
  CHECK(r.code == 0);                                     // a warning does not fail…
  CHECK(doctor(h.env, {"codex", "--strict"}).code == 1);  // …unless --strict
  h.reload_shell();
  Run after = doctor(h.env, {"codex", "gemini-cli"});
  CHECK(after.status("codex.env") == "ok");
  CHECK(after.status("gemini-cli.env") == "ok");
}

TEST_CASE("doctor: codex.env says whether apps started from the desktop see the variable") {
  Home h;
  h.setup({"codex"});
  h.up();
  h.reload_shell();
  // The user manager's environment, as `systemctl --user show-environment` prints it.
  const auto user_env = h.t.root() / "user-env";
  std::ofstream(h.bin / "systemctl") << "#!/bin/sh\n[ \"$2\" = show-environment ] && exec cat '"
                                     << user_env.string() << "'\nexit 1\n";
  ::chmod((h.bin / "systemctl").c_str(), 0755);
  h.t.write(user_env, "PATH=/usr/bin\nLANG=C.UTF-8\n");
  Run absent = doctor(h.env, {"codex.env"});
  CHECK(absent.status("codex.env") == "ok");  // a terminal is fine: a note, not a warning
  CHECK(has(absent.summary("codex.env"), "apps started from the desktop (Codex CLI's IDE"));
  CHECK(absent.check("codex.env")["details"]["gui_session"] == "no");
  h.t.write(user_env, "PATH=/usr/bin\nLWGW_API_KEY=" + h.token() + "\n");
  Run seen = doctor(h.env, {"codex.env"});
  CHECK(has(seen.summary("codex.env"), "apps started from the desktop see it too"));
  CHECK(seen.check("codex.env")["details"]["gui_session"] == "yes");
  h.t.write(user_env, "LWGW_API_KEY=lwgw_lt_an-old-token\n");
  Run old = doctor(h.env, {"codex.env"});
  CHECK(has(old.summary("codex.env"), "see an old LWGW_API_KEY"));
  CHECK(!has(old.out, "an-old-token"));
  // Without a user manager nothing is said.
  stdfs::remove(h.bin / "systemctl");
  Run unknown = doctor(h.env, {"codex.env"});
  CHECK(unknown.check("codex.env")["details"]["gui_session"] == "unknown");
  CHECK(!has(unknown.summary("codex.env"), "desktop"));
}

TEST_CASE("doctor: a key pasted with a line break keeps the line; the fix names its source") {
  Home h;
  h.env.set("LWGW_VK", kVK + "\n");
  Run r = doctor(h.env, {"key"});
  CHECK(r.status("key.shape") == "fail");
  CHECK(!has(r.summary("key.present"), "\n"));
  CHECK(has(r.fix_text("key.shape"), "LWGW_VK"));
  CHECK(r.command("key.shape").empty());  // lwgw login would not help while LWGW_VK wins
  auto text = run_bin({"doctor", "key"}, h.env);
  CHECK(has(text.out, "key.present      vk-lw-01HZX9N...RSTV from env LWGW_VK\n"));
}

namespace {

/// A self-signed certificate for 127.0.0.1 (CN lwgw-test-ca, SAN IP:127.0.0.1) in PEM files.
struct SelfSigned {
  stdfs::path cert, key;
  explicit SelfSigned(const stdfs::path& dir) : cert(dir / "ca.pem"), key(dir / "key.pem") {
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    X509* x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 90);
    X509_set_pubkey(x, pkey);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("lwgw-test-ca"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1");
    X509_add_ext(x, san, -1);
    X509_EXTENSION_free(san);
    X509_EXTENSION* bc =
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, "critical,CA:TRUE");
    X509_add_ext(x, bc, -1);
    X509_EXTENSION_free(bc);
    X509_sign(x, pkey, EVP_sha256());
    FILE* c = std::fopen(cert.c_str(), "w");
    PEM_write_X509(c, x);
    std::fclose(c);
    FILE* k = std::fopen(key.c_str(), "w");
    PEM_write_PrivateKey(k, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(k);
    X509_free(x);
    EVP_PKEY_free(pkey);
  }
};

/// An HTTPS gateway on loopback with that certificate: /health and /v1/models for kVK.
struct TlsGateway {
  SelfSigned certs;
  httplib::SSLServer server;
  std::thread thread;
  int port = 0;
  explicit TlsGateway(const stdfs::path& dir)
      : certs(dir), server(certs.cert.c_str(), certs.key.c_str()) {
    server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{\"status\":\"ok\"}\n", "application/json");
    });
    server.Get("/v1/models", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") != "Bearer " + kVK) {
        res.status = 401;
        res.set_content(R"({"error":{"type":"invalid_api_key","message":"invalid_api_key"}})",
                        "application/json");
        return;
      }
      res.set_content(R"({"object":"list","data":[{"id":"gpt-5-mini","object":"model"}]})",
                      "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TlsGateway() {
    server.stop();
    thread.join();
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port); }
};

}  // namespace

TEST_CASE("doctor: a TLS gateway with an untrusted certificate; gateway.ca_file fixes it") {
  TempHome certs_dir;
  TlsGateway gw(certs_dir.root());
  Home h(gw.url(), /*verify=*/false);
  Run r = doctor(h.env, {"network", "gateway"});
  CHECK(r.code == 1);
  CHECK(r.status("network.tls") == "fail");
  CHECK(has(r.summary("network.tls"), "\"CN=lwgw-test-ca\" is not in the system trust store"));
  CHECK(r.command("network.tls") == "lwgw config set gateway.ca_file /path/to/corporate-ca.pem");
  CHECK(r.status("gateway.auth") == "skip");
  REQUIRE(h.run("config", "set", "gateway.ca_file", gw.certs.cert.string()).code == 0);
  Run fixed = doctor(h.env, {"network", "gateway"});
  CHECK(fixed.status("network.tls") == "ok");
  CHECK(has(fixed.summary("network.tls"), "trusted through gateway.ca_file"));
  CHECK(fixed.status("gateway.auth") == "ok");
  CHECK(fixed.code == 0);
  // A CLI set up direct makes its own TLS connections: its runtime's CA variable must hold it.
  h.setup({"codex", "--direct"});
  Run direct = doctor(h.env, {"network"});
  CHECK(direct.status("network.ca_vars") == "fail");
  CHECK(direct.command("network.ca_vars") ==
        "export CODEX_CA_CERTIFICATE=" + gw.certs.cert.string());
  h.env.set("CODEX_CA_CERTIFICATE", gw.certs.cert.string());
  CHECK(doctor(h.env, {"network"}).status("network.ca_vars") == "ok");
}

TEST_CASE("doctor --json: schema 1, every check's shape, exit code equal to the human run's") {
  Home h;
  h.setup({"codex"});
  Run r = doctor(h.env);
  const json& d = r.doc;
  CHECK(d["schema"] == 1);
  CHECK(d["lwgw"]["version"].is_string());
  CHECK(d["lwgw"]["commit"].is_string());
  CHECK(d["lwgw"]["os"].is_string());
  CHECK(d["mode"] == "proxy");
  int total = 0;
  for (const char* k : {"ok", "warn", "fail", "skip"}) total += d["counts"][k].get<int>();
  CHECK(total == static_cast<int>(d["checks"].size()));
  CHECK(d["overall"] == (d["counts"]["fail"] > 0   ? "fail"
                         : d["counts"]["warn"] > 0 ? "warn"
                                                   : "ok"));
  for (const auto& c : d["checks"]) {
    CHECK(c["id"].is_string());
    CHECK(c["group"].is_string());
    CHECK(
        std::set<std::string>{"ok", "warn", "fail", "skip"}.count(c["status"].get<std::string>()));
    CHECK(c["summary"].is_string());
    CHECK(c["details"].is_object());
    CHECK(c["duration_ms"].is_number_integer());
    if (c.contains("fix")) CHECK((c["fix"]["text"].is_string() && c["fix"]["command"].is_string()));
    if (c.contains("source"))
      CHECK((c["source"]["file"].is_string() && c["source"]["line"].is_number_integer()));
    if (c["status"] == "fail" || c["status"] == "warn") CHECK_MESSAGE(c.contains("fix"), c["id"]);
  }
  CHECK(r.code == d["exit"]);
  CHECK(run_bin({"doctor"}, h.env).code == r.code);
}

TEST_CASE("doctor: usage errors exit 2 and an unusable environment 3, with or without --json") {
  TempHome t;
  auto bad = run_bin({"doctor", "gatway"}, t.env());
  CHECK(bad.code == 2);
  CHECK(has(bad.err, "no check or group called 'gatway'"));
  auto bad_json = run_bin({"--json", "doctor", "gatway"}, t.env());
  CHECK(bad_json.code == 2);
  CHECK(json::parse(bad_json.out)["error"]["exit"] == 2);
  CHECK(run_bin({"doctor", "--cli", "vim"}, t.env()).code == 2);
  // A command-line error CLI11 finds (an unknown option, a missing value) is JSON too.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--json", "doctor", "--bogus"},
        std::vector<std::string>{"doctor", "--json", "--report"}}) {
    auto parse = run_bin(args, t.env());
    CHECK(parse.code == 2);
    const json j = json::parse(parse.out, nullptr, false);
    REQUIRE_MESSAGE(!j.is_discarded(), parse.out << parse.err);
    CHECK(j["error"]["code"] == "usage");
    CHECK(j["error"]["exit"] == 2);
  }
  CHECK(run_bin({"doctor", "--bogus"}, t.env()).out.empty());  // text goes to stderr
  // An error a command throws is JSON with --json as well.
  auto thrown = run_bin({"--json", "config", "set", "proxy.max_connections", "0"}, t.env());
  CHECK(thrown.code == 3);
  CHECK(json::parse(thrown.out, nullptr, false)["error"]["code"] == "config");
  Env no_home = t.env();
  no_home.unset("HOME");
  auto broken = run_bin({"--json", "doctor"}, no_home);
  CHECK(broken.code == 3);
  CHECK(json::parse(broken.out)["error"]["code"] == "doctor");
  CHECK(run_bin({"doctor"}, no_home).code == 3);
}

TEST_CASE("doctor --list names every check once; a selection shows only what was asked") {
  TempHome t;
  auto list = run_bin({"doctor", "--list"}, t.env());
  CHECK(list.code == 0);
  for (const char* id : {"proxy.listener", "codex.wire_api", "network.no_proxy", "gateway.auth",
                         "claude-code.auth_conflict", "cursor.gateway"})
    CHECK_MESSAGE(has(list.out, std::string(id) + " "), id);
  auto listed = json::parse(run_bin({"--json", "doctor", "--list"}, t.env()).out);
  CHECK(listed.size() > 40);
  Run key = doctor(t.env(), {"key.present", "gateway.auth"});
  CHECK(key.doc["checks"].size() == 2);
  Run only = doctor(t.env(), {"--cli", "claude"});
  for (const auto& c : only.doc["checks"]) CHECK(c["group"] != "codex");
}

TEST_CASE("doctor's output never holds the key or the local token, in any mode") {
  Home h;
  h.setup({"claude-code", "codex"});
  h.up();
  const std::string token = h.token();
  // Plant both where doctor looks: the environment, a URL, a project settings file, a dotfile.
  h.env.set("LWGW_VK", kVK);
  h.env.set("LWGW_API_KEY", token);
  h.env.set("HTTPS_PROXY", "http://u:" + kVK + "@proxy.example:3128/?key=" + token);
  h.env.set("OPENAI_BASE_URL", "http://127.0.0.1:1/v1?key=" + kVK);
  const auto project = h.t.root() / "project";
  h.t.write(project / ".claude/settings.json",
            "{\"env\":{\"ANTHROPIC_BASE_URL\":\"http://127.0.0.1:9/?token=" + token + "\"}}\n");
  h.append(".bashrc", "export LEAK=" + kVK + "\n");
  // A proxy log line the doctor's last_error reads back: a refused request.
  httplib::Client cli("127.0.0.1", h.port);
  cli.Get("/v1/models?key=" + kVK);
  const auto cwd = stdfs::current_path();
  stdfs::current_path(project);
  std::vector<std::vector<std::string>> modes = {{"doctor"},
                                                 {"doctor", "-v"},
                                                 {"doctor", "--ascii", "-v"},
                                                 {"--json", "doctor"},
                                                 {"doctor", "--list"},
                                                 {"doctor", "--fix"},
                                                 {"--json", "doctor", "--fix"},
                                                 {"doctor", "--deep", "stream"}};
  for (const auto& args : modes) {
    auto r = run_bin(args, h.env);
    for (const std::string* secret : {&kVK, &token}) {
      CHECK_MESSAGE(!has(r.out, *secret), args.back() << " printed a secret:\n" << r.out);
      CHECK(!has(r.err, *secret));
    }
    CHECK(!has(r.out, h.t.home().string()));
  }
  // The report file holds the proxy log's tail too.
  const auto report = h.t.root() / "report.txt";
  REQUIRE(run_bin({"doctor", "--report", report.string()}, h.env).code != 3);
  const std::string written = h.t.read(report);
  CHECK(has(written, "Proxy log (last "));
  for (const std::string* secret : {&kVK, &token}) CHECK(!has(written, *secret));
  CHECK(!has(written, h.t.home().string()));
  stdfs::current_path(cwd);
}

TEST_CASE("doctor is read-only: no file under HOME or the runtime dir changes") {
  Home h;
  h.setup({"--all"});
  h.up();
  h.append(".codex/config.toml", "\n[model_providers.old]\nwire_api = \"chat\"\n");
  ::chmod((h.t.home() / ".config/lwgw/credentials").c_str(), 0640);
  const auto before = snapshot(h.t.root());
  CHECK(doctor(h.env).code == 1);
  CHECK(run_bin({"doctor", "-v"}, h.env).code == 1);
  CHECK(snapshot(h.t.root()) == before);
}

TEST_CASE(
    "doctor prints ✓ ! ✗ – in a UTF-8 locale, [ok] [!!] [XX] [--] otherwise or with --ascii") {
  Home h;
  auto plain = run_bin({"doctor", "lwgw", "key"}, h.env);  // no LANG: the C locale
  CHECK(has(plain.out, "[ok] lwgw.version"));
  CHECK(has(plain.out, "vk-lw-01HZX9N...RSTV"));
  h.env.set("LANG", "C.UTF-8");
  auto utf8 = run_bin({"doctor", "lwgw", "key"}, h.env);
  CHECK(has(utf8.out, "✓ lwgw.version"));
  CHECK(has(utf8.out, " · "));
  CHECK(has(run_bin({"doctor", "--ascii", "lwgw"}, h.env).out, "[ok] lwgw.version"));
  CHECK(!has(utf8.out, "\033["));  // not a terminal: no colour
}

TEST_CASE("doctor --report writes the report, the proxy log's tail and request ids; one line out") {
  Home h;
  h.setup({"codex"});
  h.up();
  const std::string token = h.token();
  httplib::Client cli("127.0.0.1", h.port);
  auto ok_res = cli.Get("/v1/models?trace=secretquery", {{"Authorization", "Bearer " + token}});
  REQUIRE(ok_res);
  REQUIRE(ok_res->status == 200);
  const std::string request_id = ok_res->get_header_value("X-Request-Id");
  REQUIRE(!request_id.empty());
  const auto file = h.t.root() / "ticket" / "doctor.txt";
  auto r = run_bin({"doctor", "--report", file.string()}, h.env);
  CHECK(r.code == 0);
  CHECK(r.out.rfind("lwgw-doctor: lwgw ", 0) == 0);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  CHECK(has(r.out, "mode proxy"));
  CHECK(has(r.out, "codex.env"));
  CHECK(has(r.out, "report: " + file.string()));
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const std::string text = h.t.read(file);
  CHECK(has(text, "Needs attention"));
  CHECK(has(text, "Proxy log (last "));
  CHECK(has(text, "Gateway request ids seen\n  " + request_id + "\n"));
  CHECK(!has(text, "secretquery"));
  CHECK(!has(text, token));
  CHECK(!has(text, kVK));
  auto j = json::parse(run_bin({"--json", "doctor", "--report", file.string()}, h.env).out);
  CHECK(j["request_ids"][0] == request_id);
  auto written = json::parse(h.t.read(file));
  CHECK(written["schema"] == 1);
  CHECK(written["request_ids"][0] == request_id);
  CHECK(!has(written.dump(), "secretquery"));
}

TEST_CASE("doctor --deep: one streamed request per dialect in use, through the proxy, timed") {
  Home h;
  h.setup({"claude-code", "codex", "opencode"});
  h.up();
  Run plain = doctor(h.env);
  for (const auto& c : plain.doc["checks"]) CHECK(c["group"] != "stream");  // tokens: opt-in
  CHECK(run_bin({"doctor", "stream"}, h.env).code == 2);
  Run r = doctor(h.env, {"--deep", "stream"});
  for (const char* id : {"stream.messages", "stream.responses", "stream.chat"}) {
    CHECK_MESSAGE(r.status(id) == "ok", r.summary(id));
    CHECK(has(r.summary(id), "200 through the proxy, ends with "));
    const json& d = r.check(id)["details"];
    CHECK(d["ttfb_ms"].get<long>() >= 0);
    CHECK(d["reads"].get<int>() > 1);
    CHECK(d["max_gap_ms"].get<long>() >= 10);  // the stand-in pauses 20 ms between frames
  }
  CHECK(has(r.summary("stream.messages"), "ends with message_stop"));
  CHECK(has(r.summary("stream.chat"), "ends with [DONE]"));
  CHECK(r.status("stream.gemini") == "skip");  // no CLI set up speaks it
}

TEST_CASE("doctor --deep: a stream delivered in one piece is a buffering warning") {
  // A gateway (or a middlebox in front of it) that sends the whole stream at once, late.
  LoopbackServer gw([](httplib::Server& s) {
    s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{\"status\":\"ok\"}", "application/json");
    });
    s.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"object":"list","data":[{"id":"gpt-5-mini","object":"model"}]})",
                      "application/json");
    });
    s.Post("/v1/chat/completions", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      std::string body;
      for (const char* word : {"he", "l", "lo"})
        body += "data: {\"choices\":[{\"delta\":{\"content\":\"" + std::string(word) + "\"}}]}\n\n";
      body += "data: [DONE]\n\n";
      res.set_content(body, "text/event-stream");
    });
  });
  Home h(gw.url(), /*verify=*/false);
  h.setup({"aider"});
  h.up();
  Run r = doctor(h.env, {"--deep", "stream.chat"});
  CHECK(r.status("stream.chat") == "warn");
  CHECK(has(r.summary("stream.chat"), "arrived in one piece"));
}

TEST_CASE("status points at doctor when something is wrong, and only then") {
  Home h;
  h.setup({"codex"});
  CHECK(has(run_bin({"status"}, h.env).out, "`lwgw doctor` finds the cause"));  // proxy down
  h.up();
  CHECK(!has(run_bin({"status"}, h.env).out, "lwgw doctor"));
}

TEST_CASE("setup points at doctor when it saw something wrong, and only then") {
  Home h;
  const std::string hint = "`lwgw doctor` checks every CLI";
  auto clean = h.run("setup", "codex", "--no-service", "--shell", "bash");
  CHECK(clean.code == 0);
  CHECK(!has(clean.out, hint));
  h.env.set("ANTHROPIC_API_KEY", "sk-ant-api03-SECOND");  // a warning: two credentials
  auto warned = h.run("setup", "claude-code", "--no-service", "--shell", "bash");
  CHECK(warned.code == 0);
  CHECK(has(warned.err, "ANTHROPIC_API_KEY is set in your environment"));
  CHECK(has(warned.out, hint));
}

TEST_CASE("doctor --fix shows setup's diff and changes nothing; --yes applies; teardown restores") {
  Home h;
  const auto settings = h.t.home() / ".gemini/settings.json";
  const std::string original = "{\n  \"theme\": \"dark\"\n}\n";
  h.t.write(settings, original);
  h.setup({"gemini-cli"});
  // Problems doctor can fix itself: selectedType gone, the proxy down (and below, 0644).
  h.t.write(settings,
            "{\n  \"theme\": \"dark\",\n  \"privacy\": {\"usageStatisticsEnabled\": false}\n}\n");
  const auto before = snapshot(h.t.root());
  Run plan = doctor(h.env, {"--fix"});
  CHECK(snapshot(h.t.root()) == before);
  std::map<std::string, json> fixes;
  for (const auto& f : plan.doc["fixes"]) fixes[f["command"]] = f;
  REQUIRE(fixes.count("lwgw setup gemini-cli"));
  REQUIRE(fixes.count("lwgw up"));
  CHECK_MESSAGE(has(fixes["lwgw setup gemini-cli"]["output"], "selectedType"),
                fixes["lwgw setup gemini-cli"]["output"]);  // the dry-run diff
  CHECK(fixes["lwgw up"]["applied"] == false);
  CHECK(fixes["lwgw up"]["checks"].size() >= 2);  // proxy.listener and gemini-cli.proxy_up
  CHECK(plan.doc["report"]["checks"].is_array());
  // By hand: what doctor never changes itself.
  bool install_by_hand = false;
  for (const auto& b : plan.doc["by_hand"]) install_by_hand |= b["id"] == "gemini-cli.installed";
  CHECK(install_by_hand);

  const auto creds = h.t.home() / ".config/lwgw/credentials";
  ::chmod(creds.c_str(), 0644);  // runs first: setup cannot read the key before
  Run applied = doctor(h.env, {"--fix", "--yes"});
  REQUIRE(applied.doc["fixes"].size() >= 3);
  CHECK(applied.doc["fixes"][0]["command"] == "chmod 600 ~/.config/lwgw/credentials");
  for (const auto& f : applied.doc["fixes"]) CHECK_MESSAGE(f["applied"] == true, f.dump());
  const json& after = applied.doc["report"];
  for (const auto& c : after["checks"]) {
    const std::string id = c["id"];
    if (id == "gemini-cli.selected_type" || id == "lwgw.permissions" || id == "proxy.listener" ||
        id == "gemini-cli.proxy_up")
      CHECK_MESSAGE(c["status"] == "ok", id << ": " << c["summary"]);
  }
  // A second run has nothing left to do and changes nothing.
  const auto fixed = snapshot(h.t.root());
  Run again = doctor(h.env, {"--fix", "--yes"});
  CHECK(again.doc["fixes"].empty());
  CHECK(snapshot(h.t.root()) == fixed);
  // teardown still gives the user's file back byte for byte.
  REQUIRE(h.run("teardown", "--all").code == 0);
  CHECK(h.t.read(settings) == original);
}

TEST_CASE(
    "doctor: proxy mode without the login service is a warning naming `lwgw service install`") {
  Home h;
  // A session bus and a systemctl that says nothing runs.
  const auto runtime = h.t.root() / "run";
  stdfs::create_directories(runtime);
  std::ofstream(runtime / "bus") << "";
  h.env.set("XDG_RUNTIME_DIR", runtime.string());
  std::ofstream(h.bin / "systemctl") << "#!/bin/sh\necho inactive\nexit 3\n";
  ::chmod((h.bin / "systemctl").c_str(), 0755);
  h.setup({"codex"});
  Run r = doctor(h.env, {"proxy.service"});
  CHECK(r.status("proxy.service") == "warn");
  CHECK(has(r.summary("proxy.service"), "after a reboot nothing starts the proxy"));
  CHECK(r.command("proxy.service") == "lwgw service install");
}

TEST_CASE("doctor: a CLI still pointing at the old proxy port fails codex.configured") {
  Home h;
  h.setup({"codex", "claude-code"});
  const std::string old_listen = h.listen();
  h.port = unused_port();
  REQUIRE(h.run("config", "set", "proxy.listen", h.listen(), "--no-reapply").code == 0);
  Run r = doctor(h.env, {"codex", "claude-code"});
  CHECK(r.status("codex.configured") == "fail");
  CHECK(has(r.summary("codex.configured"),
            "points at http://" + old_listen + "/v1, but proxy.listen is " + h.listen()));
  CHECK(r.command("codex.configured") == "lwgw setup codex");
  CHECK(r.status("claude-code.configured") == "fail");
  h.setup({"codex", "claude-code"});
  Run after = doctor(h.env, {"codex", "claude-code"});
  CHECK(after.status("codex.configured") == "ok");
  CHECK(after.status("claude-code.configured") == "ok");
}

TEST_CASE("doctor --fix: Claude Code's onboarding flag, set by setup and taken out by teardown") {
  Home h;
  const auto state = h.t.home() / ".claude.json";
  h.setup({"claude-code"});
  CHECK(json::parse(h.t.read(state))["hasCompletedOnboarding"] == true);
  // Claude Code rewrites its state file without the flag (a reset, or a fresh install).
  const std::string reset = "{\n  \"numStartups\": 3\n}\n";
  h.t.write(state, reset);
  Run r = doctor(h.env, {"claude-code"});
  CHECK(r.status("claude-code.onboarding") == "warn");
  CHECK(r.command("claude-code.onboarding") == "lwgw setup claude-code");
  Run applied = doctor(h.env, {"claude-code", "--fix", "--yes"});
  REQUIRE(fix_for(applied, "lwgw setup claude-code"));
  CHECK((*fix_for(applied, "lwgw setup claude-code"))["applied"] == true);
  const json after = json::parse(h.t.read(state));
  CHECK(after["hasCompletedOnboarding"] == true);
  CHECK(after["numStartups"] == 3);  // Claude Code's own state stays
  CHECK(doctor(h.env, {"claude-code"}).status("claude-code.onboarding") == "ok");
  const auto fixed = snapshot(h.t.root());
  CHECK(doctor(h.env, {"claude-code", "--fix", "--yes"}).doc["fixes"].empty());
  CHECK(snapshot(h.t.root()) == fixed);
  // teardown takes out only the flag: the file is Claude Code's.
  REQUIRE(h.run("teardown", "claude-code").code == 0);
  const json torn = json::parse(h.t.read(state));
  CHECK(!torn.contains("hasCompletedOnboarding"));
  CHECK(torn["numStartups"] == 3);
}

TEST_CASE("doctor --fix: ANTHROPIC_API_KEY in the settings lwgw manages; teardown puts it back") {
  Home h;
  const auto settings = h.t.home() / ".claude/settings.json";
  const std::string original =
      "{\n  \"env\": {\n    \"ANTHROPIC_API_KEY\": \"sk-ant-api03-OLDKEY\"\n  }\n}\n";
  h.t.write(settings, original);
  h.setup({"claude-code"});
  Run r = doctor(h.env, {"claude-code"});
  CHECK(r.status("claude-code.auth_conflict") == "fail");
  CHECK(r.command("claude-code.auth_conflict") == "lwgw setup claude-code --yes");
  Run plan = doctor(h.env, {"claude-code", "--fix"});
  REQUIRE(fix_for(plan, "lwgw setup claude-code --yes"));
  CHECK(has((*fix_for(plan, "lwgw setup claude-code --yes"))["output"], "ANTHROPIC_API_KEY"));
  Run applied = doctor(h.env, {"claude-code", "--fix", "--yes"});
  REQUIRE(fix_for(applied, "lwgw setup claude-code --yes"));
  CHECK(!has(h.t.read(settings), "ANTHROPIC_API_KEY"));
  CHECK(doctor(h.env, {"claude-code"}).status("claude-code.auth_conflict") == "ok");
  const auto fixed = snapshot(h.t.root());
  CHECK(doctor(h.env, {"claude-code", "--fix", "--yes"}).doc["fixes"].empty());
  CHECK(snapshot(h.t.root()) == fixed);
  REQUIRE(h.run("teardown", "claude-code").code == 0);
  CHECK(h.t.read(settings) == original);
}

TEST_CASE("doctor --fix: a project file's API key and another Codex provider stay by hand") {
  Home h;
  h.setup({"claude-code", "codex"});
  h.t.write(h.t.root() / "proj/.claude/settings.json",
            "{\"env\": {\"ANTHROPIC_API_KEY\": \"sk-ant-api03-PROJECT\"}}\n");
  h.append(".codex/config.toml", "\n[model_providers.old]\nname = \"old\"\nwire_api = \"chat\"\n");
  const auto cwd = stdfs::current_path();
  stdfs::current_path(h.t.root() / "proj");
  const json plan = doctor(h.env, {"--fix", "claude-code", "codex"}).doc;
  stdfs::current_path(cwd);
  std::set<std::string> by_hand;
  for (const auto& b : plan["by_hand"]) by_hand.insert(b["id"]);
  CHECK(by_hand.count("claude-code.auth_conflict"));
  CHECK(by_hand.count("codex.wire_api"));
  for (const auto& f : plan["fixes"]) CHECK_MESSAGE(!has(f["command"], "--yes"), f.dump());
}

TEST_CASE("doctor: wire_api = \"chat\" in lwgw's own Codex provider is fixed by setup itself") {
  Home h;
  h.setup({"codex"});
  const auto config = h.t.home() / ".codex/config.toml";
  h.replace(".codex/config.toml", "wire_api = \"responses\"", "wire_api = \"chat\"");
  Run r = doctor(h.env, {"codex"});
  CHECK(r.status("codex.wire_api") == "fail");
  CHECK(r.command("codex.wire_api") == "lwgw setup codex");
  Run applied = doctor(h.env, {"codex", "--fix", "--yes"});
  REQUIRE(fix_for(applied, "lwgw setup codex"));
  CHECK(doctor(h.env, {"codex"}).status("codex.wire_api") == "ok");
  const auto fixed = snapshot(h.t.root());
  CHECK(doctor(h.env, {"codex", "--fix", "--yes"}).doc["fixes"].empty());
  CHECK(snapshot(h.t.root()) == fixed);
  REQUIRE(h.run("teardown", "codex").code == 0);
  CHECK(!stdfs::exists(config));  // setup created it: teardown leaves nothing behind
}

TEST_CASE("doctor --fix's plan: a setup step after a chmod is not shown as failing") {
  Home h;
  h.setup({"gemini-cli"});
  h.t.write(h.t.home() / ".gemini/settings.json", "{}\n");
  const auto creds = h.t.home() / ".config/lwgw/credentials";
  ::chmod(creds.c_str(), 0644);
  Run plan = doctor(h.env, {"--fix"});
  REQUIRE(plan.doc["fixes"].size() >= 2);
  CHECK(plan.doc["fixes"][0]["command"] == "chmod 600 ~/.config/lwgw/credentials");
  const json* setup = fix_for(plan, "lwgw setup gemini-cli");
  REQUIRE(setup);
  CHECK_MESSAGE(!has((*setup)["output"], "error"), (*setup)["output"]);
  struct stat st {};
  REQUIRE(::stat(creds.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);  // the plan changed nothing
}

// Each remaining trap, staged: the id, its status, where it points and its fix.

TEST_CASE("doctor: a user config file that does not load is lwgw.config's failure, with its line") {
  Home h;
  const auto file = h.t.home() / ".config/lwgw/config.toml";
  h.t.write(file, "[gateway]\nurl = \"" + h.gw->url() + "\"\n\n[proxy\nlisten = 1\n");
  Run r = doctor(h.env, {"lwgw.config"});
  CHECK(r.status("lwgw.config") == "fail");
  CHECK(has(r.summary("lwgw.config"), "the user file does not load"));
  CHECK(r.check("lwgw.config")["source"]["line"] == 4);
  CHECK(r.code == 1);
  h.t.write(file, "[gateway]\nurl = \"" + h.gw->url() + "\"\n\n[proxy]\nlisten = \"" + h.listen() +
                      "\"\nlsiten = \"x\"\n");
  Run unknown = doctor(h.env, {"lwgw.config"});
  CHECK(unknown.status("lwgw.config") == "warn");
  CHECK(has(unknown.summary("lwgw.config"), "lsiten"));
}

TEST_CASE("doctor: a model the gateway does not serve is gateway.models' failure; its fix works") {
  Home h;
  h.setup({"codex"});
  h.replace(".codex/config.toml", "model = \"gpt-5-mini\"", "model = \"gpt-4-retired\"");
  Run r = doctor(h.env, {"gateway", "codex"});
  CHECK(r.status("gateway.models") == "fail");
  CHECK(has(r.summary("gateway.models"), "codex asks for gpt-4-retired"));
  CHECK(r.check("gateway.models")["source"]["file"] == "~/.codex/config.toml");
  const std::string fix = r.command("gateway.models");
  REQUIRE(fix.rfind("lwgw setup codex --model ", 0) == 0);
  REQUIRE(h.run("setup", "codex", "--no-service", "--model", fix.substr(25)).code == 0);
  CHECK(doctor(h.env, {"gateway"}).status("gateway.models") == "ok");
}

TEST_CASE("doctor: codex.config fails on a file that does not parse and on a `profile` key") {
  Home h;
  h.setup({"codex"});
  h.append(".codex/config.toml", "\n[broken\n");
  Run r = doctor(h.env, {"codex.config"});
  CHECK(r.status("codex.config") == "fail");
  CHECK(has(r.summary("codex.config"), "is not valid TOML"));
  // setup refuses the malformed file and leaves it: the user fixes it by hand.
  CHECK(h.run("setup", "codex", "--no-service", "--shell", "bash").code == 3);
  std::string text = h.t.read(h.t.home() / ".codex/config.toml");
  text = text.substr(0, text.find("\n[broken\n")) + "\n";
  h.t.write(h.t.home() / ".codex/config.toml", "profile = \"work\"\n" + text);
  Run p = doctor(h.env, {"codex.config"});
  CHECK(p.status("codex.config") == "fail");
  CHECK(has(p.summary("codex.config"), "`profile` inside config.toml"));
}

TEST_CASE("doctor: a .env that shadows Gemini CLI's key or switches to Vertex; names, no values") {
  Home h;
  h.setup({"gemini-cli"});
  const auto project = h.t.root() / "proj" / "sub";
  stdfs::create_directories(project);
  h.t.write(h.t.root() / "proj/.env",
            "# mine\nGEMINI_API_KEY=AIza-not-for-doctor\nexport GOOGLE_GENAI_USE_VERTEXAI=true\n");
  const auto cwd = stdfs::current_path();
  stdfs::current_path(project);
  Run r = doctor(h.env, {"gemini-cli.dotenv"});
  stdfs::current_path(cwd);
  CHECK(r.status("gemini-cli.dotenv") == "warn");
  CHECK(has(r.summary("gemini-cli.dotenv"), "GEMINI_API_KEY, GOOGLE_GENAI_USE_VERTEXAI"));
  CHECK(has(r.summary("gemini-cli.dotenv"), "may switch to Vertex AI"));
  CHECK(r.check("gemini-cli.dotenv")["source"]["line"] == 2);
  CHECK(!has(r.out, "AIza-not-for-doctor"));
  CHECK(doctor(h.env, {"gemini-cli.dotenv"}).status("gemini-cli.dotenv") == "ok");  // elsewhere
}

TEST_CASE("doctor: opencode's base URL without /v1, an undeclared model, a project file") {
  Home h;
  h.setup({"opencode"});
  const auto file = h.t.home() / ".config/opencode/opencode.json";
  const std::string good = h.t.read(file);
  auto edited = [&](const std::string& from, const std::string& to) {  // one edit of `good`
    h.t.write(file, good);
    h.replace(".config/opencode/opencode.json", from, to);
  };
  edited(h.listen() + "/v1\"", h.listen() + "\"");
  Run url = doctor(h.env, {"opencode"});
  CHECK(url.status("opencode.base_url") == "fail");
  CHECK(has(url.summary("opencode.base_url"), "lacks /v1"));
  CHECK(url.command("opencode.base_url") == "lwgw setup opencode");
  h.setup({"opencode"});
  CHECK(doctor(h.env, {"opencode"}).status("opencode.base_url") == "ok");

  edited("\"model\": \"lwgw/gemini-2.5-flash\"", "\"model\": \"lwgw/gpt-4-retired\"");
  Run model = doctor(h.env, {"opencode.model"});
  CHECK(model.status("opencode.model") == "fail");
  CHECK(model.command("opencode.model") == "lwgw setup opencode --model gpt-4-retired");
  edited("\"model\": \"lwgw/gemini-2.5-flash\"", "\"model\": \"anthropic/claude-sonnet-4\"");
  CHECK(doctor(h.env, {"opencode.model"}).status("opencode.model") == "warn");
  h.t.write(file, good);

  const auto project = h.t.root() / "proj";
  h.t.write(project / "opencode.json",
            "{\"provider\": {\"lwgw\": {\"options\": {\"baseURL\": \"http://x/v1\"}}}}\n");
  const auto cwd = stdfs::current_path();
  stdfs::current_path(project);
  Run shadowed = doctor(h.env, {"opencode.config_file"});
  h.t.write(project / "opencode.json", "{\"provider\": \n");
  Run broken = doctor(h.env, {"opencode.config_file"});
  stdfs::current_path(cwd);
  CHECK(shadowed.status("opencode.config_file") == "warn");
  CHECK(has(shadowed.summary("opencode.config_file"), "also defines provider.lwgw"));
  CHECK(broken.status("opencode.config_file") == "fail");
  CHECK(has(broken.summary("opencode.config_file"), "does not parse"));
}

TEST_CASE("doctor: Aider with an OPENAI_* variable in the shell, and a model without openai/") {
  Home h;
  h.setup({"aider"});
  h.env.set("OPENAI_API_BASE", "https://api.openai.com/v1");
  Run r = doctor(h.env, {"aider"});
  CHECK(r.status("aider.overrides") == "fail");
  CHECK(r.command("aider.overrides") == "unset OPENAI_API_BASE");
  h.env.unset("OPENAI_API_BASE");
  CHECK(doctor(h.env, {"aider"}).status("aider.overrides") == "ok");
  h.replace(".aider.conf.yml", "model: \"openai/", "model: \"");
  Run m = doctor(h.env, {"aider.model"});
  CHECK(m.status("aider.model") == "warn");
  CHECK(has(m.summary("aider.model"), "lacks the openai/ prefix"));
}

TEST_CASE("doctor: the proxy's last refusal is proxy.last_error's warning, without the query") {
  Home h;
  h.setup({"codex"});
  h.up();
  CHECK(doctor(h.env, {"proxy.last_error"}).status("proxy.last_error") == "ok");
  httplib::Client cli("127.0.0.1", h.port);
  auto res = cli.Get("/v1/models?key=" + kVK);  // no local token: refused
  REQUIRE(res);
  CHECK(res->status == 401);
  Run r = doctor(h.env, {"proxy.last_error"});
  CHECK(r.status("proxy.last_error") == "warn");
  CHECK(!has(r.out, kVK));
}
