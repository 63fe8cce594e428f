// Benchmark (not a test): latency the local proxy adds per request and to the first streamed
// byte, against the same in-process upstream reached directly. Run: build/tests/lwgw_bench [N]
#include <httplib.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "lwgw/proxy/server.hpp"

using Clock = std::chrono::steady_clock;

namespace {
double us(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

struct Summary {
  double p50, p90, p99;
};
Summary summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
  return {at(0.5), at(0.9), at(0.99)};
}

// Time of each request (non-streamed JSON) and of the first byte of a stream, over keep-alive.
std::pair<std::vector<double>, std::vector<double>> measure(int port, int n,
                                                            const httplib::Headers& h) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_keep_alive(true);
  cli.set_tcp_nodelay(true);
  std::vector<double> plain, first;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    auto r = cli.Post("/v1/chat/completions", h, "{\"model\":\"m\"}", "application/json");
    auto t1 = Clock::now();
    if (r && r->status == 200) plain.push_back(us(t0, t1));
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/messages";
    req.headers = h;
    req.body = "{\"stream\":true}";
    Clock::time_point got{};
    req.content_receiver = [&](const char*, size_t, uint64_t, uint64_t) {
      if (got == Clock::time_point{}) got = Clock::now();
      return true;
    };
    auto s0 = Clock::now();
    auto sr = cli.send(req);
    if (sr && sr->status == 200 && got != Clock::time_point{}) first.push_back(us(s0, got));
  }
  return {plain, first};
}
}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  httplib::Server up;
  up.set_tcp_nodelay(true);
  up.Post("/v1/chat/completions", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"id\":\"c\",\"choices\":[{\"message\":{\"content\":\"hi\"}}]}",
                    "application/json");
  });
  up.Post("/v1/messages", [](const httplib::Request& req, httplib::Response& res) {
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    res.set_chunked_content_provider("text/event-stream", [](size_t, httplib::DataSink& sink) {
      std::string e = "event: message_start\ndata: {}\n\n";
      sink.write(e.data(), e.size());
      sink.done();
      return true;
    });
  });
  int up_port = up.bind_to_any_port("127.0.0.1");
  std::thread ut([&] { up.listen_after_bind(); });

  lwgw::proxy::Settings s;
  s.listen_port = 0;
  s.gateway_url = "http://127.0.0.1:" + std::to_string(up_port);
  const std::string token = "lwgw_lt_BenchBenchBenchBenchBenchBenchBenchBench012";
  lwgw::proxy::Server proxy(s, {"vk-lw-01HZX9N0BENCHBENCHBENCHBENC", token}, nullptr);
  int px_port = proxy.bind();
  std::thread pt([&] { proxy.run(); });

  measure(up_port, 50, {});  // warm up both paths
  measure(px_port, 50, {{"Authorization", "Bearer " + token}});
  auto [d_plain, d_first] = measure(up_port, n, {});
  auto [p_plain, p_first] = measure(px_port, n, {{"Authorization", "Bearer " + token}});
  auto dp = summarize(d_plain), pp = summarize(p_plain), df = summarize(d_first),
       pf = summarize(p_first);
  std::printf("lwgw proxy benchmark: %d requests each, loopback, keep-alive, in-process upstream\n",
              n);
  std::printf("%-28s %10s %10s %10s\n", "", "p50 us", "p90 us", "p99 us");
  std::printf("%-28s %10.1f %10.1f %10.1f\n", "request, direct", dp.p50, dp.p90, dp.p99);
  std::printf("%-28s %10.1f %10.1f %10.1f\n", "request, via proxy", pp.p50, pp.p90, pp.p99);
  std::printf("%-28s %10.1f %10.1f %10.1f\n", "added per request", pp.p50 - dp.p50, pp.p90 - dp.p90,
              pp.p99 - dp.p99);
  std::printf("%-28s %10.1f %10.1f %10.1f\n", "first byte, direct", df.p50, df.p90, df.p99);
  std::printf("%-28s %10.1f %10.1f %10.1f\n", "first byte, via proxy", pf.p50, pf.p90, pf.p99);
  std::printf("%-28s %10.1f %10.1f %10.1f\n", "added to first byte", pf.p50 - df.p50,
              pf.p90 - df.p90, pf.p99 - df.p99);
  proxy.drain();
  pt.join();
  up.stop();
  ut.join();
  return 0;
}
