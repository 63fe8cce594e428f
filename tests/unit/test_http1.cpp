// The proxy's HTTP/1.1 layer as pure functions: strict head parsing, body decoding split at any
// byte, response framing.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "lwgw/proxy/http1.hpp"

using namespace lwgw::proxy;
using namespace lwgw::proxy::http1;

namespace {
HeadResult parse(const std::string& s) {
  return parse_head(s);
}
}  // namespace

TEST_CASE("http1: a request head keeps header names, order and raw values") {
  auto r = parse(
      "POST /v1/messages?beta=true HTTP/1.1\r\nHost: 127.0.0.1:5566\r\nx-api-key: k\r\n"
      "X-Odd: a%41b \r\nX-Empty:\r\nContent-Length: 12\r\nExpect: 100-continue\r\n\r\n");
  REQUIRE(r.error == ParseError::kNone);
  CHECK(r.head.method == "POST");
  CHECK(r.head.target == "/v1/messages?beta=true");
  CHECK(r.head.minor_version == 1);
  REQUIRE(r.head.headers.size() == 6);
  CHECK(r.head.headers[2] == std::pair<std::string, std::string>("X-Odd", "a%41b"));
  CHECK(r.head.headers[3] == std::pair<std::string, std::string>("X-Empty", ""));
  CHECK(r.head.content_length == 12u);
  CHECK(r.head.expect_continue);
  CHECK(r.head.keep_alive);
  CHECK(r.head.has_body());
  CHECK(r.head.header("HOST") == "127.0.0.1:5566");
}

