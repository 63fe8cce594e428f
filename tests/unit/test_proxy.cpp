// The local proxy end to end, in process: a scripted upstream gateway, real sockets on loopback.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "lwgw/error.hpp"
#include "lwgw/proxy/server.hpp"
#include "lwgw/util/text.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kVK = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";
const std::string kToken = "lwgw_lt_TestTokenTestTokenTestTokenTestToken0123456";

std::string sha256(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) out += {hex[md[i] >> 4], hex[md[i] & 15]};
  return out;
}

double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// The SSE frames each dialect's stream is made of (realistic shapes, tool-call deltas included).
std::vector<std::string> frames_for(const std::string& path) {
  if (path.rfind("/v1/messages", 0) == 0)
    return {
        "event: message_start\ndata: "
        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"role\":\"assistant\"}}\n\n",
        "event: content_block_start\ndata: "
        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\","
        "\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":{}}}\n\n",
        "event: content_block_delta\ndata: "
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
        "\"partial_json\":\"{\\\"comm\"}}\n\n",
        "event: content_block_delta\ndata: "
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
        "\"partial_json\":\"and\\\": \\\"ls\\\"}\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"};
  if (path.rfind("/v1/chat/completions", 0) == 0)
    return {"data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n",
            "data: "
            "{\"id\":\"c1\",\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{"
            "\"name\":\"f\",\"arguments\":\"{\\\"a\"}}]}}]}\n\n",
            "data: "
            "{\"id\":\"c1\",\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{"
            "\"arguments\":\"\\\":1}\"}}]}}]}\n\n",
            "data: [DONE]\n\n"};
  if (path.rfind("/v1/responses", 0) == 0)
    return {"event: response.created\ndata: {\"type\":\"response.created\"}\n\n",
            "event: response.output_text.delta\ndata: "
            "{\"type\":\"response.output_text.delta\",\"delta\":\"Hel\"}\n\n",
            "event: response.output_text.delta\ndata: "
            "{\"type\":\"response.output_text.delta\",\"delta\":\"lo\"}\n\n",
            "event: response.completed\ndata: {\"type\":\"response.completed\"}\n\n",
            "data: [DONE]\n\n"};
  return {"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}]}}]}\r\n\r\n",
          "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}]}}]}\r\n\r\n",
          "data: "
          "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"!\"}],\"role\":\"model\"},"
          "\"finishReason\":\"STOP\"}]}\r\n\r\n"};
}

// The gateway's own envelopes for a budget breach and a policy denial.
std::string canned_error(int status) {
  if (status == 402)
    return "{\"error\":{\"type\":\"budget_exceeded\",\"code\":\"budget_exceeded\",\"message\":"
           "\"project budget "
           "exceeded\",\"meta\":{\"budget_scope\":\"project\",\"budget_window\":\"month\"}}}\n";
  return "{\"error\":{\"type\":\"policy_violation\",\"code\":\"policy_violation\",\"message\":"
         "\"tool "
         "\\\"shell.exec\\\" is blocked by policy\"}}\n";
}

// A scripted gateway: streams at a fixed pace, echoes what it received, fails on request.
struct Upstream {
  std::mutex m;
  httplib::Headers last_headers;
  std::string last_target, last_method, last_body_sha;
  size_t last_body_size = 0;
  std::vector<Clock::time_point> write_times;
  std::atomic<bool> aborted{false};
  Clock::time_point aborted_at;
  int frame_delay_ms = 60;
  std::atomic<int> streams_done{0};

  void record(const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(m);
    last_headers = req.headers;
    auto seen = last_headers.find("X-Seen-Content-Encoding");
    if (seen != last_headers.end()) {
      last_headers.emplace("Content-Encoding", seen->second);
      last_headers.erase(seen);
    }
    last_target = req.target;
    last_method = req.method;
    last_body_size = req.body.size();
    last_body_sha = sha256(req.body);
  }

  LoopbackServer server{[this](httplib::Server& s) {
    s.new_task_queue = [] { return new httplib::ThreadPool(400); };
    s.set_keep_alive_max_count(1000);
    // Like the proxy: keep httplib from decoding request bodies, so what arrives is what was sent.
    s.set_pre_routing_handler([](const httplib::Request& creq, httplib::Response&) {
      auto& req = const_cast<httplib::Request&>(creq);
      auto it = req.headers.find("Content-Encoding");
      if (it != req.headers.end()) {
        std::string v = it->second;
        req.headers.erase(it);
        req.headers.emplace("X-Seen-Content-Encoding", v);
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    s.set_payload_max_length(std::numeric_limits<size_t>::max());
    auto stream = [this](const httplib::Request& req, httplib::Response& res) {
      // The stand-in must not compress either: exact bytes are what this suite checks.
      const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
      record(req);
      if (req.has_header("x-test-status")) {
        res.status = std::stoi(req.get_header_value("x-test-status"));
        res.set_header("X-LangWatch-Handled-Error",
                       res.status == 402 ? "budget_exceeded" : "policy_violation");
        res.set_content(canned_error(res.status), "application/json");
        return;
      }
      if (req.has_header("x-test-echo")) {
        std::lock_guard<std::mutex> lock(m);
        if (req.has_header("X-Seen-Content-Encoding"))
          res.set_header("X-Seen-Content-Encoding",
                         req.get_header_value("X-Seen-Content-Encoding"));
        res.set_content(
            "{\"size\":" + std::to_string(last_body_size) + ",\"sha\":\"" + last_body_sha + "\"}",
            "application/json");
        return;
      }
      res.set_header("X-Request-Id", "req_0123456789abcdef0123456789abcd");
      if (req.has_header("x-test-budget"))
        res.set_header("X-Langwatch-Budget-Warning", "project:95");
      bool forever = req.has_header("x-test-forever");
      auto frames = frames_for(req.path);
      res.set_chunked_content_provider(
          "text/event-stream", [this, frames, forever](size_t, httplib::DataSink& sink) {
            for (size_t i = 0; forever || i < frames.size(); ++i) {
              std::this_thread::sleep_for(std::chrono::milliseconds(frame_delay_ms));
              const std::string& f = frames[i % frames.size()];
              {
                std::lock_guard<std::mutex> lock(m);
                write_times.push_back(Clock::now());
              }
              if (!sink.write(f.data(), f.size())) {
                aborted_at = Clock::now();
                aborted = true;
                return false;
              }
            }
            sink.done();
            ++streams_done;
            return true;
          });
    };
    s.Post(".*", stream);
    s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{\"status\":\"ok\",\"version\":\"local\",\"uptime_s\":1.5}\n",
                      "application/json");
    });
    s.Get(".*", stream);
  }};
};

struct Proxy {
  std::mutex m;
  std::vector<std::string> log;
  std::unique_ptr<proxy::Server> server;
  std::thread thread;
  int port = 0;

  explicit Proxy(const std::string& gateway, proxy::Settings s = {},
                 proxy::Secrets sec = {kVK, kToken}) {
    s.listen_host = "127.0.0.1";
    s.listen_port = 0;
    s.gateway_url = gateway;
    server = std::make_unique<proxy::Server>(s, sec, [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(m);
      log.push_back(line);
    });
    port = server->bind();
    thread = std::thread([this] { server->run(); });
  }
  ~Proxy() {
    server->drain();
    thread.join();
  }
  std::string all_log() {
    std::lock_guard<std::mutex> lock(m);
    std::string s;
    for (auto& l : log) s += l + "\n";
    return s;
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_decompress(false);
    c.set_read_timeout(30, 0);
    return c;
  }
};

// A raw client socket, for bytes httplib::Client will not send (chunked, Expect) and for hanging
// up.
struct RawClient {
  int fd = -1;
  explicit RawClient(int port) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~RawClient() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  void send(const std::string& s) {
    REQUIRE(::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()));
  }
  // Reads until `needle` appears or the timeout passes.
  std::string read_until(const std::string& needle, int timeout_ms) {
    std::string out;
    auto end = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (out.find(needle) == std::string::npos && Clock::now() < end) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[65536];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
};

httplib::Headers auth() {
  return {{"Authorization", "Bearer " + kToken}};
}

}  // namespace

