// Issue 16 items 10-13: other local users and root. Files keep their owner and place (no write
// outside HOME through a symlink, none to another user's or a read-only file, the group kept, no
// root run on a user's HOME); lwgw's own directories are trusted only when they are the user's
// and private, and its state file is never followed through a symlink; `down` signals only this
// HOME's proxy; a foreign holder of the proxy's port gets a token that no longer works.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "lwgw/daemon/stop.hpp"
#include "lwgw/fs.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
namespace stdfs = std::filesystem;

namespace {

const std::string kToken = "lwgw_lt_TESTTOKENtesttoken0123456789abcdefghijklmno";
const std::string kVk = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";
constexpr uid_t kNobody = 65534;

bool has(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

// A logged-in HOME (credentials written directly) whose gateway and proxy ports are unused.
struct Home {
  TempHome t;
  Env env = t.env();
  explicit Home(int proxy_port = unused_port()) {
    env.set("SHELL", "/bin/bash");
    env.set("LWGW_GATEWAY_URL", "http://127.0.0.1:" + std::to_string(unused_port()));
    env.set("LWGW_LISTEN", "127.0.0.1:" + std::to_string(proxy_port));
    const auto cred = p(".config/lwgw/credentials");
    t.write(cred, "{\n  \"local_token\": \"" + kToken + "\",\n  \"vk\": \"" + kVk + "\"\n}\n");
    ::chmod(cred.parent_path().c_str(), 0700);
    ::chmod(cred.c_str(), 0600);
  }
  stdfs::path p(const std::string& rel) const { return t.home() / rel; }
  RunResult setup(const std::string& cli) const {
    return run_inproc({"setup", cli, "--shell", "bash", "--no-service"}, env);
  }
  std::string token() const {
    return nlohmann::json::parse(t.read(p(".config/lwgw/credentials"))).value("local_token", "");
  }
};

fs::Facts file_facts(uid_t uid, mode_t mode, fs::Facts::Kind kind = fs::Facts::Kind::kRegular) {
  fs::Facts f;
  f.exists = true;
  f.kind = kind;
  f.uid = uid;
  f.mode = mode;
  return f;
}

bool root() {
  return ::geteuid() == 0;
}

}  // namespace

// ---- item 11: files keep their owner and place ------------------------------------------------

TEST_CASE("write_refusal: another user's file, a read-only file, a non-file; never mine") {
  CHECK_FALSE(fs::write_refusal("/h/.bashrc", file_facts(1000, 0644), 1000));
  CHECK_FALSE(fs::write_refusal("/h/.bashrc", fs::Facts{}, 1000));  // absent: created
  CHECK(has(fs::write_refusal("/h/.bashrc", file_facts(1001, 0644), 1000).value_or(""),
            "belongs to uid 1001"));
  CHECK(has(fs::write_refusal("/h/.bashrc", file_facts(1000, 0644), 0).value_or(""),
            "belongs to uid 1000"));  // root does not take over a user's file either
  CHECK(has(fs::write_refusal("/h/.bashrc", file_facts(1000, 0444), 1000).value_or(""),
            "read-only (mode 0444)"));
  CHECK(has(
      fs::write_refusal("/h/x", file_facts(1000, 0755, fs::Facts::Kind::kDir), 1000).value_or(""),
      "not a regular file"));
}

TEST_CASE("outside_refusal: only under HOME and the CLIs' directories") {
  const std::vector<stdfs::path> roots = {"/home/u", "/opt/codex"};
  CHECK_FALSE(fs::outside_refusal("/home/u/.bashrc", roots));
  CHECK_FALSE(fs::outside_refusal("/opt/codex/config.toml", roots));
  CHECK(fs::outside_refusal("/etc/passwd", roots));
  CHECK(fs::outside_refusal("/home/u2/.bashrc", roots));  // a prefix is not a parent
  CHECK(fs::outside_refusal("/home/u/../v/.bashrc", roots));
}

TEST_CASE("home_refusal: root on a HOME that another user owns") {
  CHECK(has(
      fs::home_refusal("/home/u", file_facts(1000, 0755, fs::Facts::Kind::kDir), 0).value_or(""),
      "running as root on /home/u, which belongs to uid 1000"));
  CHECK_FALSE(fs::home_refusal("/root", file_facts(0, 0700, fs::Facts::Kind::kDir), 0));
  CHECK_FALSE(fs::home_refusal("/home/u", file_facts(1000, 0755, fs::Facts::Kind::kDir), 1000));
}

TEST_CASE("setup refuses a dotfile whose symlink leads outside HOME, and leaves the target") {
  Home h;
  const auto outside = h.t.root() / "outside" / "passwd";
  h.t.write(outside, "root:x:0:0:root:/root:/bin/bash\n");
  stdfs::create_symlink(outside, h.p(".bashrc"));
  auto r = h.setup("codex");
  CHECK(r.code == 3);
  CHECK(has(r.err, "outside your home directory"));
  CHECK(h.t.read(outside) == "root:x:0:0:root:/root:/bin/bash\n");
  CHECK(stdfs::is_symlink(h.p(".bashrc")));
  // A link inside HOME (a dotfiles checkout) is still written through.
  Home in;
  in.t.write(in.p("dotfiles/bashrc"), "# mine\n");
  stdfs::create_symlink(in.p("dotfiles/bashrc"), in.p(".bashrc"));
  CHECK(in.setup("codex").code == 0);
  CHECK(has(in.t.read(in.p("dotfiles/bashrc")), "# >>> lwgw >>>"));
  CHECK(stdfs::is_symlink(in.p(".bashrc")));
}

TEST_CASE("a read-only dotfile is reported, not replaced") {
  Home h;
  h.t.write(h.p(".codex/config.toml"), "model = \"gpt-5\"\n");
  ::chmod(h.p(".codex/config.toml").c_str(), 0444);
  auto r = h.setup("codex");
  CHECK(r.code == 3);
  CHECK(has(r.err, "read-only (mode 0444)"));
  CHECK(h.t.read(h.p(".codex/config.toml")) == "model = \"gpt-5\"\n");
  CHECK(*fs::file_mode(h.p(".codex/config.toml")) == 0444);
}

TEST_CASE("another user's dotfile is refused; a replaced file keeps its group") {
  if (!root()) return;  // chown needs root; write_refusal's test covers the rule
  Home h;
  h.t.write(h.p(".claude/settings.json"), "{}\n");
  REQUIRE(::chown(h.p(".claude/settings.json").c_str(), kNobody, kNobody) == 0);
  auto r = h.setup("claude-code");
  CHECK(r.code == 3);
  CHECK(has(r.err, "belongs to uid 65534"));
  CHECK(h.t.read(h.p(".claude/settings.json")) == "{}\n");

  h.t.write(h.p(".codex/config.toml"), "model = \"gpt-5\"\n");
  REQUIRE(::chown(h.p(".codex/config.toml").c_str(), 0, kNobody) == 0);
  ::chmod(h.p(".codex/config.toml").c_str(), 0640);
  REQUIRE(h.setup("codex").code == 0);
  struct stat st {};
  REQUIRE(::stat(h.p(".codex/config.toml").c_str(), &st) == 0);
  CHECK(has(h.t.read(h.p(".codex/config.toml")), "lwgw"));
  CHECK(st.st_uid == 0);
  CHECK(st.st_gid == kNobody);
  CHECK((st.st_mode & 07777) == 0640);
}

TEST_CASE("root on a HOME that another user owns: setup and teardown refuse, exit 3") {
  if (!root()) return;  // home_refusal's test covers the rule
  Home h;
  REQUIRE(::chown(h.t.home().c_str(), kNobody, kNobody) == 0);
  auto r = h.setup("codex");
  CHECK(r.code == 3);
  CHECK(has(r.err, "running as root on " + h.t.home().string()));
  CHECK(has(r.err, "Run lwgw as that user"));
  CHECK_FALSE(stdfs::exists(h.p(".codex/config.toml")));
  CHECK_FALSE(stdfs::exists(h.p(".bashrc")));
  CHECK(run_inproc({"teardown", "--all"}, h.env).code == 3);
}

// ---- item 13: lwgw's own directories and state file -------------------------------------------

TEST_CASE("dir_refusal: a link, another user's, writable by others; a private one is fine") {
  using K = fs::Facts::Kind;
  CHECK_FALSE(fs::dir_refusal("/run/user/1000/lwgw", file_facts(1000, 0700, K::kDir), 1000));
  CHECK_FALSE(fs::dir_refusal("/run/user/1000/lwgw", file_facts(1000, 0755, K::kDir), 1000));
  CHECK(has(fs::dir_refusal("/r/lwgw", file_facts(1001, 0700, K::kDir), 1000).value_or(""),
            "belongs to uid 1001"));
  CHECK(has(fs::dir_refusal("/r/lwgw", file_facts(1000, 0777, K::kDir), 1000).value_or(""),
            "writable by others (mode 0777)"));
  CHECK(has(fs::dir_refusal("/r/lwgw", file_facts(1000, 0770, K::kDir), 1000).value_or(""),
            "chmod 700 /r/lwgw"));
  CHECK(has(fs::dir_refusal("/r/lwgw", file_facts(1000, 0777, K::kLink), 1000).value_or(""),
            "symbolic link"));
}

TEST_CASE("up refuses a runtime directory others can write, and never writes through proxy.json") {
  Home h;
  h.t.write(h.p(".bashrc"), "# mine\n");
  const auto dir = h.t.root() / "runtime" / "lwgw";
  stdfs::create_directories(dir);
  ::chmod(dir.c_str(), 0777);
  stdfs::create_symlink(h.p(".bashrc"), dir / "proxy.json");
  auto r = run_bin({"up"}, h.env);
  CHECK(r.code == 3);
  CHECK(has(r.err, dir.string() + " is writable by others (mode 0777)"));
  CHECK(h.t.read(h.p(".bashrc")) == "# mine\n");

  // Private again, but proxy.json still a link: refused, not followed.
  ::chmod(dir.c_str(), 0700);
  r = run_bin({"up"}, h.env);
  CHECK(r.code == 3);
  CHECK(has(r.err, "proxy.json is a symbolic link"));
  CHECK(h.t.read(h.p(".bashrc")) == "# mine\n");
  run_bin({"down", "--timeout", "5"}, h.env);
}

TEST_CASE("status and down name a runtime directory others can write, not \"not running\"") {
  Home h;
  const auto dir = h.t.root() / "runtime" / "lwgw";
  stdfs::create_directories(dir);
  ::chmod(dir.c_str(), 0777);
  h.t.write(dir / "proxy.json", "{\"pid\": 1, \"listen\": \"127.0.0.1:1\"}\n");
  auto r = run_inproc({"status"}, h.env);
  CHECK(r.code == 1);  // not 4: whether a proxy runs is unknown
  CHECK(has(r.out, "proxy:          unknown: " + dir.string() + " is writable by others"));
  r = run_inproc({"--json", "status"}, h.env);
  CHECK(has(r.out, "is writable by others (mode 0777)"));
  r = run_inproc({"down"}, h.env);
  CHECK(r.code == 3);
  CHECK(has(r.err, "cannot tell which proxy is this HOME's: " + dir.string() +
                       " is writable by others (mode 0777)"));
  CHECK(stdfs::exists(dir / "proxy.json"));  // nothing removed or signalled on its word
}

TEST_CASE("up refuses a runtime directory that another user owns") {
  if (!root()) return;  // dir_refusal's test covers the rule
  Home h;
  const auto dir = h.t.root() / "runtime" / "lwgw";
  stdfs::create_directories(dir);
  ::chmod(dir.c_str(), 0700);
  REQUIRE(::chown(dir.c_str(), kNobody, kNobody) == 0);
  auto r = run_bin({"up"}, h.env);
  CHECK(r.code == 3);
  CHECK(has(r.err, dir.string() + " belongs to uid 65534"));
  CHECK_FALSE(stdfs::exists(dir / "proxy.json"));
}

TEST_CASE("read_private and write_private refuse a symlink instead of following it") {
  TempHome t;
  t.write(t.root() / "victim", "keep\n");
  stdfs::create_symlink(t.root() / "victim", t.root() / "state.json");
  CHECK_THROWS_WITH(fs::read_private(t.root() / "state.json"),
                    doctest::Contains("is a symbolic link"));
  CHECK_THROWS_WITH(fs::write_private(t.root() / "state.json", "{}"),
                    doctest::Contains("is a symbolic link"));
  CHECK(t.read(t.root() / "victim") == "keep\n");
  CHECK_FALSE(fs::read_private(t.root() / "absent"));
}

// ---- item 12: down signals only this HOME's proxy ---------------------------------------------

namespace {
// A live process that looks like `lwgw up` to a glance at its command line (argv[0] named lwgw,
// an `up` argument), and a loopback server that answers /_lwgw/status with that pid: what a
// stale state file can point at once the pid is reused.
struct Impostor {
  TempHome& t;
  stdfs::path exe = t.root() / "impostor" / "lwgw";
  std::unique_ptr<Spawned> proc;
  std::unique_ptr<LoopbackServer> fake;
  explicit Impostor(TempHome& home) : t(home) {
    stdfs::create_directories(exe.parent_path());
    stdfs::create_symlink("/usr/bin/perl", exe);
    proc = std::make_unique<Spawned>(std::vector<std::string>{exe.string(), "-e", "sleep 60", "up"},
                                     t.env(), t.root() / "impostor.log");
    const int pid = proc->pid();
    fake = std::make_unique<LoopbackServer>([pid](httplib::Server& s) {
      s.Get("/_lwgw/status", [pid](const httplib::Request&, httplib::Response& res) {
        res.set_content(nlohmann::json{{"pid", pid}, {"status", "ok"}}.dump(), "application/json");
      });
    });
  }
  // A state file naming the impostor (start_time "" = a file of an older lwgw).
  void state(const std::string& start_time) const {
    const auto dir = t.root() / "runtime" / "lwgw";
    stdfs::create_directories(dir);
    ::chmod(dir.c_str(), 0700);
    nlohmann::json doc = {{"pid", proc->pid()},
                          {"listen", "127.0.0.1:" + std::to_string(fake->port())},
                          {"gateway", "http://127.0.0.1:9"}};
    if (!start_time.empty()) doc["start_time"] = start_time;
    t.write(dir / "proxy.json", doc.dump());
  }
  bool alive() const { return proc->wait(200) == -1; }
};
}  // namespace

TEST_CASE("stop_refusal: another start time, someone else's socket, or nothing to prove it") {
  using daemon::Hold;
  daemon::State s;
  s.pid = 42;
  s.listen = "127.0.0.1:5566";
  s.start_time = "1000";
  CHECK_FALSE(daemon::stop_refusal(s, "1000", Hold::kYes));
  CHECK_FALSE(daemon::stop_refusal(s, "1000", Hold::kNobody));  // draining: socket closed
  CHECK(has(daemon::stop_refusal(s, "2000", Hold::kYes).value_or(""), "another program"));
  CHECK(has(daemon::stop_refusal(s, "1000", Hold::kNo).value_or(""), "does not hold"));
  s.start_time.clear();
  CHECK_FALSE(daemon::stop_refusal(s, "1000", Hold::kYes));
  CHECK(daemon::stop_refusal(s, "1000", Hold::kNobody));
}

TEST_CASE("stat_start_time reads field 22 after the command name") {
  const std::string stat =
      "4242 (lw gw) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 12345 "
      "300";
  CHECK(daemon::stat_start_time(stat) == "987654");
  CHECK_FALSE(daemon::stat_start_time("4242 (x) S 1 2"));
  CHECK(daemon::process_start_time(static_cast<int>(::getpid())).has_value());
}

TEST_CASE("down leaves alone a process the stale state file names, even one posing as the proxy") {
  TempHome t;
  Impostor imp(t);
  // Recorded start time differs: the pid belongs to another program now.
  imp.state("1");
  auto r = run_bin({"down", "--timeout", "1"}, t.env());
  CHECK(r.code == 4);
  CHECK(has(r.err, "not running"));
  CHECK(imp.alive());
  // An older state file without a start time: the pid does not hold the listening socket.
  imp.state("");
  r = run_bin({"down", "--timeout", "1"}, t.env());
  CHECK(r.code == 4);
  CHECK(has(r.err, "does not hold the proxy's listening socket"));
  CHECK(has(r.err, "did not signal it"));
  CHECK(imp.alive());
  CHECK_FALSE(stdfs::exists(t.root() / "runtime" / "lwgw" / "proxy.json"));
}

// ---- item 10: a foreign holder of the proxy's port --------------------------------------------

TEST_CASE("up finds a foreign program on proxy.listen: the token is replaced in the CLIs") {
  LoopbackServer squatter([](httplib::Server& s) {
    s.Get("/.*", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content("not found", "text/plain");
    });
  });
  Home h(squatter.port());
  REQUIRE(h.setup("claude-code").code == 0);
  REQUIRE(has(h.t.read(h.p(".claude/settings.json")), kToken));
  auto r = run_bin({"up"}, h.env);
  CHECK(r.code == 1);
  CHECK(has(r.err, "is held by"));
  CHECK(has(r.err, "replaces the token"));
  const std::string fresh = h.token();
  CHECK(fresh != kToken);
  CHECK(fresh.rfind("lwgw_lt_", 0) == 0);
  const std::string settings = h.t.read(h.p(".claude/settings.json"));
  CHECK_FALSE(has(settings, kToken));
  CHECK(has(settings, fresh));
  // status names the holder as a failure, not as "not running" alone.
  auto st = run_bin({"status"}, h.env);
  CHECK(st.code == 1);
  CHECK(has(st.out, "held by"));
}

TEST_CASE("setup --rotate-token: a new token in the proxy-mode CLIs, the old one void") {
  Home h;
  REQUIRE(h.setup("claude-code").code == 0);
  REQUIRE(h.setup("codex").code == 0);
  auto r = run_inproc({"setup", "--rotate-token", "--no-service"}, h.env);
  CHECK(r.code == 0);
  CHECK(has(r.out, "local token: replaced"));
  const std::string fresh = h.token();
  CHECK(fresh != kToken);
  CHECK(has(h.t.read(h.p(".claude/settings.json")), fresh));
  CHECK_FALSE(has(h.t.read(h.p(".claude/settings.json")), kToken));
  CHECK(has(h.t.read(h.p(".config/lwgw/env.sh")), fresh));
  CHECK_FALSE(has(h.t.read(h.p(".config/lwgw/env.sh")), kToken));
}