TEST_CASE("http1: connection semantics per version") {
  CHECK_FALSE(
      parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n").head.keep_alive);
  CHECK_FALSE(parse("GET / HTTP/1.0\r\n\r\n").head.keep_alive);
  CHECK(parse("GET / HTTP/1.0\r\n\r\n").error == ParseError::kNone);  // 1.0 needs no Host
  CHECK(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").error == ParseError::kNone);
  CHECK(parse("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").error == ParseError::kNone);
}

TEST_CASE("http1: malformed or ambiguous framing is refused, never guessed") {
  struct Case {
    const char* text;
    ParseError want;
  } cases[] = {
      {"GET / HTTP/1.1\r\n\r\n", ParseError::kBadRequest},  // no Host
      {"GET / HTTP/1.1\nHost: a\n\n", ParseError::kBadRequest},
      {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", ParseError::kBadRequest},
      {"GET http://evil/ HTTP/1.1\r\nHost: a\r\n\r\n", ParseError::kBadRequest},
      {"G@T / HTTP/1.1\r\nHost: a\r\n\r\n", ParseError::kBadRequest},
      {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", ParseError::kVersion},
      {"GET / FOO/1.1\r\nHost: a\r\n\r\n", ParseError::kBadRequest},
      {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", ParseError::kBadRequest},
      {"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", ParseError::kBadRequest},
      {"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", ParseError::kBadRequest},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", ParseError::kBadRequest},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", ParseError::kBadRequest},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
       ParseError::kBadRequest},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
       ParseError::kBadRequest},
      {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", ParseError::kBadRequest},
      {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
       ParseError::kBadRequest},
      {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
       ParseError::kBadRequest},
      {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
       "chunked\r\n\r\n",
       ParseError::kBadRequest},
      {"GET / HTTP/1.1\r\nHost: a\r\nX Y: a\r\n\r\n", ParseError::kBadRequest},
      {"GET /v1/x#y HTTP/1.1\r\nHost: a\r\n\r\n", ParseError::kBadRequest},
      {"GET /v1/\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", ParseError::kBadRequest},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", ParseError::kBadRequest},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(parse(c.text).error == c.want);
  }
  CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n").head.content_length ==
        5u);
  CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n").head.chunked);
  CHECK(parse(std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 35)).error ==
        ParseError::kBadRequest);
  std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (std::size_t i = 1; i < kMaxHeaders; ++i) many += "a:b\r\n";
  CHECK(parse(many + "\r\n").error == ParseError::kNone);
  CHECK(parse(many + "a:b\r\n\r\n").error == ParseError::kHeadTooLarge);
  std::string huge = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(70000, 'a') + "\r\n\r\n";
  CHECK(parse(huge).error == ParseError::kHeadTooLarge);
}

TEST_CASE("http1: a chunked body decodes the same split at every byte, bytes after it kept") {
  auto head = parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").head;
  const std::string wire =
      "5;ext=1\r\nhello\r\n6\r\n world\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n";
  const std::string next = "GET / HTTP/1.1\r\n";
  for (size_t split = 0; split <= wire.size(); ++split) {
    CAPTURE(split);
    BodyDecoder d(head, 1000);
    std::string out;
    std::string all = wire + next;
    size_t used = d.feed(std::string_view(all).substr(0, split), &out);
    CHECK(used == split);
    used += d.feed(std::string_view(all).substr(split), &out);
    CHECK(d.done());
    CHECK(d.error() == ParseError::kNone);
    CHECK(out == "hello world0123456789");
    CHECK(used == wire.size());
    CHECK(d.received() == 21u);
  }
}

TEST_CASE("http1: body limits and broken chunk framing") {
  auto chunked = parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").head;
  BodyDecoder big(chunked, 10);
  std::string out;
  big.feed("b\r\nhello world\r\n0\r\n\r\n", &out);
  CHECK(big.error() == ParseError::kTooLarge);
  CHECK(out.empty());
  for (const char* bad : {"zz\r\n", "5\r\nhelloX\r\n", "5\nhello\r\n", "\r\n"}) {
    CAPTURE(bad);
    BodyDecoder d(chunked, 100);
    d.feed(bad, &out);
    CHECK(d.error() == ParseError::kBadRequest);
  }
  auto sized = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n").head;
  BodyDecoder too_big(sized, 10);
  CHECK(too_big.error() == ParseError::kTooLarge);
  BodyDecoder ok(sized, 11);
  std::string got;
  CHECK(ok.feed("hello worldGET", &got) == 11);
  CHECK(ok.done());
  CHECK(got == "hello world");
  BodyDecoder dropped(sized, 11);
  CHECK(dropped.feed("hello world", nullptr) == 11);  // read and dropped, still counted
  CHECK(dropped.received() == 11u);
}

TEST_CASE("http1: random bodies in random pieces come out byte-identical") {
  std::mt19937 rng(7);
  auto head = parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").head;
  for (int round = 0; round < 50; ++round) {
    std::string body, wire;
    int chunks = static_cast<int>(rng() % 8);
    for (int i = 0; i < chunks; ++i) {
      std::string c(rng() % 3000 + 1, '\0');
      for (auto& ch : c) ch = static_cast<char>(rng());
      body += c;
      append_chunk(&wire, c);
    }
    wire += kLastChunk;
    BodyDecoder d(head, 1u << 20);
    std::string out;
    size_t pos = 0;
    while (pos < wire.size()) {
      size_t n = std::min<size_t>(wire.size() - pos, rng() % 700 + 1);
      CHECK(d.feed(std::string_view(wire).substr(pos, n), &out) == n);
      pos += n;
    }
    CHECK(d.done());
    CHECK(out == body);
  }
}

TEST_CASE("http1: response heads frame the body as asked") {
  HeaderList h = {{"Content-Type", "text/event-stream"}, {"X-Request-Id", "r1"}};
  CHECK(response_head(200, "OK", h, Framing::kChunked, std::nullopt, false) ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Request-Id: r1\r\n"
        "Transfer-Encoding: chunked\r\n\r\n");
  CHECK(response_head(402, "", {}, Framing::kLength, 17, true) ==
        "HTTP/1.1 402 Payment Required\r\nContent-Length: 17\r\nConnection: close\r\n\r\n");
  CHECK(response_head(204, "", {}, Framing::kNone, std::nullopt, false) ==
        "HTTP/1.1 204 No Content\r\n\r\n");
  CHECK(response_head(200, "OK", {}, Framing::kClose, std::nullopt, false) ==
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
  std::string chunk;
  append_chunk(&chunk, std::string(26, 'z'));
  CHECK(chunk == "1a\r\n" + std::string(26, 'z') + "\r\n");
  append_chunk(&chunk, "");
  CHECK(chunk.size() == 4 + 26 + 2);  // an empty write never ends the body early
}

TEST_CASE("http1: the gateway's head lines are checked as strictly as a request's") {
  using Kind = ResponseLine::Kind;
  auto status = parse_response_line("HTTP/1.1 404 Not Found\r\n");
  CHECK(status.kind == Kind::kStatus);
  CHECK(status.status == 404);
  CHECK(status.reason == "Not Found");
  CHECK(parse_response_line("HTTP/1.0 200\r\n").kind == Kind::kStatus);
  auto field = parse_response_line("X-Request-Id:  req_1 \r\n");
  CHECK(field.kind == Kind::kField);
  CHECK(field.name == "X-Request-Id");
  CHECK(field.value == "req_1");
  CHECK(parse_response_line("\r\n").kind == Kind::kEnd);
  CHECK(parse_response_line("X: y\n").kind == Kind::kField);  // a bare LF ends a line too
  for (const std::string& bad : std::vector<std::string>{
           "HTTP/1.1 abc OK\r\n", "HTTP/1.1 999 Odd\r\n", "HTTP/1.1 20 OK\r\n", "HTTP/2 200\r\n",
           "HTTP/1.1 200 O\rK\r\n", "X-Bad: a\rb\r\n", std::string("X-Bad: a\0b\r\n", 11),
           "X-Bad : a\r\n", "X Bad: a\r\n", " folded\r\n", "garbage\r\n", "X: y"}) {
    CAPTURE(bad);
    auto r = parse_response_line(bad);
    CHECK(r.kind == Kind::kInvalid);
    CHECK_FALSE(r.problem.empty());
  }
}

TEST_CASE("http1: the gateway's framing must be unambiguous") {
  CHECK(response_framing({{"Content-Length", "5"}, {"content-length", "5, 5"}}).content_length ==
        5u);
  CHECK(response_framing({{"Transfer-Encoding", "chunked"}}).chunked);
  for (const HeaderList& bad : std::vector<HeaderList>{
           {{"Content-Length", "5"}, {"Content-Length", "6"}},
           {{"Content-Length", "-1"}},
           {{"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}},
           {{"Transfer-Encoding", "gzip, chunked"}},
           {{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}}) {
    CHECK_FALSE(response_framing(bad).problem.empty());
  }
}
