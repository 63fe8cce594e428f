// The proxy as a daemon, driven through the real binary in a temp HOME: up, status, down, logs,
// stale state, port conflicts, draining; plus the login-service files and log rotation.
#include <doctest/doctest.h>

#include <map>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <csignal>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <streambuf>
#include <thread>

#include "lwgw/app.hpp"
#include "lwgw/context.hpp"
#include "lwgw/daemon/log_file.hpp"
#include "lwgw/daemon/port_holder.hpp"
#include "lwgw/daemon/service_files.hpp"
#include "lwgw/daemon/service_plan.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/process.hpp"
#include "standin_process.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;

namespace {

const std::string kVK = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

// A temp HOME logged in to a stand-in gateway, with the proxy on a free port.
struct Home {
  TempHome t;
  Env env = t.env();
  StandIn gw;
  int port = unused_port();
  std::string token;

  explicit Home(std::vector<std::string> standin_args = {}) : gw(std::move(standin_args)) {
    REQUIRE(run_bin({"login", "--gateway", gw.url(), "--key-stdin"}, env, kVK).code == 0);
    REQUIRE(
        run_bin({"config", "set", "proxy.listen", "127.0.0.1:" + std::to_string(port)}, env).code ==
        0);
    auto creds = t.read(t.home() / ".config/lwgw/credentials");
    auto pos = creds.find("lwgw_lt_");
    token = creds.substr(pos, creds.find('"', pos) - pos);
  }
  ~Home() { run_bin({"down", "--timeout", "5"}, env); }
  std::optional<daemon::State> state() const { return daemon::read_state(resolve_paths(env)); }
  httplib::Result ask(const std::string& path = "/v1/chat/completions") const {
    httplib::Client cli("127.0.0.1", port);
    cli.set_read_timeout(60, 0);
    return cli.Post(path, {{"Authorization", "Bearer " + token}},
                    "{\"model\":\"gpt-5-mini\",\"messages\":[]}", "application/json");
  }
};

// A streamed chat request through the proxy, read on its own thread.
struct StreamClient {
  std::atomic<bool> started{false};
  std::string body;
  int status = 0;
  std::thread thread;