TEST_CASE(
    "streams arrive event by event and byte-identical, for all four dialects, gzip asked or not") {
  Upstream up;
  Proxy px(up.server.url());
  const std::vector<std::pair<std::string, httplib::Headers>> cases = {
      {"/v1/messages?beta=true",
       {{"x-api-key", kToken}, {"anthropic-beta", "fine-grained-tool-streaming-2025-05-14"}}},
      {"/v1/chat/completions", auth()},
      {"/v1/responses", auth()},
      {"/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
       {{"x-goog-api-key", kToken}}}};
  for (const auto& [path, headers] : cases) {
    for (bool gzip : {false, true}) {
      CAPTURE(path);
      CAPTURE(gzip);
      {
        std::lock_guard<std::mutex> lock(up.m);
        up.write_times.clear();
      }
      auto h = headers;
      if (gzip) h.emplace("Accept-Encoding", "gzip, deflate, br, zstd");
      std::vector<Clock::time_point> recv_times;
      std::string body;
      httplib::Request req;
      req.method = "POST";
      req.path = path;
      req.headers = h;
      req.body = "{\"stream\":true}";
      req.set_header("Content-Type", "application/json");
      req.content_receiver = [&](const char* d, size_t n, uint64_t, uint64_t) {
        recv_times.push_back(Clock::now());
        body.append(d, n);
        return true;
      };
      auto cli = px.client();
      auto res = cli.send(req);
      REQUIRE(res);
      CHECK(res->status == 200);
      CHECK_FALSE(res->has_header("Content-Encoding"));
      CHECK(res->get_header_value("X-Request-Id") == "req_0123456789abcdef0123456789abcd");
      std::string expected;
      for (auto& f : frames_for(path)) expected += f;
      CHECK(sha256(body) == sha256(expected));
      // No buffering, no coalescing: every frame reached the client before the next was written.
      std::lock_guard<std::mutex> lock(up.m);
      REQUIRE(recv_times.size() == up.write_times.size());
      double worst = 0;
      for (size_t i = 0; i < recv_times.size(); ++i) {
        worst = std::max(worst, ms(up.write_times[i], recv_times[i]));
        if (i + 1 < up.write_times.size()) CHECK(recv_times[i] < up.write_times[i + 1]);
      }
      MESSAGE(path << ": worst upstream-write to client-read latency " << worst << " ms");
    }
  }
}

