// login / whoami / logout against an in-test gateway answering 200, 401, 403, or nothing.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <atomic>
#include <mutex>
#include <thread>

#include "../../src/setup/manifest.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/verification.hpp"
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

/// A TLS server on loopback with a fresh self-signed certificate: answers every request that
/// completes a handshake with a 401 envelope, and drops plain-HTTP requests as TLS servers do.
class TlsServer {
 public:
  TlsServer() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx_, cert);
    SSL_CTX_use_PrivateKey(ctx_, key);
    X509_free(cert);
    EVP_PKEY_free(key);
    server_ = std::make_unique<RawServer>([this](int c) { answer(c); });  // ctx_ is ready
  }
  ~TlsServer() {
    server_.reset();
    SSL_CTX_free(ctx_);
  }
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;
  int port() const { return server_->port(); }

 private:
  void answer(int c) {
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, c);
    if (SSL_accept(ssl) == 1) {
      char buf[4096];
      std::string req;
      int n;
      while (req.find("\r\n\r\n") == std::string::npos && (n = SSL_read(ssl, buf, sizeof buf)) > 0)
        req.append(buf, static_cast<size_t>(n));
      const std::string body = R"({"error":{"type":"invalid_api_key","message":"missing"}})";
      const std::string res =
          "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
          "Connection: close\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body;
      SSL_write(ssl, res.data(), static_cast<int>(res.size()));
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
  }
  SSL_CTX* ctx_ = nullptr;
  std::unique_ptr<RawServer> server_;
};

/// A plain-HTTP gateway that answers as soon as a request arrives, whatever its first bytes, the
/// way nginx and most servers meet a TLS ClientHello (400 at once): a GET /v1/models gets
/// FakeGateway's 401, anything else a 400. FakeGateway (cpp-httplib) cannot stand in for such a
/// server on every version: it waits for a whole request line, and the 0.18.7 of Debian 13 closes
/// without answering only after its 5 s read timeout, where the 0.11.4 of Debian 12 answered.
class PlainHttpServer {
 public:
  int port() const { return server_.port(); }
  std::atomic<int> calls{0};  // GET /v1/models requests
  std::string last_auth() {
    std::lock_guard<std::mutex> lock(m_);
    return last_auth_;
  }