  explicit StreamClient(const Home& h) {
    thread = std::thread([this, port = h.port, token = h.token] {
      httplib::Client cli("127.0.0.1", port);
      cli.set_read_timeout(60, 0);
      httplib::Request req;
      req.method = "POST";
      req.path = "/v1/chat/completions";
      req.headers = {{"Authorization", "Bearer " + token}};
      req.body = "{\"model\":\"gpt-5-mini\",\"stream\":true,\"messages\":[]}";
      req.set_header("Content-Type", "application/json");
      req.content_receiver = [this](const char* d, size_t n, uint64_t, uint64_t) {
        started = true;
        body.append(d, n);
        return true;
      };
      auto r = cli.send(req);
      status = r ? r->status : 0;
    });
  }
  ~StreamClient() {
    if (thread.joinable()) thread.join();  // only when a check failed before the test joined
  }
  bool wait_started(int timeout_ms) const {
    for (int i = 0; i < timeout_ms / 10 && !started; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return started;
  }
};

bool pid_alive(int pid) {
  if (::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  auto close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

}  // namespace

TEST_CASE("up, status, a request through the proxy, down, then status says not running") {
  Home h;
  auto up = run_bin({"up"}, h.env);
  REQUIRE(up.code == 0);
  CHECK(up.err.find("proxy listening on http://127.0.0.1:" + std::to_string(h.port) + " (pid ") !=
        std::string::npos);
  auto st = run_bin({"status", "--json"}, h.env);
  CHECK(st.code == 0);
  auto doc = nlohmann::json::parse(st.out);
  for (const char* k : {"running", "pid", "listen", "gateway", "uptime_s", "requests", "inflight",
                        "last_error", "budget_warning"})
    CHECK_MESSAGE(doc.contains(k), k);
  CHECK(doc["running"] == true);
  CHECK(doc["listen"] == "127.0.0.1:" + std::to_string(h.port));
  CHECK(doc["gateway"] == h.gw.url());
  const int pid = doc["pid"];
  CHECK(pid_alive(pid));

  auto r = h.ask();
  REQUIRE(r);
  CHECK(r->status == 200);
  auto st2 = nlohmann::json::parse(run_bin({"status", "--json"}, h.env).out);
  CHECK(st2["requests"].get<int>() >= 1);
  auto human = run_bin({"status"}, h.env);
  CHECK(human.out.find("running (pid " + std::to_string(pid) + ")") != std::string::npos);

  auto logs = run_bin({"logs", "-n", "5"}, h.env);
  CHECK(logs.code == 0);
  CHECK(logs.out.find("\"path\":\"/v1/chat/completions\"") != std::string::npos);
  CHECK(logs.out.find("\"model\":\"gpt-5-mini\"") != std::string::npos);  // from the body
  CHECK(logs.out.find(kVK) == std::string::npos);
  CHECK(logs.out.find(h.token) == std::string::npos);

  auto down = run_bin({"down"}, h.env);
  CHECK(down.code == 0);
  CHECK(down.err.find("proxy stopped") != std::string::npos);
  CHECK_FALSE(pid_alive(pid));
  auto gone = run_bin({"status"}, h.env);
  CHECK(gone.code == 4);
  CHECK(gone.out.find("not running") != std::string::npos);
  CHECK(nlohmann::json::parse(run_bin({"status", "--json"}, h.env).out)["running"] == false);
  CHECK(run_bin({"down"}, h.env).code == 4);
  CHECK(run_bin({"logs", "-f"}, h.env).code == 4);
  CHECK_FALSE(h.state().has_value());
}

TEST_CASE("up twice starts one daemon; other settings while running are refused") {
  Home h;
  REQUIRE(run_bin({"up"}, h.env).code == 0);
  const int pid = h.state()->pid;
  auto again = run_bin({"up"}, h.env);
  CHECK(again.code == 0);
  CHECK(again.err.find("already runs") != std::string::npos);
  CHECK(h.state()->pid == pid);
  auto holder = daemon::port_holder(h.port);
  REQUIRE(holder);
  CHECK(holder->pid == pid);
  auto other = run_bin({"up", "--listen", "127.0.0.1:" + std::to_string(unused_port())}, h.env);
  CHECK(other.code == 1);
  CHECK(other.err.find("lwgw down && lwgw up") != std::string::npos);
  CHECK(run_bin({"down"}, h.env).code == 0);
}

TEST_CASE("a port held by another program: a clear error naming it, exit 1") {
  Home h;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(h.port));
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd, 1) == 0);
  auto up = run_bin({"up"}, h.env);
  ::close(fd);
  CHECK(up.code == 1);
  CHECK(up.err.find("already in use") != std::string::npos);
  CHECK(up.err.find("pid " + std::to_string(::getpid())) != std::string::npos);
  CHECK_FALSE(h.state().has_value());
}

TEST_CASE("no key, or a non-loopback address: up fails fast with the reason") {
  Home h;
  REQUIRE(run_bin({"logout"}, h.env).code == 0);
  auto nokey = run_bin({"up"}, h.env);
  CHECK(nokey.code == 3);
  CHECK(nokey.err.find("lwgw login") != std::string::npos);
  REQUIRE(run_bin({"login", "--key-stdin", "--no-verify"}, h.env, kVK).code == 0);
  auto remote = run_bin({"up", "--listen", "0.0.0.0:" + std::to_string(h.port)}, h.env);
  CHECK(remote.code == 1);
  CHECK(remote.err.find("not a loopback address") != std::string::npos);
}

TEST_CASE("a daemon killed with SIGKILL leaves a stale state file; the next up starts cleanly") {
  Home h;
  REQUIRE(run_bin({"up"}, h.env).code == 0);
  const int pid = h.state()->pid;
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 200 && pid_alive(pid); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(h.state().has_value());  // stale: names a dead process
  CHECK(run_bin({"status"}, h.env).code == 4);
  auto up = run_bin({"up"}, h.env);
  CHECK(up.code == 0);
  REQUIRE(h.state().has_value());
  CHECK(h.state()->pid != pid);
  CHECK(h.ask()->status == 200);
  CHECK(run_bin({"down"}, h.env).code == 0);
}