TEST_CASE(
    "the gateway sees the VK once, in the client's header, and every other header unchanged") {
  Upstream up;
  Proxy px(up.server.url());
  struct Case {
    httplib::Headers headers;
    std::string target;
    std::string vk_header;
  };
  std::vector<Case> cases = {
      {{{"Authorization", "Bearer " + kToken}}, "/v1/chat/completions?x=1&y=two", "Authorization"},
      {{{"x-api-key", kToken}}, "/v1/messages?beta=true", "x-api-key"},
      {{{"x-goog-api-key", kToken}},
       "/v1beta/models/m:streamGenerateContent?alt=sse",
       "x-goog-api-key"},
      {{{"xi-api-key", kToken}}, "/v1/audio/speech", "xi-api-key"},
      {{}, "/v1beta/models/m:streamGenerateContent?alt=sse&key=" + kToken, "x-goog-api-key"},
  };
  for (auto& c : cases) {
    CAPTURE(c.target);
    auto h = c.headers;
    h.emplace("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14");
    h.emplace("x-stainless-timeout", "600");
    h.emplace("x-codex-turn-metadata", "abc");
    h.emplace("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    h.emplace("X-Request-Id", "req_client_supplied");
    h.emplace("User-Agent", "claude-cli/2.1.197 (external, cli)");
    h.emplace("Content-Encoding", "zstd");
    auto cli = px.client();
    auto res =
        cli.Post(c.target, h, std::string("\x28\xb5\x2f\xfd binary zstd", 16), "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    std::lock_guard<std::mutex> lock(up.m);
    int creds = 0;
    for (const char* name : {"Authorization", "x-api-key", "x-goog-api-key", "xi-api-key"})
      creds += static_cast<int>(up.last_headers.count(name));
    CHECK(creds == 1);
    std::string expected = c.vk_header == "Authorization" ? "Bearer " + kVK : kVK;
    CHECK(up.last_headers.find(c.vk_header)->second == expected);
    for (auto& [k, v] : up.last_headers) CHECK_MESSAGE(v.find(kToken) == std::string::npos, k);
    CHECK(up.last_target.find(kToken) == std::string::npos);
    CHECK(up.last_headers.find("anthropic-beta")->second ==
          "claude-code-20250219,interleaved-thinking-2025-05-14");
    CHECK(up.last_headers.find("x-stainless-timeout")->second == "600");
    CHECK(up.last_headers.find("x-codex-turn-metadata")->second == "abc");
    CHECK(up.last_headers.find("traceparent")->second ==
          "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    CHECK(up.last_headers.find("X-Request-Id")->second == "req_client_supplied");
    CHECK(up.last_headers.find("User-Agent")->second == "claude-cli/2.1.197 (external, cli)");
    CHECK(up.last_headers.find("Content-Encoding")->second == "zstd");
    CHECK(up.last_headers.find("Content-Type")->second == "application/json");
    CHECK(up.last_body_sha == sha256(std::string("\x28\xb5\x2f\xfd binary zstd", 16)));
    std::string want_target = c.target.find("&key=") != std::string::npos
                                  ? c.target.substr(0, c.target.find("&key="))
                                  : c.target;
    CHECK(up.last_target == want_target);
  }
}

TEST_CASE("a gzip-encoded request body is forwarded as sent, not decoded") {
  Upstream up;
  Proxy px(up.server.url());
  std::string gz(
      "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x4b\x4c\x4a\x06\x00\xc2\x41\x24\x35\x03\x00\x00"
      "\x00",
      23);
  auto h = auth();
  h.emplace("Content-Encoding", "gzip");
  h.emplace("x-test-echo", "1");
  auto res = px.client().Post("/v1/chat/completions", h, gz, "application/json");
  REQUIRE(res);
  CHECK(res->body == "{\"size\":23,\"sha\":\"" + sha256(gz) + "\"}");
  CHECK(res->get_header_value("X-Seen-Content-Encoding") == "gzip");
}

TEST_CASE("a client that hangs up mid-stream aborts the upstream transfer within a second") {
  Upstream up;
  up.frame_delay_ms = 50;
  Proxy px(up.server.url());
  RawClient c(px.port);
  c.send("POST /v1/messages?beta=true HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + kToken +
         "\r\nx-test-forever: 1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  auto got = c.read_until("content_block_delta", 5000);
  REQUIRE(got.find("content_block_delta") != std::string::npos);
  auto closed_at = Clock::now();
  c.close();
  for (int i = 0; i < 300 && !up.aborted; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(up.aborted);
  double elapsed = ms(closed_at, up.aborted_at);
  MESSAGE("upstream saw the abort " << elapsed << " ms after the client left");
  CHECK(elapsed < 1000);
}

TEST_CASE("a client that hangs up while waiting for a non-streamed answer aborts upstream too") {
  // A raw upstream that reads the request, never answers, and notes when the proxy hangs up.
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
  ::listen(lfd, 4);
  std::atomic<bool> eof{false};
  Clock::time_point eof_at;
  std::thread upstream([&] {
    int fd = ::accept(lfd, nullptr, nullptr);
    char buf[4096];
    auto end = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < end) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        eof_at = Clock::now();
        eof = true;
        break;
      }
    }
    ::close(fd);
  });
  {
    Proxy px("http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)));
    RawClient c(px.port);
    c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
           kToken + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    auto closed_at = Clock::now();
    c.close();
    upstream.join();
    REQUIRE(eof);
    MESSAGE("upstream saw the abort " << ms(closed_at, eof_at) << " ms after the client left");
    CHECK(ms(closed_at, eof_at) < 1000);
  }
  ::close(lfd);
}

TEST_CASE("bodies: 40 MiB forwarded intact, 65 MiB refused with 413, chunked and Expect work") {
  Upstream up;
  Proxy px(up.server.url());
  std::string big(40u << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4097) big[i] = static_cast<char>('a' + i % 26);
  auto h = auth();
  h.emplace("x-test-echo", "1");
  auto cli = px.client();
  auto res = cli.Post("/v1/chat/completions", h, big, "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body ==
        "{\"size\":" + std::to_string(big.size()) + ",\"sha\":\"" + sha256(big) + "\"}");

  std::string huge(65u << 20, 'y');
  auto r413 = px.client().Post("/v1/messages", {{"x-api-key", kToken}}, huge, "application/json");
  REQUIRE(r413);
  CHECK(r413->status == 413);
  CHECK(r413->body.find("\"type\":\"error\"") != std::string::npos);  // Anthropic dialect
  CHECK(r413->body.find("lwgw: ") != std::string::npos);
  CHECK(r413->body.find("proxy.max_body_mib") != std::string::npos);

  // Chunked request body.
  RawClient c(px.port);
  c.send(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kToken +
      "\r\nx-test-echo: 1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  auto chunked = c.read_until("}", 5000);
  CHECK(chunked.find("HTTP/1.1 200") == 0);
  CHECK(chunked.find("\"size\":11,\"sha\":\"" + sha256("hello world") + "\"") != std::string::npos);

  // Expect: 100-continue is answered locally, then the body flows.
  RawClient e(px.port);
  e.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
         kToken +
         "\r\nx-test-echo: 1\r\nContent-Type: application/json\r\nExpect: "
         "100-continue\r\nContent-Length: 5\r\n\r\n");
  auto cont = e.read_until("\r\n\r\n", 5000);
  CHECK(cont.find("HTTP/1.1 100 Continue") == 0);
  e.send("hello");
  auto after = e.read_until("}", 5000);
  CHECK(after.find("HTTP/1.1 200") != std::string::npos);
  CHECK(after.find("\"size\":5,") != std::string::npos);
  std::lock_guard<std::mutex> lock(up.m);
  CHECK(up.last_headers.count("Expect") == 0);
}

TEST_CASE("refusals: foreign Host, browser Origin, missing or wrong local token, no VK") {
  Upstream up;
  Proxy px(up.server.url());
  auto cli = px.client();
  auto h = auth();
  h.emplace("Host", "evil.example");
  auto host = cli.Post("/v1/chat/completions", h, "{}", "application/json");
  REQUIRE(host);
  CHECK(host->status == 403);
  CHECK(host->get_header_value("X-Lwgw-Error") == "lwgw_host_refused");
  CHECK_FALSE(host->has_header("Access-Control-Allow-Origin"));

  auto o = auth();
  o.emplace("Origin", "https://evil.example");
  auto origin = cli.Post("/v1/chat/completions", o, "{}", "application/json");
  REQUIRE(origin);
  CHECK(origin->status == 403);
  CHECK(origin->body.find("lwgw: ") != std::string::npos);
  CHECK_FALSE(origin->has_header("Access-Control-Allow-Origin"));
  auto pre = cli.Options("/v1/chat/completions", {{"Origin", "https://evil.example"}});
  REQUIRE(pre);
  CHECK(pre->status == 403);

  auto none = cli.Post("/v1/messages", "{}", "application/json");
  REQUIRE(none);
  CHECK(none->status == 401);
  CHECK(none->body.find("lwgw setup") != std::string::npos);
  CHECK(none->body.find("\"type\":\"error\"") != std::string::npos);
  auto wrong = cli.Post("/v1beta/models/m:generateContent", {{"x-goog-api-key", "lwgw_lt_wrong"}},
                        "{}", "application/json");
  REQUIRE(wrong);
  CHECK(wrong->status == 401);
  CHECK(wrong->body.find("UNAUTHENTICATED") != std::string::npos);
  auto unknown = cli.Get("/metrics", auth());
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  CHECK(unknown->body.find("lwgw: ") != std::string::npos);
  {
    std::lock_guard<std::mutex> lock(up.m);
    CHECK(up.last_target.empty());  // nothing refused reached the gateway
  }

  Proxy nokey(up.server.url(), {}, {"", kToken});
  auto nk = nokey.client().Post("/v1/chat/completions", auth(), "{}", "application/json");
  REQUIRE(nk);
  CHECK(nk->status == 401);
  CHECK(nk->body.find("lwgw login") != std::string::npos);

  proxy::Settings open;
  open.require_local_token = false;
  Proxy px_open(up.server.url(), open);
  auto any = px_open.client().Post("/v1/chat/completions", {{"Authorization", "Bearer whatever"}},
                                   "{}", "application/json");
  REQUIRE(any);
  CHECK(any->status == 200);
  std::lock_guard<std::mutex> lock(up.m);
  CHECK(up.last_headers.find("Authorization")->second == "Bearer " + kVK);
}

TEST_CASE("the log has one JSON line per request and never a key, token, header or query") {
  Upstream up;
  Proxy px(up.server.url());
  auto h = auth();
  h.emplace("User-Agent", "codex_exec/0.171.0");
  h.emplace("x-test-budget", "1");
  auto res = px.client().Post("/v1/responses?secret_param=hush&key=" + kToken, h, "{}",
                              "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  px.client().Post("/v1/chat/completions", {{"Authorization", "Bearer " + kVK}}, "{}",
                   "application/json");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::string log = px.all_log();
  CHECK(log.find(kVK) == std::string::npos);
  CHECK(log.find(kToken) == std::string::npos);
  CHECK(log.find("hush") == std::string::npos);
  CHECK(log.find("secret_param") == std::string::npos);
  CHECK(log.find("Bearer") == std::string::npos);
  CHECK(log.find("\"path\":\"/v1/responses\"") != std::string::npos);
  CHECK(log.find("\"client\":\"codex\"") != std::string::npos);
  CHECK(log.find("\"stream\":true") != std::string::npos);
  CHECK(log.find("\"request_id\":\"req_0123456789abcdef0123456789abcd\"") != std::string::npos);
  CHECK(log.find("\"budget_warning\":\"project:95\"") != std::string::npos);
  CHECK(log.find("\"msg\":\"budget_warning\"") != std::string::npos);
  CHECK(px.server->stats().budget_warning == "project:95");
}

TEST_CASE(
    "gateway down: 502 in each endpoint's dialect; gateway errors reach the client "
    "byte-identical") {
  Proxy down("http://127.0.0.1:" + std::to_string(unused_port()));
  auto cli = down.client();
  auto a = cli.Post("/v1/messages", {{"x-api-key", kToken}}, "{}", "application/json");
  REQUIRE(a);
  CHECK(a->status == 502);
  auto anthropic = nlohmann::json::parse(a->body);
  CHECK(anthropic["type"] == "error");
  CHECK(anthropic["error"]["type"] == "lwgw_gateway_unreachable");
  CHECK(anthropic["error"]["message"].get<std::string>().rfind("lwgw: cannot reach the gateway",
                                                               0) == 0);
  auto g = cli.Post("/v1beta/models/m:generateContent", {{"x-goog-api-key", kToken}}, "{}",
                    "application/json");
  REQUIRE(g);
  CHECK(g->status == 502);
  CHECK(g->body.find("\"code\":502") != std::string::npos);
  auto o = cli.Post("/v1/chat/completions", auth(), "{}", "application/json");
  REQUIRE(o);
  CHECK(o->status == 502);
  CHECK(o->body.find("\"code\":\"lwgw_gateway_unreachable\"") != std::string::npos);
  CHECK(o->body.find("lwgw: cannot reach the gateway") != std::string::npos);
  CHECK(down.server->stats().last_error.find("502 lwgw_gateway_unreachable") != std::string::npos);

  Upstream up;
  Proxy px(up.server.url());
  for (int status : {402, 403}) {
    auto h = auth();
    h.emplace("x-test-status", std::to_string(status));
    auto r = px.client().Post("/v1/chat/completions", h, "{}", "application/json");
    REQUIRE(r);
    CHECK(r->status == status);
    CHECK(r->body == canned_error(status));
    CHECK(r->get_header_value("X-LangWatch-Handled-Error") ==
          (status == 402 ? "budget_exceeded" : "policy_violation"));
    CHECK_FALSE(r->has_header("X-Lwgw-Error"));
  }
}

TEST_CASE("probes pass through without a key; /_lwgw/healthz answers locally") {
  Upstream up;
  Proxy px(up.server.url());
  auto r = px.client().Get("/healthz");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "{\"status\":\"ok\",\"version\":\"local\",\"uptime_s\":1.5}\n");
  {
    std::lock_guard<std::mutex> lock(up.m);
    CHECK(up.last_headers.count("Authorization") == 0);
  }
  auto own = px.client().Get("/_lwgw/healthz");
  REQUIRE(own);
  CHECK(own->status == 200);
  CHECK(own->body.find("\"status\":\"ok\"") != std::string::npos);
  CHECK(own->body.find("\"gateway\":\"" + up.server.url() + "\"") != std::string::npos);
  auto st = px.client().Get("/_lwgw/status", auth());
  REQUIRE(st);
  CHECK(st->body.find("\"running\":true") != std::string::npos);
  CHECK(st->body.find("\"inflight\":") != std::string::npos);
}

TEST_CASE("a new key takes effect without a restart; logout stops spending the old one") {
  Upstream up;
  Proxy px(up.server.url());
  px.server->set_secrets({"vk-lw-01HZX9N0NEWKEYNEWKEYNEWKEY", kToken});
  CHECK(px.client().Post("/v1/chat/completions", auth(), "{}", "application/json")->status == 200);
  {
    std::lock_guard<std::mutex> lock(up.m);
    CHECK(up.last_headers.find("Authorization")->second ==
          "Bearer vk-lw-01HZX9N0NEWKEYNEWKEYNEWKEY");
  }
  px.server->set_secrets({"", kToken});
  CHECK(px.client().Post("/v1/chat/completions", auth(), "{}", "application/json")->status == 401);
}

TEST_CASE("binding: non-loopback refused without allow_remote; a taken port is a clear error") {
  proxy::Settings s;
  s.listen_host = "0.0.0.0";
  s.listen_port = 0;
  proxy::Server remote(s, {kVK, kToken}, nullptr);
  CHECK_THROWS_AS(remote.bind(), Error);
  Upstream up;
  Proxy first(up.server.url());
  proxy::Settings same;
  same.listen_port = first.port;
  proxy::Server second(same, {kVK, kToken}, nullptr);
  try {
    second.bind();
    FAIL("expected the bind to fail");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find(std::to_string(first.port)) != std::string::npos);
    CHECK(std::string(e.what()).find("in use") != std::string::npos);
  }
}