 private:
  void answer(int c) {
    std::string req;
    char buf[4096];
    pollfd in{c, POLLIN, 0};
    // What arrives within 2 s, up to the end of an HTTP head (a ClientHello has none).
    while (req.find("\r\n\r\n") == std::string::npos && ::poll(&in, 1, 2000) > 0) {
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
      if (req.rfind("GET ", 0) != 0) break;
    }
    std::string res = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    if (req.rfind("GET /v1/models ", 0) == 0) {
      ++calls;
      std::string auth;
      const auto at = req.find("\r\nAuthorization: ");
      if (at != std::string::npos) {
        const auto from = at + 17;
        auth = req.substr(from, req.find("\r\n", from) - from);
      }
      {
        std::lock_guard<std::mutex> lock(m_);
        last_auth_ = auth;
      }
      const std::string body =
          R"({"error":{"type":"invalid_api_key","message":"invalid_api_key"}})";
      res =
          "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
          "Connection: close\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body;
    }
    for (size_t off = 0; off < res.size();) {  // all of it (write may take part)
      const ssize_t n = ::write(c, res.data() + off, res.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::shutdown(c, SHUT_WR);
  }
  std::mutex m_;
  std::string last_auth_;
  RawServer server_{[this](int c) { answer(c); }};  // last: it serves once the rest exists
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
  CHECK(r.out.find("vk-lw-01HZX9N…RSTV") != std::string::npos);
  CHECK(r.out.find(", verified)") != std::string::npos);
  // It ends with the next step.
  CHECK(r.out.ends_with("\nnext: lwgw setup --all\n"));
  CHECK(r.out.find(kKey) == std::string::npos);
  auto cred = t.home() / ".config/lwgw/credentials";
  struct stat st {};
  REQUIRE(::stat(cred.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(t.read(cred).find(kKey) != std::string::npos);
  CHECK(t.read(cred).find("lwgw_lt_") != std::string::npos);
  // The gateway URL went into the user config.
  CHECK(t.read(t.home() / ".config/lwgw/config.toml").find(gw.server.url()) != std::string::npos);
  // The models the answer listed: `setup --model <TAB>` offers them before any setup.
  CHECK(run_inproc({"completion", "--values", "models"}, env).out == "gpt-5-mini\n");

  auto w = run_inproc({"whoami"}, env);
  CHECK(w.code == 0);
  CHECK(w.out.find(gw.server.url()) != std::string::npos);
  CHECK(w.out.find("vk-lw-01HZX9N…") != std::string::npos);
  CHECK(w.out.find("file (~/.config/lwgw/credentials)") != std::string::npos);
  CHECK(w.out.find("verified:          ok (just now)") != std::string::npos);
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
  CHECK(r.out.find("NOT verified: could not reach " + url) != std::string::npos);
  CHECK(r.err.find("`lwgw whoami` checks it again") != std::string::npos);
  CHECK(r.err.find("storing") == std::string::npos);
  CHECK(t.read(t.home() / ".config/lwgw/credentials").find(kKey) != std::string::npos);
  // whoami asks again, still cannot: exit 1, NOT verified and why.
  auto w = run_inproc({"whoami"}, env);
  CHECK(w.code == 1);
  CHECK(w.out.find("NOT verified") != std::string::npos);
  CHECK(w.out.find("could not reach " + url) != std::string::npos);
  // --offline shows the record without asking.
  auto off = run_inproc({"whoami", "--offline"}, env);
  CHECK(off.code == 0);
  CHECK(off.out.find("last verification: NOT verified") != std::string::npos);
  CHECK(off.out.find("by whoami") != std::string::npos);
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
  auto nv = run_inproc({"login", "--no-verify", "--key-stdin"}, env, "some-odd-key-format");
  CHECK(nv.code == 0);
  CHECK(gw.calls == before);
  CHECK(nv.out.find("NOT verified: --no-verify") != std::string::npos);

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

TEST_CASE("login to an https:// URL on a plain-HTTP port: refused with the http:// URL") {
  PlainHttpServer gw;
  TempHome t;
  Env env = t.env();
  const std::string port = std::to_string(gw.port());
  auto r =
      run_inproc({"login", "--gateway", "https://127.0.0.1:" + port, "--key-stdin"}, env, kKey);
  CHECK(r.code == 3);
  CHECK(r.err.find("answers plain HTTP, not TLS") != std::string::npos);
  CHECK(r.err.find("`lwgw login --gateway http://127.0.0.1:" + port + "`") != std::string::npos);
  CHECK(r.err.find("nothing was stored") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(t.home() / ".config/lwgw/credentials"));
  CHECK(gw.calls == 1);  // the hint asked without the key
  CHECK(gw.last_auth().empty());
}

TEST_CASE("login to an http:// URL on a TLS port: refused with the https:// URL") {
  TlsServer tls;
  TempHome t;
  const std::string port = std::to_string(tls.port());
  auto r =
      run_inproc({"login", "--gateway", "http://127.0.0.1:" + port, "--key-stdin"}, t.env(), kKey);
  CHECK(r.code == 3);
  CHECK(r.err.find("speaks TLS, not plain HTTP") != std::string::npos);
  CHECK(r.err.find("`lwgw login --gateway https://127.0.0.1:" + port + "`") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(t.home() / ".config/lwgw/credentials"));
}

TEST_CASE("suspect_scheme: which failed checks point at the other scheme") {
  KeyCheck tls_on_plain{KeyCheck::Kind::kUnreachable,
                        0,
                        "OpenSSL/3.0.11: error:0A00010B:SSL routines::wrong version number",
                        {}};
  CHECK(suspect_scheme("https://gw.local:5563", tls_on_plain) == SchemeMismatch::kHttpsOnPlain);
  CHECK(suspect_scheme("HTTPS://gw.local:5563", tls_on_plain) == SchemeMismatch::kHttpsOnPlain);
  KeyCheck refused{KeyCheck::Kind::kUnreachable, 0, "Failed to connect: Connection refused", {}};
  CHECK(suspect_scheme("https://gw.local", refused) == SchemeMismatch::kNone);
  CHECK(suspect_scheme("http://gw.local", refused) == SchemeMismatch::kNone);
  KeyCheck empty{KeyCheck::Kind::kUnreachable, 0, "Empty reply from server", {}};
  CHECK(suspect_scheme("http://gw.local:443", empty) == SchemeMismatch::kHttpOnTls);
  KeyCheck nginx{KeyCheck::Kind::kUnexpected, 400, "HTTP 400", {}};
  CHECK(suspect_scheme("http://gw.local:443", nginx) == SchemeMismatch::kHttpOnTls);
  CHECK(suspect_scheme("https://gw.local", nginx) == SchemeMismatch::kNone);
  CHECK(swap_scheme("https://gw.local:5563/base") == "http://gw.local:5563/base");
  CHECK(swap_scheme("http://gw.local") == "https://gw.local");
}

TEST_CASE("a key the gateway rejects: never \"storing it anyway\" before \"nothing was stored\"") {
  FakeGateway gw;
  TempHome t;
  auto r = run_inproc({"login", "--gateway", gw.server.url(), "--key-stdin"}, t.env(),
                      "sk-not-a-virtual-key-at-all");
  CHECK(r.code == 3);
  CHECK(r.err.find("nothing was stored") != std::string::npos);
  CHECK(r.err.find("does not look like a LangWatch virtual key either") != std::string::npos);
  CHECK(r.err.find("storing") == std::string::npos);
  CHECK(r.err.find("stored as given") == std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("login's next step follows what setup already did") {
  FakeGateway gw;
  TempHome t;
  Env env = t.env();
  const auto paths = resolve_paths(env);
  setup::Manifest m;
  m.clis["claude-code"] = {{"mode", "proxy"}};
  m.save(paths);
  auto proxy_only = run_inproc({"login", "--gateway", gw.server.url(), "--key-stdin"}, env, kKey);
  CHECK(proxy_only.code == 0);
  CHECK(proxy_only.out.find("\nnext: lwgw smoke") != std::string::npos);
  m.clis["codex"] = {{"mode", "direct"}};
  m.save(paths);
  auto direct = run_inproc({"login", "--key-stdin"}, env, kKey);
  CHECK(direct.out.find("\nnext: lwgw setup --direct codex") != std::string::npos);
}

TEST_CASE("whoami asks the gateway again and records it; --offline does not ask") {
  FakeGateway gw;
  TempHome t;
  Env env = t.env();
  REQUIRE(run_inproc({"login", "--gateway", gw.server.url(), "--key-stdin"}, env, kKey).code == 0);
  const int after_login = gw.calls;
  auto w = run_inproc({"whoami"}, env);
  CHECK(w.code == 0);
  CHECK(gw.calls == after_login + 1);
  auto v = load_verification(resolve_paths(env));
  REQUIRE(v);
  CHECK(v->by == "whoami");
  CHECK(v->result == "ok");
  CHECK(v->key == "vk-lw-01HZX9N…RSTV");
  CHECK(t.read(resolve_paths(env).state_dir / "verification.json").find(kKey) == std::string::npos);

  auto off = run_inproc({"whoami", "--offline"}, env);
  CHECK(off.code == 0);
  CHECK(gw.calls == after_login + 1);
  CHECK(off.out.find("last verification: ok (") != std::string::npos);
  CHECK(off.out.find("by whoami") != std::string::npos);

  // A key revoked after login: whoami says so and exits 3; the record keeps it for status.
  const std::string revoked = "vk-lw-REVOKED0000000000000000000";
  REQUIRE(run_inproc({"login", "--no-verify", "--key-stdin"}, env, revoked).code == 0);
  auto rej = run_inproc({"whoami"}, env);
  CHECK(rej.code == 3);
  CHECK(rej.out.find("REJECTED by the gateway") != std::string::npos);
  CHECK(rej.out.find("this virtual key was revoked") != std::string::npos);
  auto rej_json = run_inproc({"--json", "whoami", "--offline"}, env);
  CHECK(rej_json.code == 0);
  CHECK(rej_json.out.find("\"verification\": \"rejected: virtual_key_revoked") !=
        std::string::npos);
  CHECK(rej_json.out.find("\"checked_now\": false") != std::string::npos);
}