TEST_CASE("a state file naming another live program is not trusted") {
  Home h;
  // This test process is alive, but it is not an lwgw answering on that port.
  daemon::write_state(resolve_paths(h.env),
                      {static_cast<int>(::getpid()), "127.0.0.1:" + std::to_string(h.port),
                       h.gw.url(), "x", "", ""});
  CHECK(run_bin({"status"}, h.env).code == 4);
  CHECK(run_bin({"up"}, h.env).code == 0);
  CHECK(h.state()->pid != ::getpid());
  CHECK(run_bin({"down"}, h.env).code == 0);
}

TEST_CASE("down waits for a stream in flight, or cuts it at --timeout and says so") {
  SUBCASE("waits") {
    Home h({"--frame-delay-ms", "400"});
    REQUIRE(run_bin({"up"}, h.env).code == 0);
    StreamClient stream(h);
    REQUIRE(stream.wait_started(5000));
    auto down = run_bin({"down"}, h.env);
    stream.thread.join();
    const std::string& body = stream.body;
    const int status = stream.status;
    CHECK(down.code == 0);
    CHECK(down.err.find("waiting for 1 request(s) in flight") != std::string::npos);
    CHECK(down.err.find("proxy stopped") != std::string::npos);
    CHECK(status == 200);
    CHECK(body.find("data: [DONE]") != std::string::npos);  // the stream was allowed to finish
  }
  SUBCASE("cut at --timeout") {
    Home h({"--frame-delay-ms", "5000"});
    REQUIRE(run_bin({"up"}, h.env).code == 0);
    StreamClient stream(h);
    REQUIRE(stream.wait_started(10000));
    auto down = run_bin({"down", "--timeout", "1"}, h.env);
    stream.thread.join();
    const std::string& body = stream.body;
    CHECK(down.code == 0);
    CHECK(down.err.find("did not stop within 1 s; killed it") != std::string::npos);
    CHECK(body.find("data: [DONE]") == std::string::npos);
    CHECK(run_bin({"status"}, h.env).code == 4);
  }
}

TEST_CASE(
    "config set of a proxy key reloads the running proxy; the listen address needs a restart") {
  Home h;
  REQUIRE(run_bin({"up"}, h.env).code == 0);
  auto set = run_bin({"config", "set", "proxy.allowed_origins", "https://ok.example"}, h.env);
  CHECK(set.code == 0);
  CHECK(set.err.find("told the running proxy") != std::string::npos);
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    httplib::Client cli("127.0.0.1", h.port);
    auto r = cli.Post("/v1/chat/completions",
                      {{"Authorization", "Bearer " + h.token}, {"Origin", "https://ok.example"}},
                      "{\"model\":\"gpt-5-mini\",\"messages\":[]}", "application/json");
    status = r ? r->status : 0;
  }
  CHECK(status == 200);
  auto listen = run_bin({"config", "set", "proxy.listen", "127.0.0.1:1", "--no-reapply"}, h.env);
  CHECK(listen.err.find("until `lwgw down && lwgw up`") != std::string::npos);
  CHECK(run_bin({"down"}, h.env).code == 0);
}

// The files `service install --dry-run` prints, by name: "# lwgw would write PATH:" opens one.
std::map<std::string, std::string> dry_run_files(const std::string& out) {
  std::map<std::string, std::string> files;
  std::string* current = nullptr;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# lwgw would write ", 0) == 0) {
      auto path = line.substr(19, line.size() - 20);
      current = &files[std::filesystem::path(path).filename().string()];
    } else if (line.rfind("# and then", 0) == 0) {
      current = nullptr;
    } else if (current) {
      *current += line + "\n";
    }
  }
  return files;
}