TEST_CASE("300 concurrent streams all complete") {
  Upstream up;
  up.frame_delay_ms = 20;
  proxy::Settings s;
  s.max_connections = 512;
  Proxy px(up.server.url(), s);
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  std::string expected;
  for (auto& f : frames_for("/v1/chat/completions")) expected += f;
  for (int i = 0; i < 300; ++i)
    clients.emplace_back([&] {
      auto cli = px.client();
      auto r = cli.Post("/v1/chat/completions", auth(), "{\"stream\":true}", "application/json");
      if (r && r->status == 200 && r->body == expected) ++ok;
    });
  for (auto& t : clients) t.join();
  CHECK(ok == 300);
}

TEST_CASE("beyond max_connections a fast 503, not a silent queue") {
  Upstream up;
  proxy::Settings s;
  s.max_connections = 2;
  Proxy px(up.server.url(), s);
  RawClient a(px.port), b(px.port);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  RawClient c(px.port);
  c.send("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kToken +
         "\r\n\r\n");
  auto got = c.read_until("}", 3000);
  CHECK(got.find("HTTP/1.1 503") == 0);
  CHECK(got.find("proxy.max_connections") != std::string::npos);
}

TEST_CASE("lwgw up --foreground: SIGTERM with 20 streams in flight lets them finish, then exit 0") {
  Upstream up;
  up.frame_delay_ms = 150;
  TempHome t;
  Env env = t.env();
  REQUIRE(run_bin({"login", "--gateway", up.server.url(), "--no-verify", "--key-stdin"}, env, kVK)
              .code == 0);
  auto creds = t.read(t.home() / ".config/lwgw/credentials");
  auto pos = creds.find("lwgw_lt_");
  REQUIRE(pos != std::string::npos);
  const std::string token = creds.substr(pos, creds.find('"', pos) - pos);
  Spawned proc({LWGW_BIN, "up", "--foreground", "--listen", "127.0.0.1:0"}, env,
               t.root() / "up.log");
  std::string log = proc.wait_for_log("proxy listening on", 10000);
  REQUIRE(!log.empty());
  int port = port_from_log(log);
  REQUIRE(port > 0);

  std::string expected;
  for (auto& f : frames_for("/v1/messages")) expected += f;
  std::atomic<int> complete{0}, started{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 20; ++i)
    clients.emplace_back([&] {
      httplib::Client cli("127.0.0.1", port);
      cli.set_read_timeout(30, 0);
      std::string body;
      httplib::Request req;
      req.method = "POST";
      req.path = "/v1/messages?beta=true";
      req.headers = {{"x-api-key", token}, {"Content-Type", "application/json"}};
      req.body = "{\"stream\":true}";
      req.content_receiver = [&](const char* d, size_t n, uint64_t, uint64_t) {
        if (body.empty()) ++started;
        body.append(d, n);
        return true;
      };
      auto r = cli.send(req);
      if (r && r->status == 200 && body == expected) ++complete;
    });
  for (int i = 0; i < 500 && started < 20; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(started == 20);
  proc.signal(SIGTERM);
  for (auto& c : clients) c.join();
  CHECK(complete == 20);
  CHECK(proc.wait(15000) == 0);
  std::string all = proc.log_text();
  CHECK(all.find("lwgw_draining") != std::string::npos);
  CHECK(all.find("lwgw_stopped") != std::string::npos);
  CHECK(all.find(kVK) == std::string::npos);
  CHECK(all.find(token) == std::string::npos);
  // After the drain nothing listens any more.
  httplib::Client after("127.0.0.1", port);
  CHECK_FALSE(after.Get("/_lwgw/healthz"));
}

TEST_CASE("lwgw up --foreground picks up a new key from lwgw login without a restart") {
  Upstream up;
  TempHome t;
  Env env = t.env();
  REQUIRE(run_bin({"login", "--gateway", up.server.url(), "--no-verify", "--key-stdin"}, env, kVK)
              .code == 0);
  auto creds = t.read(t.home() / ".config/lwgw/credentials");
  auto pos = creds.find("lwgw_lt_");
  const std::string token = creds.substr(pos, creds.find('"', pos) - pos);
  Spawned proc({LWGW_BIN, "up", "--foreground", "--listen", "127.0.0.1:0"}, env,
               t.root() / "up.log");
  int port = port_from_log(proc.wait_for_log("proxy listening on", 10000));
  REQUIRE(port > 0);
  const std::string rotated = "vk-lw-01HZX9N0R0TATEDR0TATEDR0TA";
  REQUIRE(run_bin({"login", "--no-verify", "--key-stdin"}, env, rotated).code == 0);
  std::string seen;
  for (int i = 0; i < 50 && seen != "Bearer " + rotated; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    httplib::Client cli("127.0.0.1", port);
    auto r = cli.Post("/v1/chat/completions", {{"Authorization", "Bearer " + token}}, "{}",
                      "application/json");
    std::lock_guard<std::mutex> lock(up.m);
    if (r && up.last_headers.count("Authorization"))
      seen = up.last_headers.find("Authorization")->second;
  }
  CHECK(seen == "Bearer " + rotated);
  REQUIRE(run_bin({"logout"}, env).code == 0);
  int status = 0;
  for (int i = 0; i < 50 && status != 401; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    httplib::Client cli("127.0.0.1", port);
    auto r = cli.Post("/v1/chat/completions", {{"Authorization", "Bearer " + token}}, "{}",
                      "application/json");
    status = r ? r->status : 0;
  }
  CHECK(status == 401);
  proc.signal(SIGTERM);
  CHECK(proc.wait(10000) == 0);
}

TEST_CASE("upstream connections to the gateway are reused across requests") {
  Upstream up;
  Proxy px(up.server.url());
  std::set<std::string> ports;
  auto cli = px.client();
  for (int i = 0; i < 20; ++i) {
    auto h = auth();
    h.emplace("x-test-echo", "1");
    REQUIRE(cli.Post("/v1/chat/completions", h, "{}", "application/json"));
    std::lock_guard<std::mutex> lock(up.m);
    ports.insert(
        up.last_headers.find("REMOTE_PORT")->second);  // httplib's view of the proxy's socket
  }
  MESSAGE("20 sequential requests used " << ports.size() << " upstream connection(s)");
  CHECK(ports.size() <= 2);
}

TEST_CASE("after drain_timeout_s the streams still running are cut and logged") {
  Upstream up;
  up.frame_delay_ms = 50;
  proxy::Settings s;
  s.drain_timeout_s = 1;
  Proxy px(up.server.url(), s);
  RawClient c(px.port);
  c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
         kToken +
         "\r\nx-test-forever: 1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  REQUIRE(c.read_until("data:", 5000).find("data:") != std::string::npos);
  auto t0 = Clock::now();
  px.server->drain();
  std::string rest = c.read_until("never-appears", 6000);
  double waited = ms(t0, Clock::now());
  CHECK(waited < 5000);  // the connection ended (cut) instead of streaming forever
  CHECK(rest.find("0\r\n\r\n") ==
        std::string::npos);  // truncated: no final chunk, the client can tell
  for (int i = 0; i < 100 && px.all_log().find("lwgw_drain_timeout") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(px.all_log().find("lwgw_drain_timeout") != std::string::npos);
}

// --- The data plane on one event loop (libevent + libcurl multi_socket) ------------------------

namespace {
// An upstream that answers /v1/big with `size` bytes as fast as the proxy takes them, counting
// what it managed to write.
struct BigUpstream {
  std::atomic<size_t> written{0};
  size_t size = 64u << 20;
  LoopbackServer server{[this](httplib::Server& s) {
    s.Get("/v1/big", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(size, "application/octet-stream",
                               [this](size_t offset, size_t length, httplib::DataSink& sink) {
                                 std::string piece(std::min<size_t>(length, 65536), 'b');
                                 if (!sink.write(piece.data(), piece.size())) return false;
                                 written = offset + piece.size();
                                 return true;
                               });
    });
  }};
};

std::string get_request(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kToken +
         "\r\n" + extra + "\r\n";
}
}  // namespace

TEST_CASE("a client that stops reading pauses the upstream instead of filling memory") {
  // libcurl 8.5.0 (Ubuntu 24.04) keeps reading a transfer its write callback paused and buffers
  // the rest of the response (curl issue 12632, a regression of 8.5.0); holding the socket's
  // read events in lwgw does not stop it. Known, and in the README; 7.88 and 8.14 pass.
  const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
  if (curl->version_num >= 0x080500 && curl->version_num < 0x080600) {
    WARN_MESSAGE(false, "not checked with libcurl " << std::string(curl->version)
                                                    << ": it does not pause a transfer's reads");
    return;
  }
  BigUpstream up;
  Proxy px(up.server.url());
  RawClient c(px.port);
  // A small receive buffer makes "the client is not reading" show at once.
  int small = 64 * 1024;
  ::setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  c.send(get_request("/v1/big"));
  std::string head = c.read_until("\r\n\r\n", 5000);
  REQUIRE(head.find("HTTP/1.1 200") == 0);
  REQUIRE(head.find("Content-Length: " + std::to_string(up.size)) != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  size_t during_stall = up.written;
  MESSAGE("upstream wrote " << (during_stall >> 10) << " KiB while the client read nothing");
  CHECK(during_stall < (24u << 20));  // without backpressure all 64 MiB would be in the proxy
  size_t got = head.size() - head.find("\r\n\r\n") - 4;
  char buf[65536];
  auto end = Clock::now() + std::chrono::seconds(30);
  while (got < up.size && Clock::now() < end) {
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  CHECK(got == up.size);
}

TEST_CASE("a stream that never ends blocks no other request") {
  Upstream up;
  up.frame_delay_ms = 30;
  Proxy px(up.server.url());
  RawClient stream(px.port);
  stream.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
              kToken +
              "\r\nx-test-forever: 1\r\nContent-Type: application/json\r\nContent-Length: "
              "2\r\n\r\n{}");
  REQUIRE(stream.read_until("data:", 5000).find("data:") != std::string::npos);
  auto cli = px.client();
  cli.set_read_timeout(5, 0);
  int ok = 0;
  for (int i = 0; i < 20; ++i) {
    auto h = auth();
    h.emplace("x-test-echo", "1");
    auto r = cli.Post("/v1/chat/completions", h, "{}", "application/json");
    if (r && r->status == 200) ++ok;
  }
  CHECK(ok == 20);
  CHECK(stream.read_until("never", 200).find("data:") != std::string::npos);  // still flowing
}

TEST_CASE("the access log has exactly one line per request, however it ends") {
  Upstream up;
  up.frame_delay_ms = 30;
  Proxy px(up.server.url());
  auto cli = px.client();
  REQUIRE(cli.Post("/v1/chat/completions", auth(), "{}", "application/json"));  // streamed, ok
  REQUIRE(cli.Post("/v1/chat/completions", "{}", "application/json"));          // 401 refused
  auto h402 = auth();
  h402.emplace("x-test-status", "402");
  REQUIRE(cli.Post("/v1/chat/completions", h402, "{}", "application/json"));  // gateway error
  {
    RawClient c(px.port);  // hangs up mid-stream
    c.send("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + kToken +
           "\r\nx-test-forever: 1\r\nContent-Length: 2\r\n\r\n{}");
    REQUIRE(c.read_until("message_start", 5000).find("message_start") != std::string::npos);
  }
  std::string log;
  int lines = 0;
  for (int i = 0; i < 100 && lines < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    log = px.all_log();
    lines = 0;
    for (size_t p = log.find("\"msg\":\"request\""); p != std::string::npos;
         p = log.find("\"msg\":\"request\"", p + 1))
      ++lines;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  log = px.all_log();
  lines = 0;
  for (size_t p = log.find("\"msg\":\"request\""); p != std::string::npos;
       p = log.find("\"msg\":\"request\"", p + 1))
    ++lines;
  CHECK(lines == 4);
  CHECK(log.find("\"status\":401") != std::string::npos);
  CHECK(log.find("\"error\":\"lwgw_local_token\"") != std::string::npos);
  CHECK(log.find("\"status\":402") != std::string::npos);
  CHECK(log.find("\"outcome\":\"client_closed\"") != std::string::npos);
}

TEST_CASE("max_connections is a limit, not a thread count: the 513th connection gets a 503") {
  Upstream up;
  Proxy px(up.server.url());  // the default limit: 512
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 512; ++i) held.push_back(std::make_unique<RawClient>(px.port));
  // Every held connection is still served (the last one proves they were all accepted first).
  held.back()->send(get_request("/_lwgw/healthz"));
  CHECK(held.back()->read_until("}", 5000).find("HTTP/1.1 200") == 0);
  RawClient extra(px.port);
  extra.send("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + kToken +
             "\r\nContent-Length: 2\r\n\r\n{}");
  std::string got = extra.read_until("(the connection closes)", 5000);
  CHECK(got.find("HTTP/1.1 503") == 0);
  CHECK(got.find("\"type\":\"error\"") != std::string::npos);  // Anthropic's dialect
  CHECK(got.find("proxy.max_connections (512)") != std::string::npos);
}

TEST_CASE("pipelined requests are answered in order; HTTP/1.0 gets a close-delimited stream") {
  Upstream up;
  up.frame_delay_ms = 5;
  Proxy px(up.server.url());
  RawClient c(px.port);
  c.send(get_request("/_lwgw/healthz") +
         "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
         kToken + "\r\nx-test-echo: 1\r\nContent-Length: 5\r\n\r\nhello" +
         get_request("/_lwgw/status"));
  std::string all = c.read_until("\"running\":true", 5000);
  size_t health = all.find("\"status\":\"ok\"");
  size_t echo = all.find("\"size\":5,");
  size_t status = all.find("\"running\":true");
  REQUIRE(health != std::string::npos);
  REQUIRE(echo != std::string::npos);
  REQUIRE(status != std::string::npos);
  CHECK(health < echo);
  CHECK(echo < status);

  RawClient old(px.port);
  old.send("POST /v1/chat/completions HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
           kToken + "\r\nContent-Length: 2\r\n\r\n{}");
  std::string got = old.read_until("[DONE]", 5000);
  CHECK(got.find("HTTP/1.1 200") == 0);
  CHECK(got.find("Connection: close") != std::string::npos);
  CHECK(got.find("Transfer-Encoding") == std::string::npos);
  std::string expected;
  for (auto& f : frames_for("/v1/chat/completions")) expected += f;
  CHECK(got.substr(got.find("\r\n\r\n") + 4) == expected);
}

TEST_CASE("a malformed request gets a 400 in the endpoint's dialect and nothing reaches upstream") {
  Upstream up;
  Proxy px(up.server.url());
  RawClient c(px.port);
  c.send("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + kToken +
         "\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}");
  std::string got = c.read_until("(the connection closes)", 5000);
  CHECK(got.find("HTTP/1.1 400") == 0);
  CHECK(got.find("X-Lwgw-Error: lwgw_bad_request") != std::string::npos);
  CHECK(got.find("\"type\":\"error\"") != std::string::npos);
  CHECK(got.find("Connection: close") != std::string::npos);
  std::lock_guard<std::mutex> lock(up.m);
  CHECK(up.last_target.empty());
}

TEST_CASE("lwgw up --foreground serves on a listening socket it inherits (LISTEN_FDS=1)") {
  Upstream up;
  TempHome t;
  Env env = t.env();
  REQUIRE(run_bin({"login", "--gateway", up.server.url(), "--no-verify", "--key-stdin"}, env, kVK)
              .code == 0);
  auto creds = t.read(t.home() / ".config/lwgw/credentials");
  auto pos = creds.find("lwgw_lt_");
  REQUIRE(pos != std::string::npos);
  const std::string token = creds.substr(pos, creds.find('"', pos) - pos);
  // The socket a service manager would hold: bound and listening before lwgw starts.
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(lfd, 16) == 0);
  socklen_t len = sizeof a;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
  const int port = ntohs(a.sin_port);
  // A client may connect before the proxy runs: the socket is already there.
  RawClient early(port);
  early.send(get_request("/_lwgw/healthz"));
  // The configured address is another port: the inherited socket wins.
  Spawned proc({LWGW_BIN, "up", "--foreground", "--listen", "127.0.0.1:1"}, env,
               t.root() / "up.log", lfd);
  ::close(lfd);
  std::string log = proc.wait_for_log("proxy listening on", 10000);
  REQUIRE(!log.empty());
  CHECK(port_from_log(log) == port);
  CHECK(early.read_until("}", 5000).find("HTTP/1.1 200") == 0);
  httplib::Client cli("127.0.0.1", port);
  auto r = cli.Post("/v1/chat/completions", {{"Authorization", "Bearer " + token}}, "{}",
                    "application/json");
  REQUIRE(r);
  CHECK(r->status == 200);
  {
    std::lock_guard<std::mutex> lock(up.m);
    CHECK(up.last_headers.find("Authorization")->second == "Bearer " + kVK);
  }
  // One thread serves everything.
  std::string status = t.read("/proc/" + std::to_string(proc.pid()) + "/status");
  CHECK(status.find("\nThreads:\t1\n") != std::string::npos);
  proc.signal(SIGTERM);
  CHECK(proc.wait(10000) == 0);
}

TEST_CASE("garbage, truncated and oversized requests never take the proxy down") {
  Upstream up;
  proxy::Settings s;
  s.max_body_bytes = 1u << 20;
  Proxy px(up.server.url(), s);
  std::mt19937 rng(20261129);
  const std::string valid =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kToken +
      "\r\nx-test-echo: 1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  for (int round = 0; round < 150; ++round) {
    std::string input = valid;
    switch (round % 5) {
      case 0:  // random bytes
        input.assign(rng() % 2000, '\0');
        for (auto& c : input) c = static_cast<char>(rng());
        break;
      case 1:  // a valid request cut anywhere
        input = valid.substr(0, rng() % valid.size());
        break;
      case 2:  // one byte flipped
        input[rng() % input.size()] = static_cast<char>(rng());
        break;
      case 3:  // a huge chunk size or header
        input = rng() % 2 ? valid.substr(0, valid.find("5\r\n")) + "fffffffffff\r\nxx"
                          : "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " +
                                std::string(70000, 'a') + "\r\n\r\n";
        break;
      case 4:  // pipelined valid requests followed by junk
        input = valid + valid + "\x01\x02 junk\r\n\r\n";
        break;
    }
    RawClient c(px.port);
    ::send(c.fd, input.data(), input.size(), MSG_NOSIGNAL);
    ::shutdown(c.fd, SHUT_WR);
    c.read_until("(until the proxy closes or answers)", 300);
  }
  auto r = px.client().Get("/_lwgw/healthz");
  REQUIRE(r);
  CHECK(r->status == 200);
  auto ok = auth();
  ok.emplace("x-test-echo", "1");
  auto fwd = px.client().Post("/v1/chat/completions", ok, "{}", "application/json");
  REQUIRE(fwd);
  CHECK(fwd->status == 200);
}

