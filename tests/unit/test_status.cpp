// `lwgw status` beyond the proxy's counters: whether the gateway answers, whether it accepted the
// key at the last verification, the CLIs set up and their mode, who holds the port, the last
// error's age; exit 1 when the proxy runs but the gateway or the key fails.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "../../src/setup/manifest.hpp"
#include "lwgw/verification.hpp"
#include "standin_process.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
using json = nlohmann::json;

namespace {

const std::string kVK = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";

bool has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// A temp HOME pointed at a stand-in gateway, with the proxy on a free port (not started).
struct Home {
  TempHome t;
  Env env = t.env();
  StandIn gw;
  int port = unused_port();

  explicit Home(std::vector<std::string> standin_args, bool verify = true)
      : gw(std::move(standin_args)) {
    std::vector<std::string> login{"login", "--gateway", gw.url(), "--key-stdin"};
    if (!verify) login.push_back("--no-verify");
    REQUIRE(run_bin(login, env, kVK).code == 0);
    REQUIRE(
        run_bin({"config", "set", "proxy.listen", "127.0.0.1:" + std::to_string(port)}, env).code ==
        0);
  }
  ~Home() { run_bin({"down", "--timeout", "5"}, env); }
  void up() { REQUIRE(run_bin({"up"}, env).code == 0); }
  RunResult status(bool as_json = false) const {
    return as_json ? run_inproc({"--json", "status"}, env) : run_inproc({"status"}, env);
  }
};

// A listening socket on a loopback port, held by this test process.
struct HeldPort {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  explicit HeldPort(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 1) == 0);
  }
  ~HeldPort() { ::close(fd); }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
};

}  // namespace

TEST_CASE("status: gateway reachable, key ok, the last error with its age, exit 0") {
  Home h({"--profile", "current", "--key", kVK});
  h.up();
  // A request without the local token: the proxy's own 401 becomes the last error.
  httplib::Client cli("127.0.0.1", h.port);
  REQUIRE(cli.Get("/v1/models"));
  auto r = h.status();
  CHECK(r.code == 0);
  CHECK(has(r.out, "gateway:        " + h.gw.url() + " reachable (HTTP 200"));
  CHECK(has(r.out, "key:            vk-lw-01HZX9N…RSTV ok (verified "));
  CHECK(has(r.out, "by login)"));
  CHECK(has(r.out, "clis:           none set up (`lwgw setup --all`)"));
  CHECK(has(r.out, "last error:     401 lwgw_local_token ("));
  CHECK(!has(r.out, kVK));

  auto doc = json::parse(h.status(true).out);
  CHECK(doc["running"] == true);
  CHECK(doc["gateway_reachable"] == true);
  CHECK(doc["gateway_check"]["http_status"] == 200);
  CHECK(doc["gateway_check"]["cached"] == true);  // asked a moment ago
  CHECK(doc["key"]["state"] == "ok");
  CHECK(doc["key"]["by"] == "login");
  CHECK(doc["key"]["age_s"].is_number());
  CHECK(doc["last_error_age_s"].is_number());
  CHECK(doc["problems"].empty());
}

TEST_CASE("status reports a key the gateway rejected, with exit 1") {
  Home h({"--profile", "current", "--key", kVK + ":revoked"}, /*verify=*/false);
  h.up();
  auto before = h.status();
  CHECK(before.code == 0);
  CHECK(has(before.out, "not verified (`lwgw whoami` asks the gateway)"));
  // whoami asks the gateway, which says revoked; status shows that record.
  CHECK(run_inproc({"whoami"}, h.env).code == 3);
  auto r = h.status();
  CHECK(r.code == 1);
  CHECK(has(r.out, "REJECTED (HTTP 403: virtual_key_revoked"));
  CHECK(has(r.out, "by whoami"));
  CHECK(has(r.out, "`lwgw login`"));
  auto j = h.status(true);
  CHECK(j.code == 1);
  auto doc = json::parse(j.out);
  CHECK(doc["key"]["state"] == "rejected");
  CHECK(doc["key"]["http_status"] == 403);
  REQUIRE(doc["problems"].size() == 1);
  CHECK(has(doc["problems"][0].get<std::string>(), "rejected the key"));
}

TEST_CASE("status reports a gateway that does not answer, with exit 1") {
  Home h({"--profile", "current", "--key", kVK});
  h.up();
  CHECK(h.status().code == 0);  // reachable, and cached for a minute
  h.gw.stop();
  // The proxy meets the dead gateway: that 502 is newer than the cached answer, so status asks.
  auto token = json::parse(h.t.read(h.t.home() / ".config/lwgw/credentials"))["local_token"];
  httplib::Client cli("127.0.0.1", h.port);
  auto res = cli.Get("/v1/models", {{"Authorization", "Bearer " + token.get<std::string>()}});
  REQUIRE(res);
  CHECK(res->status == 502);
  auto r = h.status();
  CHECK(r.code == 1);
  CHECK(has(r.out, h.gw.url() + " UNREACHABLE: "));
  auto doc = json::parse(h.status(true).out);
  CHECK(doc["gateway_reachable"] == false);
  CHECK(doc["gateway_check"]["http_status"] == 0);
  CHECK(!doc["gateway_check"]["error"].get<std::string>().empty());
  CHECK(doc["problems"].size() == 1);
}

TEST_CASE("status lists the CLIs set up and their mode, running or not") {
  Home h({"--profile", "current", "--key", kVK});
  setup::Manifest m;
  m.clis["claude-code"] = {{"mode", "proxy"}};
  m.clis["codex"] = {{"mode", "direct"}};
  m.save(resolve_paths(h.env));
  auto r = h.status();
  CHECK(r.code == 4);
  CHECK(has(r.out, "not running"));
  CHECK(has(r.out, "clis:           claude-code (proxy), codex (direct)"));
  CHECK(has(r.out, "(free)"));
  auto doc = json::parse(h.status(true).out);
  CHECK(doc["running"] == false);
  CHECK(doc["clis"] == json{{"claude-code", "proxy"}, {"codex", "direct"}});
  CHECK(doc["port_holder"].is_null());
  h.up();
  CHECK(has(h.status().out, "clis:           claude-code (proxy), codex (direct)"));
}

TEST_CASE("status names who holds proxy.listen when the proxy is not running") {
  Home h({"--profile", "current", "--key", kVK});
  HeldPort held(h.port);
  auto r = h.status();
  CHECK(r.code == 1);  // a failure, not merely "not running" (issue 16 item 10)
  CHECK(has(r.out, "held by "));
  CHECK(has(r.out, "(pid " + std::to_string(::getpid()) + ")"));
  CHECK(has(r.out, "lwgw config set proxy.listen"));
  auto doc = json::parse(h.status(true).out);
  CHECK(doc["running"] == false);
  REQUIRE(doc["port_holder"].is_string());
  CHECK(has(doc["port_holder"].get<std::string>(), "pid " + std::to_string(::getpid())));
  CHECK(doc["problems"].size() == 1);
}

TEST_CASE("ages of timestamps read as people say them") {
  CHECK(age_text(0) == "just now");
  CHECK(age_text(42) == "42s ago");
  CHECK(age_text(300) == "5m ago");
  CHECK(age_text(3 * 3600 + 5) == "3h ago");
  CHECK(age_text(3 * 86400) == "3d ago");
  auto old = seconds_since_iso("2020-01-01T00:00:00Z");
  REQUIRE(old);
  CHECK(*old > 86400.0 * 365);
  CHECK_FALSE(seconds_since_iso("yesterday").has_value());
}