TEST_CASE(
    "service install --dry-run prints the golden socket and unit; the plist matches its golden") {
  TempHome t;
  Env env = t.env();
  env.set("LWGW_LISTEN", "127.0.0.1:5577");
  auto r = run_bin({"service", "install", "--dry-run"}, env);
  REQUIRE(r.code == 0);
  auto files = dry_run_files(r.out);
  REQUIRE(files.size() == 2);
  for (const auto& [name, content] : files) {
    std::string golden = t.read(source_dir() / "tests/golden/service" / name);
    golden = replace_all(golden, "@EXE@", LWGW_BIN);
    golden = replace_all(golden, "@LISTEN@", "127.0.0.1:5577");
    golden = replace_all(golden, "@XDG_CONFIG_HOME@", env.get("XDG_CONFIG_HOME").value());
    golden = replace_all(golden, "@XDG_STATE_HOME@", env.get("XDG_STATE_HOME").value());
    CHECK_MESSAGE(content == golden, name);
  }
  CHECK(r.out.find("systemctl --user enable --now lwgw.socket") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(t.home() / ".config/systemd/user/lwgw.service"));
  CHECK_FALSE(std::filesystem::exists(t.home() / ".config/systemd/user/lwgw.socket"));

  auto paths = resolve_paths(env);
  std::string plist = t.read(source_dir() / "tests/golden/service/ai.langwatch.lwgw.plist");
  plist = replace_all(plist, "@EXE@", "/opt/homebrew/bin/lwgw");
  plist = replace_all(plist, "@STATE_DIR@", paths.state_dir.string());
  CHECK(daemon::launchd_plist("/opt/homebrew/bin/lwgw", paths) == plist);

  if (auto analyze = process::find_in_path("systemd-analyze", env)) {
    std::vector<std::string> argv = {analyze->string(), "verify", "--man=no"};
    for (const auto& [name, content] : files) {
      t.write(t.root() / "units" / name, content);
      argv.push_back((t.root() / "units" / name).string());
    }
    auto v = process::run(argv, "", env);
    CHECK_MESSAGE(v.exit_code == 0, v.err);
    CHECK_MESSAGE(v.err.empty(), v.err);
  } else {
    MESSAGE("skipped: systemd-analyze is not installed");
  }
}

TEST_CASE("the service calls lwgw by a path that survives upgrades") {
  TempHome t;
  // Homebrew: the versioned Cellar path becomes the prefix's bin/lwgw.
  auto prefix = t.root() / "brew";
  t.write(prefix / "Cellar/lwgw/1.2.3/bin/lwgw", "#!/bin/sh\n");
  std::filesystem::create_directories(prefix / "bin");
  std::filesystem::create_symlink("../Cellar/lwgw/1.2.3/bin/lwgw", prefix / "bin/lwgw");
  Env env = t.env();
  CHECK(daemon::stable_exe((prefix / "Cellar/lwgw/1.2.3/bin/lwgw").string(), env) ==
        (prefix / "bin/lwgw").string());
  // The PATH entry the user runs (a symlink kept as such) when it is this binary.
  auto real = t.root() / "opt/lwgw-0.4/lwgw";
  t.write(real, "#!/bin/sh\n");
  std::filesystem::create_directories(t.root() / "bin");
  std::filesystem::create_symlink(real, t.root() / "bin/lwgw");
  ::chmod(real.c_str(), 0755);
  env.set("PATH", (t.root() / "bin").string() + ":/usr/bin:/bin");
  CHECK(daemon::stable_exe(real.string(), env) == (t.root() / "bin/lwgw").string());
  // Another lwgw on PATH is not this one: the binary's own path.
  CHECK(daemon::stable_exe(LWGW_BIN, env) == LWGW_BIN);
}