namespace {
// A gateway that accepts connections (the kernel completes them) and never answers.
struct SilentGateway {
  int fd = -1;
  int port = 0;
  SilentGateway() { fd = listen_loopback(16, port); }
  ~SilentGateway() { ::close(fd); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

// The access-log lines (`"msg":"request"`) written so far, waiting up to a second for `want`.
std::vector<std::string> request_lines(Proxy& px, std::size_t want) {
  std::vector<std::string> lines;
  for (int i = 0; i < 50; ++i) {
    lines.clear();
    {
      std::lock_guard<std::mutex> lock(px.m);
      for (const auto& l : px.log)
        if (l.find("\"msg\":\"request\"") != std::string::npos) lines.push_back(l);
    }
    if (lines.size() >= want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return lines;
}
}  // namespace

TEST_CASE("lwgw's own errors say x-should-retry: false; the gateway's pass without it") {
  Proxy down("http://127.0.0.1:" + std::to_string(unused_port()));
  auto gone = down.client().Post("/v1/messages", {{"x-api-key", kToken}}, "{}", "application/json");
  REQUIRE(gone);
  CHECK(gone->status == 502);
  CHECK(gone->get_header_value("x-should-retry") == "false");
  CHECK_FALSE(gone->has_header("Retry-After"));

  Upstream up;
  Proxy px(up.server.url());
  auto cli = px.client();
  auto foreign = auth();
  foreign.emplace("Host", "evil.example");
  Proxy nokey(up.server.url(), {}, {"", kToken});
  std::vector<std::pair<int, httplib::Result>> own;
  own.emplace_back(401, cli.Post("/v1/messages", "{}", "application/json"));
  own.emplace_back(403, cli.Post("/v1/chat/completions", foreign, "{}", "application/json"));
  own.emplace_back(404, cli.Get("/metrics", auth()));
  own.emplace_back(405, cli.Post("/", auth(), "{}", "application/json"));
  own.emplace_back(401,
                   nokey.client().Post("/v1/chat/completions", auth(), "{}", "application/json"));
  for (const auto& [status, res] : own) {
    CAPTURE(status);
    REQUIRE(res);
    CHECK(res->status == status);
    CHECK(res->get_header_value("x-should-retry") == "false");
    CHECK(res->body.find("lwgw: ") != std::string::npos);
  }
  CHECK(own[3].second->get_header_value("Allow") == "GET, HEAD");

  for (int status : {402, 403}) {  // the gateway's errors: byte for byte, no advice added
    auto h = auth();
    h.emplace("x-test-status", std::to_string(status));
    auto r = cli.Post("/v1/chat/completions", h, "{}", "application/json");
    REQUIRE(r);
    CHECK(r->status == status);
    CHECK_FALSE(r->has_header("x-should-retry"));
    CHECK_FALSE(r->has_header("Retry-After"));
  }
  auto ok = cli.Post("/v1/chat/completions", auth(), "{}", "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK_FALSE(ok->has_header("x-should-retry"));
}

TEST_CASE("503 beyond max_connections and 504 from a silent gateway ask for a wait instead") {
  Upstream up;
  proxy::Settings s;
  s.max_connections = 1;
  Proxy px(up.server.url(), s);
  RawClient held(px.port);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  RawClient over(px.port);
  over.send(get_request("/v1/models"));
  std::string got = over.read_until("}", 3000);
  CHECK(got.find("HTTP/1.1 503") == 0);
  CHECK(got.find("\r\nRetry-After: 1\r\n") != std::string::npos);
  CHECK(got.find("\r\nretry-after-ms: 1000\r\n") != std::string::npos);
  CHECK(got.find("x-should-retry") == std::string::npos);

  SilentGateway silent;
  proxy::Settings slow;
  slow.idle_timeout_s = 1;
  Proxy to_silent(silent.url(), slow);
  auto r =
      to_silent.client().Post("/v1/messages", {{"x-api-key", kToken}}, "{}", "application/json");
  REQUIRE(r);
  CHECK(r->status == 504);
  CHECK(r->get_header_value("Retry-After") == "5");
  CHECK(r->get_header_value("retry-after-ms") == "5000");
  CHECK_FALSE(r->has_header("x-should-retry"));
  CHECK(r->body.find("lwgw_gateway_timeout") != std::string::npos);
}

TEST_CASE("HEAD / and GET / answer 200, are logged, and never become the last error") {
  Upstream up;
  Proxy px(up.server.url(), {}, {"", ""});  // not even logged in: the proxy is still there
  auto cli = px.client();
  auto probe = cli.Head("/", {{"User-Agent", "claude-cli/2.1.197 (external, cli)"}});
  REQUIRE(probe);
  CHECK(probe->status == 200);
  CHECK(probe->get_header_value("Content-Length") == "11");
  CHECK(probe->body.empty());
  auto page = cli.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body == "lwgw proxy\n");
  CHECK(page->get_header_value("Content-Type").rfind("text/plain", 0) == 0);
  // The connection stays usable after the HEAD answer (its length was not sent as a body).
  RawClient c(px.port);
  c.send(
      "HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /_lwgw/status HTTP/1.1\r\nHost: "
      "127.0.0.1\r\nAuthorization: Bearer " +
      px.server->status_key() + "\r\n\r\n");
  std::string both = c.read_until("}\n", 3000);
  CHECK(both.find("HTTP/1.1 200") == 0);
  CHECK(both.find("lwgw proxy") == std::string::npos);
  auto st = nlohmann::json::parse(both.substr(both.rfind("\r\n\r\n") + 4));
  CHECK(st["last_error"].is_null());
  CHECK(px.server->stats().last_error.empty());
  {
    std::lock_guard<std::mutex> lock(up.m);
    CHECK(up.last_target.empty());  // answered locally
  }
  auto lines = request_lines(px, 3);
  REQUIRE(lines.size() == 3);  // HEAD, GET, HEAD; /_lwgw/status itself is not logged
  CHECK(lines[0].find("\"method\":\"HEAD\",\"path\":\"/\",\"status\":200") != std::string::npos);
  CHECK(lines[0].find("\"bytes_out\":0") != std::string::npos);
  CHECK(lines[0].find("\"client\":\"claude-code\"") != std::string::npos);
  CHECK(lines[1].find("\"method\":\"GET\",\"path\":\"/\",\"status\":200") != std::string::npos);
  CHECK(lines[1].find("\"bytes_out\":11") != std::string::npos);
  for (const auto& l : lines) CHECK(l.find("\"error\"") == std::string::npos);
}

TEST_CASE("a refused request is logged once, with the code /_lwgw/status reports as last error") {
  Upstream up;
  Proxy px(up.server.url(), {}, {"", kToken});
  auto r = px.client().Post("/v1/messages", {{"x-api-key", kToken}}, "{}", "application/json");
  REQUIRE(r);
  CHECK(r->status == 401);
  request_lines(px, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // and no second line follows
  auto lines = request_lines(px, 1);
  REQUIRE(lines.size() == 1);
  auto line = nlohmann::json::parse(lines[0]);
  CHECK(line["status"] == 401);
  CHECK(line["error"] == "lwgw_not_logged_in");
  const std::string last = px.server->stats().last_error;
  CHECK(last == line["ts"].get<std::string>() + " 401 lwgw_not_logged_in");

  // A gateway error: the log line names the gateway's code, as the last error does.
  px.server->set_secrets({kVK, kToken});
  auto h = auth();
  h.emplace("x-test-status", "402");
  auto budget = px.client().Post("/v1/chat/completions", h, "{}", "application/json");
  REQUIRE(budget);
  CHECK(budget->status == 402);
  lines = request_lines(px, 2);
  REQUIRE(lines.size() == 2);
  line = nlohmann::json::parse(lines[1]);
  CHECK(line["error"] == "budget_exceeded");
  CHECK(px.server->stats().last_error.find(" 402 budget_exceeded") != std::string::npos);

  // Refused while its body was still arriving, then the client left: still one line.
  {
    RawClient c(px.port);
    c.send("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  lines = request_lines(px, 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  lines = request_lines(px, 3);
  REQUIRE(lines.size() == 3);
  line = nlohmann::json::parse(lines[2]);
  CHECK(line["status"] == 499);
  CHECK(line["error"] == "lwgw_local_token");
  CHECK(line["outcome"] == "client_closed");
  CHECK(px.server->stats().last_error.find(" 402 budget_exceeded") != std::string::npos);
}

TEST_CASE("bounded waits: a trickled request header gets 408, a gateway that never answers 504") {
  Upstream up;
  proxy::Settings s;
  s.header_timeout_s = 1;
  Proxy px(up.server.url(), s);
  RawClient slow(px.port);
  // One byte at a time, each well inside the body's silence limit: the whole header still has
  // one deadline.
  const std::string partial = "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  auto t0 = Clock::now();
  std::string got;
  for (char c : partial + std::string(40, 'a')) {
    if (::send(slow.fd, &c, 1, MSG_NOSIGNAL) != 1) break;
    got += slow.read_until("\r\n\r\n", 100);
    if (!got.empty()) break;
  }
  CHECK(got.find("HTTP/1.1 408") == 0);
  CHECK(Clock::now() - t0 < std::chrono::seconds(4));

  // The gateway takes the connection and never sends response headers: 504 after
  // proxy.response_timeout_s, with no idle timeout set.
  SilentGateway silent;
  proxy::Settings patient;
  patient.response_timeout_s = 1;
  Proxy to_silent(silent.url(), patient);
  auto r =
      to_silent.client().Post("/v1/messages", {{"x-api-key", kToken}}, "{}", "application/json");
  REQUIRE(r);
  CHECK(r->status == 504);
  CHECK(r->body.find("proxy.response_timeout_s") != std::string::npos);
  CHECK(r->get_header_value("Retry-After") == "5");
  // Once the response started, the deadline no longer applies (streams have no total limit):
  // covered by the paced-stream tests, which run longer than a second with this setting.
  auto lines = request_lines(to_silent, 1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("\"status\":504") != std::string::npos);
}

// --- Issue 16: strict framing both ways, header limits, errors that say what happened ---------

namespace {
// A gateway that answers every request with the same raw bytes, then closes: for response heads
// no real HTTP server would send.
struct ScriptedGateway {
  std::string response;
  std::atomic<int> served{0};
  std::mutex m;
  std::string received;                            // the last request head, as it arrived
  RawServer server{[this](int c) { answer(c); }};  // last: it serves once the rest exists
  explicit ScriptedGateway(std::string bytes) : response(std::move(bytes)) {}
  void answer(int c) {
    std::string got;
    char buf[4096];
    while (got.find("\r\n\r\n") == std::string::npos) {
      pollfd q{c, POLLIN, 0};
      if (::poll(&q, 1, 2000) <= 0) break;
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    {
      std::lock_guard<std::mutex> lock(m);
      received = got;
    }
    ++served;  // before the answer: the test reads it once the proxy has answered
    (void)::send(c, response.data(), response.size(), MSG_NOSIGNAL);
    ::shutdown(c, SHUT_WR);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server.port()); }
};

// Sends `request` on a new connection and reads until the proxy closes it (or 5 s pass).
std::string exchange_raw(int port, const std::string& request) {
  RawClient c(port);
  ::send(c.fd, request.data(), request.size(), MSG_NOSIGNAL);
  return c.read_until("(until the proxy closes)", 5000);
}

std::size_t count_of(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

const std::string kPost = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n";
const std::string kAuthLine = "Authorization: Bearer " + kToken + "\r\n";
}  // namespace

TEST_CASE("strict framing: each ambiguous request is one 400 that closes, nothing goes upstream") {
  Upstream up;
  Proxy px(up.server.url());
  // Each is followed by a valid request: after a 400 the connection is closed, so the bytes a
  // lenient parser would take for a second request never reach the gateway either.
  const std::string smuggled =
      "GET /v1/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuthLine + "\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Transfer-Encoding with Content-Length",
       kPost + kAuthLine + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
      {"two different Content-Lengths",
       kPost + kAuthLine + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"},
      {"Transfer-Encoding gzip, chunked",
       kPost + kAuthLine + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"},
      {"Transfer-Encoding chunked, identity",
       kPost + kAuthLine + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"},
      {"Transfer-Encoding twice",
       kPost + kAuthLine +
           "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
      {"whitespace before the colon",
       kPost + kAuthLine + "Transfer-Encoding : chunked\r\nContent-Length: 2\r\n\r\n{}"},
      {"obs-fold", kPost + kAuthLine + "X-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\n{}"},
      {"bare CR in a value", kPost + kAuthLine + "X-Bad: a\rb\r\nContent-Length: 2\r\n\r\n{}"},
      {"NUL in a value",
       kPost + kAuthLine + std::string("X-Bad: a\0b\r\n", 11) + "Content-Length: 2\r\n\r\n{}"},
      {"space in a header name", kPost + kAuthLine + "X Bad: a\r\nContent-Length: 2\r\n\r\n{}"},
      {"Content-Length: -1", kPost + kAuthLine + "Content-Length: -1\r\n\r\n{}"},
      {"a fragment in the target",
       "GET /v1/models#x HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuthLine + "\r\n"},
      {"a non-ASCII target",
       "GET /v1/mod\xc3\xa9ls HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuthLine + "\r\n"},
  };
  for (const auto& [what, request] : cases) {
    CAPTURE(what);
    std::string got = exchange_raw(px.port, request + smuggled);
    CHECK(got.find("HTTP/1.1 400 ") == 0);
    CHECK(count_of(got, "\r\nX-Lwgw-Error: ") == 1);  // one answer, then the connection closed
    CHECK(count_of(got, "HTTP/1.1 200") == 0);
    CHECK(got.find("\r\nConnection: close\r\n") != std::string::npos);
    CHECK(got.find("X-Lwgw-Error: lwgw_bad_request") != std::string::npos);
  }
  std::lock_guard<std::mutex> lock(up.m);
  CHECK(up.last_target.empty());
}

TEST_CASE("a Content-Length over proxy.max_body_mib is a 413 at once, before any body byte") {
  Upstream up;
  proxy::Settings s;
  s.max_body_bytes = 1u << 20;
  Proxy px(up.server.url(), s);
  for (const std::string path : {"/v1/chat/completions", "/no/such/route"}) {
    CAPTURE(path);
    RawClient c(px.port);
    auto t0 = Clock::now();
    c.send("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuthLine +
           "Content-Length: " + std::to_string((1u << 20) + 1) + "\r\n\r\n");
    std::string got = c.read_until("\r\n\r\n", 3000);
    CHECK(got.find("HTTP/1.1 413 ") == 0);
    CHECK(Clock::now() - t0 < std::chrono::seconds(2));
  }
  std::lock_guard<std::mutex> lock(up.m);
  CHECK(up.last_target.empty());
}

TEST_CASE("10,000 and 100,000 request headers get a 431 and a log line, never a forward") {
  Upstream up;
  Proxy px(up.server.url());
  for (int n : {10000, 100000}) {
    CAPTURE(n);
    std::string request = kPost + kAuthLine;
    request.reserve(request.size() + 5u * static_cast<std::size_t>(n) + 32);
    for (int i = 0; i < n; ++i) request += "a:b\r\n";
    request += "Content-Length: 2\r\n\r\n{}";
    std::string got = exchange_raw(px.port, request);
    CHECK(got.find("HTTP/1.1 431 ") == 0);
  }
  auto lines = request_lines(px, 2);
  REQUIRE(lines.size() == 2);
  for (const auto& l : lines) CHECK(l.find("\"status\":431") != std::string::npos);
  std::lock_guard<std::mutex> lock(up.m);
  CHECK(up.last_target.empty());
}

TEST_CASE("an invalid response head from the gateway is a 502 of its own, never passed on") {
  const std::string ok_head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
  std::string many;
  for (int i = 0; i < 300; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  std::string big;
  for (int i = 0; i < 80; ++i)
    big += "X-Big" + std::to_string(i) + ": " + std::string(1000, 'b') + "\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"no status line", "garbage\r\n\r\n{}"},
      {"a status line without a number", "HTTP/1.1 abc OK\r\nContent-Length: 2\r\n\r\n{}"},
      {"status 999", "HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\n{}"},
      {"a bare CR in the reason", "HTTP/1.1 200 O\rK\r\nContent-Length: 2\r\n\r\n{}"},
      {"a bare CR in a value", ok_head + "X-Bad: a\rb\r\nContent-Length: 2\r\n\r\n{}"},
      {"a NUL in a value",
       ok_head + std::string("X-Bad: a\0b\r\n", 11) + "Content-Length: 2\r\n\r\n{}"},
      {"whitespace before the colon", ok_head + "X-Bad : a\r\nContent-Length: 2\r\n\r\n{}"},
      {"obs-fold", ok_head + "X-Bad: a\r\n folded\r\nContent-Length: 2\r\n\r\n{}"},
      {"a space in a header name", ok_head + "X Bad: a\r\nContent-Length: 2\r\n\r\n{}"},
      {"two different Content-Lengths",
       ok_head + "Content-Length: 2\r\nContent-Length: 1\r\n\r\n{}"},
      {"Content-Length: -1", ok_head + "Content-Length: -1\r\n\r\n{}"},
      {"Transfer-Encoding with Content-Length",
       ok_head + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"},
      {"Transfer-Encoding gzip", ok_head + "Transfer-Encoding: gzip\r\n\r\n{}"},
      {"300 headers", ok_head + many + "Content-Length: 2\r\n\r\n{}"},
      {"80 KB of headers", ok_head + big + "Content-Length: 2\r\n\r\n{}"},
      {"one 120 KB header line",
       ok_head + "X-Huge: " + std::string(120000, 'h') + "\r\nContent-Length: 2\r\n\r\n{}"},
  };
  for (const auto& [what, bytes] : cases) {
    CAPTURE(what);
    ScriptedGateway gw(bytes);
    Proxy px(gw.url());
    std::string got = exchange_raw(
        px.port, kPost + kAuthLine + "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
    CHECK(got.find("HTTP/1.1 502 ") == 0);
    CHECK(got.find("X-Lwgw-Error: lwgw_bad_upstream_response") != std::string::npos);
    CHECK(got.find("the gateway at " + gw.url() + " sent an invalid response") !=
          std::string::npos);
    CHECK(got.find("cannot reach") == std::string::npos);
    CHECK(got.find("a\rb") == std::string::npos);
    CHECK(got.find("X-Bad") == std::string::npos);
    CHECK(gw.served >= 1);
    auto lines = request_lines(px, 1);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("\"status\":502") != std::string::npos);
    CHECK(lines[0].find("lwgw_bad_upstream_response") != std::string::npos);
  }
  // A valid head with the same shapes passes (the checks refuse only what is wrong).
  ScriptedGateway fine(ok_head + "X-Fine: a b\tc\r\nContent-Length: 2\r\n\r\n{}");
  Proxy px(fine.url());
  std::string got =
      exchange_raw(px.port, kPost + kAuthLine + "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
  CHECK(got.find("HTTP/1.1 200 OK\r\n") == 0);
  CHECK(got.find("\r\nX-Fine: a b\tc\r\n") != std::string::npos);
}

TEST_CASE("Content-Type is never sent empty, to the gateway or to the client") {
  ScriptedGateway gw("HTTP/1.1 200 OK\r\nContent-Type:\r\nContent-Length: 2\r\n\r\n{}");
  Proxy px(gw.url());
  std::string got = exchange_raw(
      px.port,
      kPost + kAuthLine + "Content-Type: \r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  CHECK(got.find("HTTP/1.1 200 ") == 0);
  CHECK(got.find("Content-Type") == std::string::npos);
  std::lock_guard<std::mutex> lock(gw.m);
  CHECK(gw.received.find("POST /v1/chat/completions HTTP/1.1\r\n") == 0);
  CHECK(util::lower(gw.received).find("content-type") == std::string::npos);
}

TEST_CASE("every refused request is logged once: 403 Host and Origin, 404, 400, 431") {
  Upstream up;
  Proxy px(up.server.url());
  const std::vector<std::pair<int, std::string>> cases = {
      {403, "GET /v1/models HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"},
      {403, "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\n" +
                kAuthLine + "Connection: close\r\n\r\n"},
      {404,
       "GET /admin/keys HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuthLine + "Connection: close\r\n\r\n"},
      {400, "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX Bad: a\r\n\r\n"},
      {431,
       "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + std::string(70000, 'a') + "\r\n\r\n"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& [status, request] = cases[i];
    CAPTURE(status);
    std::string got = exchange_raw(px.port, request);
    CHECK(got.find("HTTP/1.1 " + std::to_string(status) + " ") == 0);
    auto lines = request_lines(px, i + 1);
    REQUIRE(lines.size() == i + 1);
    CHECK(lines[i].find("\"status\":" + std::to_string(status)) != std::string::npos);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(request_lines(px, cases.size()).size() == cases.size());  // and never a second line
}

TEST_CASE("a client cut for not reading is logged as client_too_slow") {
  BigUpstream up;
  proxy::Settings s;
  s.stall_timeout_s = 1;
  Proxy px(up.server.url(), s);
  RawClient c(px.port);
  int small = 64 * 1024;
  ::setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  c.send(get_request("/v1/big"));
  REQUIRE(c.read_until("\r\n\r\n", 5000).find("HTTP/1.1 200") == 0);
  auto lines = request_lines(px, 1);
  for (int i = 0; i < 100 && lines.empty(); ++i) lines = request_lines(px, 1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("\"outcome\":\"client_too_slow\"") != std::string::npos);
}

TEST_CASE("/_lwgw/status answers with the local token or the status key only; healthz anyone") {
  Upstream up;
  Proxy px(up.server.url());
  auto cli = px.client();
  auto anon = cli.Get("/_lwgw/status");
  REQUIRE(anon);
  CHECK(anon->status == 401);
  CHECK(anon->body.find("\"pid\"") == std::string::npos);
  CHECK(anon->body.find(up.server.url()) == std::string::npos);
  auto wrong = cli.Get("/_lwgw/status", {{"Authorization", "Bearer lwgw_lt_not_this_one"}});
  REQUIRE(wrong);
  CHECK(wrong->status == 401);
  for (const std::string& secret : {kToken, px.server->status_key()}) {
    auto full = cli.Get("/_lwgw/status", {{"Authorization", "Bearer " + secret}});
    REQUIRE(full);
    CHECK(full->status == 200);
    auto doc = nlohmann::json::parse(full->body);
    CHECK(doc["pid"] == static_cast<int>(::getpid()));
    CHECK(doc["gateway"] == up.server.url());
  }
  CHECK(px.server->status_key().rfind("lwgw_sk_", 0) == 0);
  px.server->set_secrets({kVK, kToken});  // a reload keeps the key
  auto after = cli.Get("/_lwgw/status", {{"Authorization", "Bearer " + px.server->status_key()}});
  REQUIRE(after);
  CHECK(after->status == 200);
  auto health = cli.Get("/_lwgw/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
}

TEST_CASE(
    "the access log names the model: the body's top-level model, a Gemini path's, never more") {
  Proxy down("http://127.0.0.1:" + std::to_string(unused_port()));
  auto cli = down.client();
  const httplib::Headers auth_h = {{"x-api-key", kToken}};
  // A failed request (the gateway is unreachable) still says which model it was for.
  auto r = cli.Post("/v1/messages", auth_h,
                    "{\"messages\":[{\"role\":\"user\",\"model\":\"nested\"}],"
                    "\"model\":\"claude-sonnet-4\",\"system\":\"secret prompt\"}",
                    "application/json");
  REQUIRE(r);
  CHECK(r->status == 502);
  // The Gemini path form, with a body that names no model.
  auto g = cli.Post("/v1beta/models/gemini-2.5-pro:generateContent", auth_h, "{\"contents\":[]}",
                    "application/json");
  REQUIRE(g);
  // A model after the first KiB is not looked for; a body that is not JSON is not scanned.
  auto late = cli.Post("/v1/chat/completions", auth_h,
                       "{\"messages\":\"" + std::string(1100, 'x') + "\",\"model\":\"late\"}",
                       "application/json");
  REQUIRE(late);
  auto form = cli.Post("/v1/chat/completions", auth_h, "{\"model\":\"form\"}", "text/plain");
  REQUIRE(form);
  auto lines = request_lines(down, 4);
  REQUIRE(lines.size() == 4);
  auto first = nlohmann::json::parse(lines[0]);
  CHECK(first["model"] == "claude-sonnet-4");
  CHECK(first["status"] == 502);
  CHECK(first["error"].get<std::string>().rfind("lwgw_", 0) == 0);
  CHECK(lines[0].find("secret prompt") == std::string::npos);
  CHECK(lines[0].find("nested") == std::string::npos);
  CHECK(nlohmann::json::parse(lines[1])["model"] == "gemini-2.5-pro");
  CHECK_FALSE(nlohmann::json::parse(lines[2]).contains("model"));
  CHECK_FALSE(nlohmann::json::parse(lines[3]).contains("model"));
}