TEST_CASE(
    "service install writes the units and prints the commands without a session bus; uninstall "
    "removes exactly them") {
  TempHome t;
  Env env = t.env();
  auto unit = t.home() / ".config/systemd/user/lwgw.service";
  auto socket = t.home() / ".config/systemd/user/lwgw.socket";
  auto r = run_bin({"service", "install"}, env);
  CHECK(r.code == 0);
  REQUIRE(std::filesystem::exists(unit));
  REQUIRE(std::filesystem::exists(socket));
  CHECK(r.err.find("systemctl --user enable --now lwgw.socket") != std::string::npos);
  CHECK(r.err.find("loginctl enable-linger") != std::string::npos);
  CHECK(run_bin({"service", "status"}, env).out.find("login service: installed") !=
        std::string::npos);
  auto u = run_bin({"service", "uninstall"}, env);
  CHECK(u.code == 0);
  CHECK_FALSE(std::filesystem::exists(unit));
  CHECK_FALSE(std::filesystem::exists(socket));
  CHECK(run_bin({"service", "status"}, env).out.find("not installed") != std::string::npos);
  // A unit the user wrote is not lwgw's to delete, nor to replace.
  t.write(unit, "[Service]\nExecStart=/bin/true\n");
  CHECK(run_bin({"service", "uninstall"}, env).code == 1);
  CHECK(std::filesystem::exists(unit));
  auto again = run_bin({"service", "install"}, env);
  CHECK(again.code == 1);
  CHECK(again.err.find("was not written by lwgw") != std::string::npos);
  CHECK(t.read(unit) == "[Service]\nExecStart=/bin/true\n");
}

TEST_CASE("the log rotates by size and keeps a few files") {
  TempHome t;
  auto file = t.home() / "log" / "proxy.log";
  {
    daemon::RotatingLog log(file, 200, 2);
    for (int i = 0; i < 40; ++i)
      log.write_line("{\"n\":" + std::to_string(i) + ",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxx\"}");
  }
  CHECK(std::filesystem::file_size(file) <= 200);
  CHECK(std::filesystem::exists(file.string() + ".1"));
  CHECK(std::filesystem::exists(file.string() + ".2"));
  CHECK_FALSE(std::filesystem::exists(file.string() + ".3"));
  CHECK(t.read(file).find("\"n\":39") != std::string::npos);
  CHECK(daemon::tail_lines(file, 1).find("\"n\":39") != std::string::npos);
}

TEST_CASE("logs -f follows new lines across a rotation") {
  TempHome t;
  auto file = t.home() / "f.log";
  daemon::RotatingLog log(file, 120, 2);
  log.write_line("old line");
  std::string seen;
  std::atomic<bool> stop{false};
  std::thread follower([&] {
    daemon::follow(
        file, [&](const std::string& s) { seen += s; }, [&] { return !stop.load(); }, 20);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (int i = 0; i < 10; ++i)
    log.write_line("new line " + std::to_string(i) + " padding padding padding");
  for (int i = 0; i < 100 && seen.find("new line 9") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  stop = true;
  follower.join();
  CHECK(seen.find("old line") == std::string::npos);
  CHECK(seen.find("new line 9") != std::string::npos);
}

TEST_CASE("setup in proxy mode says whether the proxy already runs where the CLIs are pointed") {
  Home h;
  auto before = run_bin({"setup", "codex", "--shell", "bash", "--no-service"}, h.env);
  CHECK(before.code == 0);
  CHECK(before.out.find("Start the proxy: `lwgw up`.") != std::string::npos);
  REQUIRE(run_bin({"teardown", "codex"}, h.env).code == 0);
  REQUIRE(run_bin({"up"}, h.env).code == 0);
  auto running = run_bin({"setup", "codex", "--shell", "bash", "--no-service"}, h.env);
  CHECK(running.code == 0);
  CHECK(running.out.find("proxy: already runs on http://127.0.0.1:" + std::to_string(h.port)) !=
        std::string::npos);
  CHECK(running.out.find("Start the proxy") == std::string::npos);
  REQUIRE(run_bin({"teardown", "codex"}, h.env).code == 0);
  REQUIRE(run_bin({"config", "set", "proxy.listen", "127.0.0.1:" + std::to_string(unused_port()),
                   "--no-reapply"},
                  h.env)
              .code == 0);
  auto elsewhere = run_bin({"setup", "codex", "--shell", "bash", "--no-service"}, h.env);
  CHECK(elsewhere.err.find("not on 127.0.0.1:") != std::string::npos);
  CHECK(elsewhere.err.find("lwgw down && lwgw up") != std::string::npos);
  REQUIRE(run_bin({"teardown", "codex"}, h.env).code == 0);
  CHECK(run_bin({"down"}, h.env).code == 0);
}

TEST_CASE("the proxy never writes a core file: RLIMIT_CORE 0 and not dumpable") {
  Home h;
  rlimit before{};
  ::getrlimit(RLIMIT_CORE, &before);
  rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
  if (::setrlimit(RLIMIT_CORE, &unlimited) != 0) unlimited = before;  // as much as allowed
  auto r = run_bin({"up"}, h.env);
  ::setrlimit(RLIMIT_CORE, &before);
  REQUIRE(r.code == 0);
  auto st = h.state();
  REQUIRE(st);
  std::ifstream limits("/proc/" + std::to_string(st->pid) + "/limits");
  std::string line, core;
  while (std::getline(limits, line))
    if (line.rfind("Max core file size", 0) == 0) core = line;
  REQUIRE_FALSE(core.empty());
  CHECK(core.find(" 0 ") != std::string::npos);
  // Not dumpable: a crash writes nothing, and SIGABRT leaves no core in its working directory.
  ::kill(st->pid, SIGABRT);
  for (int i = 0; i < 50 && daemon::process_alive(st->pid); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK_FALSE(std::filesystem::exists("/core"));
  CHECK_FALSE(std::filesystem::exists("/core." + std::to_string(st->pid)));
}

namespace {
// A stream the command writes on its thread while the test reads what it has so far.
class SharedBuf : public std::streambuf {
 public:
  std::string str() {
    std::lock_guard<std::mutex> lock(m_);
    return s_;
  }
  bool wait_for(const std::string& needle, int timeout_s) {
    for (int i = 0; i < timeout_s * 50; ++i) {
      if (str().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) {
      std::lock_guard<std::mutex> lock(m_);
      s_ += traits_type::to_char_type(c);
    }
    return c;
  }
  std::streamsize xsputn(const char* p, std::streamsize n) override {
    std::lock_guard<std::mutex> lock(m_);
    s_.append(p, static_cast<std::size_t>(n));
    return n;
  }

 private:
  std::mutex m_;
  std::string s_;
};
}  // namespace

TEST_CASE("logs -f before the first line says it is waiting, then shows the request as it comes") {
  Home h;
  REQUIRE(run_bin({"up"}, h.env).code == 0);
  // `up` returns once the proxy listens, maybe before it logged so: truncate only after that line,
  // so the log then stays empty until the request.
  const auto file = daemon::log_file(resolve_paths(h.env));
  for (int i = 0; i < 1500 && h.t.read(file).find("lwgw_listening") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(h.t.read(file).find("lwgw_listening") != std::string::npos);
  std::filesystem::resize_file(file, 0);  // nothing logged yet
  SharedBuf out_buf, err_buf;
  std::ostream out(&out_buf), err(&err_buf);
  std::atomic<int> code{-1};
  std::thread follower([&] {
    std::istringstream in;
    Io io{&in, &out, &err, &out, false, false, {}};
    Context ctx(h.env, io, LWGW_BIN);
    code = run({"logs", "-f"}, ctx);
  });
  const bool waiting = err_buf.wait_for("lwgw: waiting for the first request", 30);
  CHECK(waiting);
  if (waiting) {
    auto r = h.ask();
    REQUIRE(r);
    CHECK(out_buf.wait_for("\"model\":\"gpt-5-mini\"", 30));
  }
  CHECK(run_bin({"down"}, h.env).code == 0);  // the proxy gone, -f ends
  follower.join();
  CHECK(code == 0);
  CHECK(err_buf.str().find("Ctrl-C") != std::string::npos);
}
