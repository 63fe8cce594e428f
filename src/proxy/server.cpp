// The local proxy's server: cpp-httplib for the client side (with our own per-connection loop so
// each handler knows its socket), libcurl for the gateway side, nothing that can throw across.
#include "lwgw/proxy/server.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "lwgw/build_info.hpp"
#include "lwgw/config.hpp"
#include "lwgw/error.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/http_client.hpp"
#include "lwgw/proxy/rules.hpp"
#include "upstream.hpp"

namespace lwgw::proxy {

namespace {

using Clock = std::chrono::steady_clock;

// The connection being served by this worker thread (set by our connection loop).
thread_local int t_client_fd = -1;
thread_local bool t_overloaded = false;
thread_local bool t_replied =
    false;  // the handler produced the response (error handler: hands off)

constexpr const char* kRenamedPrefix = "X-Lwgw-Orig-";

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// A client connection as an httplib::Stream, with a read buffer and poll()-based timeouts.
class ClientStream : public httplib::Stream {
 public:
  ClientStream(int fd, int read_timeout_ms, int write_timeout_ms)
      : fd_(fd), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {}

  bool buffered() const { return off_ < len_; }

  bool is_readable() const override {
    if (off_ < len_) return true;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, read_timeout_ms_) > 0;
  }
  bool is_writable() const override {
    pollfd p{fd_, POLLOUT | POLLRDHUP, 0};
    if (::poll(&p, 1, write_timeout_ms_) <= 0) return false;
    return !(p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) && (p.revents & POLLOUT);
  }
  ssize_t read(char* ptr, size_t size) override {
    if (off_ < len_) {
      size_t n = std::min(size, len_ - off_);
      std::memcpy(ptr, buf_ + off_, n);
      off_ += n;
      return static_cast<ssize_t>(n);
    }
    if (!is_readable()) return -1;
    ssize_t n;
    do n = ::recv(fd_, buf_, sizeof buf_, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0) return n;
    len_ = static_cast<size_t>(n);
    off_ = 0;
    return read(ptr, size);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { addr(false, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { addr(true, ip, port); }
  int socket() const override { return fd_; }

 private:
  void addr(bool local, std::string& ip, int& port) const {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int rc = local ? ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len)
                   : ::getpeername(fd_, reinterpret_cast<sockaddr*>(&ss), &len);
    if (rc != 0) return;
    char buf[INET6_ADDRSTRLEN] = {0};
    if (ss.ss_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      ::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
      port = ntohs(a->sin_port);
    } else if (ss.ss_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      ::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
      port = ntohs(a->sin6_port);
    }
    ip = buf;
  }
  int fd_;
  int read_timeout_ms_;
  int write_timeout_ms_;
  char buf_[16384];
  size_t off_ = 0;
  size_t len_ = 0;
};

}  // namespace

// httplib::Server with our own connection loop: it records the socket for the handler (so a
// client that leaves aborts the upstream transfer) and answers beyond max_connections with 503.
class HttpServer : public httplib::Server {
 public:
  explicit HttpServer(lwgw::proxy::Server::Impl& impl) : impl_(impl) {}
  using httplib::Server::process_request;

 private:
  bool process_and_close_socket(socket_t sock) override;
  lwgw::proxy::Server::Impl& impl_;
};

struct Server::Impl {
  Impl(Settings s, Secrets sec, LogFn l)
      : settings(std::move(s)),
        live(std::make_shared<const Settings>(settings)),
        secrets(std::move(sec)),
        log(std::move(l)),
        http(*this) {}

  Settings settings;  // as started: listen address, connection limits
  mutable std::mutex live_mutex;
  std::shared_ptr<const Settings> live;  // reloadable: gateway, token policy, limits, origins
  mutable std::mutex secrets_mutex;
  Secrets secrets;
  LogFn log;
  HttpServer http;
  HandlePool pool;
  Clock::time_point started = Clock::now();
  std::atomic<int> connections{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> inflight{0};
  std::atomic<bool> draining{false};
  std::atomic<bool> cut{false};
  mutable std::mutex events_mutex;
  std::string last_error;
  std::string budget_warning;
  std::set<std::string> warned_budgets;
  std::thread drain_thread;
  std::mutex drain_mutex;
  std::condition_variable drain_cv;
  int listen_fd = -1;

  Secrets current_secrets() const {
    std::lock_guard<std::mutex> lock(secrets_mutex);
    return secrets;
  }

  void emit(const nlohmann::json& line) {
    if (!log) return;
    try {
      log(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } catch (...) {
    }
  }

  void note_error(int status, const std::string& code) {
    std::lock_guard<std::mutex> lock(events_mutex);
    last_error = utc_now_iso() + " " + std::to_string(status) + " " + code;
  }

  void note_budget(const std::string& value) {
    bool first = false;
    {
      std::lock_guard<std::mutex> lock(events_mutex);
      budget_warning = value;
      first = warned_budgets.insert(value).second;
    }
    if (first)
      emit({{"ts", utc_now_iso()},
            {"level", "warn"},
            {"msg", "budget_warning"},
            {"budget", value},
            {"hint", "a gateway budget is at or above 80%"}});
  }

  void reply_error(httplib::Response& res, const std::string& path, int status,
                   const std::string& code, const std::string& message) {
    res.status = status;
    res.set_header("X-Lwgw-Error", code);
    res.set_content(error_body(dialect_for_path(path), status, code, message), "application/json");
    t_replied = true;
    if (status >= 400) note_error(status, code);
  }

  void handle(const httplib::Request& req, httplib::Response& res) noexcept;
  void forward(httplib::Request& req, httplib::Response& res, const std::string& path, Route route,
               Clock::time_point start, const Settings& cfg);

  std::shared_ptr<const Settings> live_settings() const {
    std::lock_guard<std::mutex> lock(live_mutex);
    return live;
  }
};

// A request in flight: counts it and writes its log line when the response is finished.
struct RequestRecord {
  RequestRecord(Server::Impl& i, std::string m, std::string p, std::string c)
      : impl(i), method(std::move(m)), path(std::move(p)), client(std::move(c)) {
    ++impl.inflight;
  }
  ~RequestRecord() {
    --impl.inflight;
    nlohmann::json line = {{"ts", utc_now_iso()},
                           {"level", "info"},
                           {"msg", "request"},
                           {"method", method},
                           {"path", path},
                           {"status", status},
                           {"duration_ms", static_cast<std::int64_t>(ms_since(start))},
                           {"ttfb_ms", static_cast<std::int64_t>(ttfb_ms)},
                           {"bytes_in", bytes_in},
                           {"bytes_out", transfer ? transfer->bytes_out() : bytes_out},
                           {"stream", stream},
                           {"client", client}};
    if (!request_id.empty()) line["request_id"] = request_id;
    if (!budget.empty()) line["budget_warning"] = budget;
    if (!outcome.empty()) line["outcome"] = outcome;
    impl.emit(line);
  }
  Server::Impl& impl;
  Clock::time_point start = Clock::now();
  std::string method, path, client, request_id, budget, outcome;
  int status = 0;
  double ttfb_ms = 0;
  std::uint64_t bytes_in = 0, bytes_out = 0;
  bool stream = false;
  std::shared_ptr<Transfer> transfer;
};

bool HttpServer::process_and_close_socket(socket_t sock) {
  struct Count {
    std::atomic<int>& n;
    int value;
    explicit Count(std::atomic<int>& c) : n(c), value(++c) {}
    ~Count() { --n; }
  } count(impl_.connections);
  t_client_fd = sock;
  t_overloaded = count.value > impl_.settings.max_connections;
  int one = 1;  // headers and body go out in separate writes: no Nagle delay between them
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ClientStream strm(sock, 30000, 60000);
  bool ok = true;
  for (int served = 0; served < 1000; ++served) {
    // Wait for the next request, up to the keep-alive timeout, leaving early when stopping.
    bool ready = strm.buffered();
    for (int waited = 0; !ready && waited < 15000 && !impl_.draining; waited += 100) {
      pollfd p{sock, POLLIN, 0};
      ready = ::poll(&p, 1, 100) > 0;
    }
    if (!ready) break;
    bool close = t_overloaded || impl_.draining || served == 999;
    bool closed = false;
    ok = process_request(strm, close, closed, nullptr);
    if (!ok || closed || close) break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  t_client_fd = -1;
  return ok;
}

void Server::Impl::handle(const httplib::Request& creq, httplib::Response& res) noexcept {
  try {
    // httplib hands us its own non-const Request; adjusting it keeps the response bytes exact.
    auto& req = const_cast<httplib::Request&>(creq);
    auto start = Clock::now();
    t_replied = false;
    const std::shared_ptr<const Settings> snapshot = live_settings();
    const Settings& cfg = *snapshot;
    // Undo the renames the pre-routing handler made so httplib would leave the body alone.
    std::vector<std::pair<std::string, std::string>> restored;
    for (auto it = req.headers.begin(); it != req.headers.end();) {
      if (it->first.size() > std::strlen(kRenamedPrefix) &&
          header_name_equals(it->first.substr(0, std::strlen(kRenamedPrefix)), kRenamedPrefix)) {
        restored.emplace_back(it->first.substr(std::strlen(kRenamedPrefix)), it->second);
        it = req.headers.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& kv : restored) req.headers.emplace(kv.first, kv.second);
    req.ranges.clear();

    const std::string path(path_of(req.target));
    const Route route = route_for_path(path);
    const std::string extra_host = cfg.allow_remote ? cfg.listen_host : "";
    if (!host_allowed(req.get_header_value("Host"), extra_host))
      return reply_error(res, path, 403, "lwgw_host_refused",
                         "lwgw: refused a request for Host '" + req.get_header_value("Host") +
                             "': the local proxy only answers 127.0.0.1, localhost or [::1] "
                             "(DNS-rebinding protection)");
    if (req.has_header("Origin")) {
      const auto origin = req.get_header_value("Origin");
      const auto& allowed = cfg.allowed_origins;
      if (std::find(allowed.begin(), allowed.end(), origin) == allowed.end())
        return reply_error(res, path, 403, "lwgw_origin_refused",
                           "lwgw: refused a request from a web page (Origin " + origin +
                               "); allow it with `lwgw config set proxy.allowed_origins " + origin +
                               "` only if you trust it");
    }
    switch (route) {
      case Route::kOwnHealth: {
        nlohmann::json doc = {{"status", draining ? "draining" : "ok"},
                              {"version", build::kVersion},
                              {"uptime_s", ms_since(started) / 1000.0},
                              {"gateway", cfg.gateway_url}};
        res.set_content(doc.dump() + "\n", "application/json");
        t_replied = true;
        return;
      }
      case Route::kOwnStatus: {
        std::lock_guard<std::mutex> lock(events_mutex);
        nlohmann::json doc = {
            {"running", true},
            {"status", draining ? "draining" : "ok"},
            {"pid", static_cast<int>(::getpid())},
            {"listen", cfg.listen_host + ":" + std::to_string(cfg.listen_port)},
            {"gateway", cfg.gateway_url},
            {"version", build::kVersion},
            {"uptime_s", ms_since(started) / 1000.0},
            {"requests", requests.load()},
            {"inflight", inflight.load()},
            {"connections", connections.load()},
            {"last_error",
             last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(last_error)},
            {"budget_warning",
             budget_warning.empty() ? nlohmann::json(nullptr) : nlohmann::json(budget_warning)}};
        res.set_content(doc.dump() + "\n", "application/json");
        t_replied = true;
        return;
      }
      case Route::kNotFound:
        return reply_error(res, path, 404, "lwgw_not_found",
                           "lwgw: the local proxy forwards /v1/… and /v1beta/… to the gateway; " +
                               path + " is not one of them");
      case Route::kForward:
      case Route::kProbe:
        return forward(req, res, path, route, start, cfg);
    }
  } catch (...) {
    res.status = 500;
    res.set_content(error_body(Dialect::kOpenAI, 500, "lwgw_internal",
                               "lwgw: internal error in the local proxy; see `lwgw logs`"),
                    "application/json");
    t_replied = true;
  }
}

void Server::Impl::forward(httplib::Request& req, httplib::Response& res, const std::string& path,
                           Route route, Clock::time_point start, const Settings& cfg) {
  ++requests;
  auto record = std::make_shared<RequestRecord>(*this, req.method, path,
                                                client_name(req.get_header_value("User-Agent")));
  record->start = start;
  record->bytes_in = req.body.size();

  if (req.body.size() > cfg.max_body_bytes) {
    record->status = 413;
    return reply_error(res, path, 413, "lwgw_payload_too_large",
                       "lwgw: request body of " + std::to_string(req.body.size() >> 20) +
                           " MiB is larger than proxy.max_body_mib (" +
                           std::to_string(cfg.max_body_bytes >> 20) +
                           " MiB); raise it with `lwgw config set proxy.max_body_mib N`");
  }

  HeaderList client;
  for (const auto& [k, v] : req.headers) client.emplace_back(k, v);
  // Forwarded as the client sent it; removed here so httplib never compresses the response.
  req.headers.erase("Accept-Encoding");

  const ClientCredential cred = find_client_credential(client, req.target);
  std::string vk;
  if (route == Route::kForward) {
    const Secrets s = current_secrets();
    if (cfg.require_local_token &&
        (s.local_token.empty() || !constant_time_equals(cred.value, s.local_token))) {
      record->status = 401;
      return reply_error(
          res, path, 401, "lwgw_local_token",
          std::string("lwgw: ") +
              (cred.place == CredentialPlace::kNone
                   ? "no local token was sent"
                   : "the local token sent is not this machine's") +
              "; run `lwgw setup <cli>` (or `eval \"$(lwgw env)\"`) so the CLI uses it");
    }
    if (s.vk.empty()) {
      record->status = 401;
      return reply_error(res, path, 401, "lwgw_not_logged_in",
                         "lwgw: no virtual key is configured; run `lwgw login`");
    }
    vk = s.vk;
  }

  UpstreamRequest up;
  up.method = req.method;
  up.url = http::join_url(cfg.gateway_url, strip_query_key(req.target));
  up.headers = upstream_request_headers(client, cred.place, vk);
  up.body = std::move(req.body);
  up.connect_timeout_s = cfg.connect_timeout_s;
  up.idle_timeout_s = cfg.idle_timeout_s;
  up.ca_file = cfg.ca_file;
  auto t = std::make_shared<Transfer>(pool, std::move(up), t_client_fd, cut, cfg.env);
  record->transfer = t;

  if (!t->wait_for_headers()) {
    record->status = 499;
    record->outcome = t->client_gone() ? "client_closed" : "cut_by_drain";
    res.status = 503;
    t_replied = true;
    return;
  }
  if (!t->headers_done()) {
    CURLcode rc = t->result();
    std::string why = curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      record->status = 504;
      return reply_error(res, path, 504, "lwgw_gateway_timeout",
                         "lwgw: the gateway at " + cfg.gateway_url + " did not answer in time (" +
                             why + "); check gateway.url and your network");
    }
    std::string hint = "check gateway.url, your network, or HTTPS_PROXY";
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
        rc == CURLE_SSL_CACERT_BADFILE)
      hint = "for a TLS-intercepting corporate proxy set gateway.ca_file to its CA bundle";
    record->status = 502;
    return reply_error(
        res, path, 502, "lwgw_gateway_unreachable",
        "lwgw: cannot reach the gateway at " + cfg.gateway_url + " (" + why + "); " + hint);
  }

  res.status = static_cast<int>(t->status());
  record->status = res.status;
  record->ttfb_ms = t->ttfb_ms();
  record->request_id = t->header("X-Request-Id");
  if (record->request_id.empty()) record->request_id = t->header("X-Langwatch-Request-Id");
  const std::string budget = t->header("X-Langwatch-Budget-Warning");
  if (!budget.empty()) {
    record->budget = budget;
    note_budget(budget);
  }
  if (res.status >= 400) {
    std::string code = t->header("X-Langwatch-Handled-Error");
    note_error(res.status, code.empty() ? "upstream" : code);
  }
  const std::string content_type = t->header("Content-Type");
  const std::string content_length = t->header("Content-Length");
  for (auto& [k, v] : downstream_response_headers(t->headers()))
    if (!header_name_equals(k, "content-type")) res.headers.emplace(k, v);
  record->stream = content_type.find("event-stream") != std::string::npos ||
                   path.find(":streamGenerateContent") != std::string::npos;
  t_replied = true;

  const bool no_body = req.method == "HEAD" || res.status == 204 || res.status == 304 ||
                       (res.status >= 100 && res.status < 200);
  if (no_body || content_length == "0") {
    if (!content_type.empty()) res.set_header("Content-Type", content_type);
    if (!content_length.empty()) res.set_header("Content-Length", content_length);
    return;
  }
  std::weak_ptr<RequestRecord> weak_record = record;
  auto provide = [t, record](httplib::DataSink& sink) noexcept -> bool {
    try {
      BodyWriter write = [&sink](const char* d, size_t n) { return n == 0 || sink.write(d, n); };
      bool ok = t->stream_body(write);
      if (!ok) record->outcome = t->client_gone() ? "client_closed" : "upstream_interrupted";
      return ok;
    } catch (...) {
      return false;
    }
  };
  char* end = nullptr;
  unsigned long long length =
      content_length.empty() ? 0 : std::strtoull(content_length.c_str(), &end, 10);
  if (!content_length.empty() && end && *end == '\0' && length > 0) {
    res.set_content_provider(
        static_cast<size_t>(length), content_type,
        [provide](size_t, size_t, httplib::DataSink& sink) { return provide(sink); });
  } else {
    res.set_chunked_content_provider(content_type, [provide](size_t, httplib::DataSink& sink) {
      if (!provide(sink)) return false;
      sink.done();
      return true;
    });
  }
}

Server::Server(Settings settings, Secrets secrets, LogFn log)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(secrets), std::move(log))) {
  http::global_init();
  auto& svr = impl_->http;
  Impl* impl = impl_.get();
  const int threads = impl->settings.max_connections + 32;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  svr.set_keep_alive_max_count(1000);
  svr.set_keep_alive_timeout(15);
  svr.set_payload_max_length(impl->settings.max_body_bytes);
  svr.set_socket_options([impl](socket_t fd) {
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // no SO_REUSEPORT: one owner
    impl->listen_fd = fd;
  });
  svr.set_pre_routing_handler([impl](const httplib::Request& creq, httplib::Response& res) {
    auto& req = const_cast<httplib::Request&>(creq);
    t_replied = false;
    if (t_overloaded) {
      impl->reply_error(res, std::string(path_of(req.target)), 503, "lwgw_overloaded",
                        "lwgw: the local proxy is at proxy.max_connections (" +
                            std::to_string(impl->settings.max_connections) + "); retry shortly");
      return httplib::Server::HandlerResponse::Handled;
    }
    // Keep httplib from decoding compressed bodies or parsing forms: the bytes go upstream as sent.
    for (const char* name : {"Content-Encoding", "Content-Type"}) {
      auto it = req.headers.find(name);
      if (it == req.headers.end()) continue;
      std::string value = it->second;
      req.headers.erase(it);
      req.headers.emplace(std::string(kRenamedPrefix) + name, value);
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  auto handler = [impl](const httplib::Request& req, httplib::Response& res) {
    impl->handle(req, res);
  };
  svr.Get(".*", handler);
  svr.Post(".*", handler);
  svr.Put(".*", handler);
  svr.Patch(".*", handler);
  svr.Delete(".*", handler);
  svr.Options(".*", handler);
  svr.set_error_handler(httplib::Server::HandlerWithResponse(
      [impl](const httplib::Request& req, httplib::Response& res) {
        if (t_replied) return httplib::Server::HandlerResponse::Unhandled;
        std::string path(path_of(req.target));
        if (res.status == 413)
          impl->reply_error(res, path, 413, "lwgw_payload_too_large",
                            "lwgw: request body larger than proxy.max_body_mib (" +
                                std::to_string(impl->settings.max_body_bytes >> 20) +
                                " MiB); raise it with `lwgw config set proxy.max_body_mib N`");
        else
          impl->reply_error(res, path, res.status, "lwgw_bad_request",
                            "lwgw: the local proxy could not read this request (HTTP " +
                                std::to_string(res.status) + ")");
        return httplib::Server::HandlerResponse::Handled;
      }));
  svr.set_exception_handler(
      [impl](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
        res.headers.clear();
        impl->reply_error(res, std::string(path_of(req.target)), 500, "lwgw_internal",
                          "lwgw: internal error in the local proxy; see `lwgw logs`");
      });
}

Server::~Server() {
  drain();
  if (impl_->drain_thread.joinable()) impl_->drain_thread.join();
}

int Server::bind() {
  auto& s = impl_->settings;
  if (!s.allow_remote && !is_loopback_host(s.listen_host))
    throw failure("proxy.listen " + s.listen_host + ":" + std::to_string(s.listen_port) +
                  " is not a loopback address; the proxy holds your key, so it listens on "
                  "127.0.0.1, ::1 or localhost unless proxy.allow_remote = true");
  if (s.allow_remote && (!s.require_local_token || impl_->current_secrets().local_token.empty()))
    throw config_error(
        "proxy.allow_remote needs proxy.require_local_token = true and a local token (run `lwgw "
        "login`)");
  auto& svr = impl_->http;
  errno = 0;
  if (s.listen_port == 0) {
    port_ = svr.bind_to_any_port(s.listen_host);
  } else {
    port_ = svr.bind_to_port(s.listen_host, s.listen_port) ? s.listen_port : -1;
  }
  if (port_ <= 0) {
    int e = errno;
    throw failure("cannot listen on " + s.listen_host + ":" + std::to_string(s.listen_port) + ": " +
                  (e == EADDRINUSE || e == 0 ? std::string("address already in use")
                                             : std::string(std::strerror(e))) +
                  " (is another lwgw or program using it? change it with `lwgw config set "
                  "proxy.listen 127.0.0.1:PORT`)");
  }
  s.listen_port = port_;
  {
    std::lock_guard<std::mutex> lock(impl_->live_mutex);
    auto live = std::make_shared<Settings>(*impl_->live);
    live->listen_port = port_;
    impl_->live = std::move(live);
  }
  if (impl_->listen_fd >= 0) ::listen(impl_->listen_fd, 1024);  // httplib's backlog is 5
  return port_;
}

void Server::run() {
  running_ = true;
  impl_->emit({{"ts", utc_now_iso()},
               {"level", "info"},
               {"msg", "lwgw_listening"},
               {"listen", impl_->settings.listen_host + ":" + std::to_string(port_)},
               {"gateway", impl_->settings.gateway_url},
               {"pid", static_cast<int>(::getpid())}});
  impl_->http.listen_after_bind();
  running_ = false;
  impl_->cut = true;
  impl_->drain_cv.notify_all();
  impl_->emit({{"ts", utc_now_iso()},
               {"level", "info"},
               {"msg", "lwgw_stopped"},
               {"requests", impl_->requests.load()}});
}

void Server::drain() {
  if (impl_->draining.exchange(true)) return;
  Impl* impl = impl_.get();
  impl->emit({{"ts", utc_now_iso()},
              {"level", "info"},
              {"msg", "lwgw_draining"},
              {"inflight", impl->inflight.load()},
              {"drain_timeout_s", impl->settings.drain_timeout_s}});
  impl->http.stop();
  impl->drain_thread = std::thread([impl] {
    std::unique_lock<std::mutex> lock(impl->drain_mutex);
    auto deadline = Clock::now() + std::chrono::seconds(impl->settings.drain_timeout_s);
    while (impl->inflight.load() > 0 && !impl->cut && Clock::now() < deadline)
      impl->drain_cv.wait_for(lock, std::chrono::milliseconds(100));
    if (impl->inflight.load() > 0 && !impl->cut) {
      impl->emit({{"ts", utc_now_iso()},
                  {"level", "warn"},
                  {"msg", "lwgw_drain_timeout"},
                  {"cut", impl->inflight.load()},
                  {"hint", "in-flight requests were cut after proxy.drain_timeout_s"}});
      impl->cut = true;
    }
  });
}

void Server::reload_settings(Settings next) {
  next.listen_host = impl_->settings.listen_host;  // the address needs a restart
  next.listen_port = impl_->settings.listen_port;
  next.allow_remote = impl_->settings.allow_remote;
  next.max_connections = impl_->settings.max_connections;
  next.max_body_bytes = std::min(next.max_body_bytes, impl_->settings.max_body_bytes);
  if (next.allow_remote) next.require_local_token = true;
  std::lock_guard<std::mutex> lock(impl_->live_mutex);
  impl_->live = std::make_shared<const Settings>(std::move(next));
}

void Server::set_secrets(Secrets secrets) {
  std::lock_guard<std::mutex> lock(impl_->secrets_mutex);
  impl_->secrets = std::move(secrets);
}

Stats Server::stats() const {
  Stats s;
  s.requests = impl_->requests.load();
  s.inflight = impl_->inflight.load();
  s.uptime_s = ms_since(impl_->started) / 1000.0;
  s.draining = impl_->draining.load();
  std::lock_guard<std::mutex> lock(impl_->events_mutex);
  s.last_error = impl_->last_error;
  s.budget_warning = impl_->budget_warning;
  return s;
}

std::string log_line(const std::string& level, const std::string& msg,
                     const std::vector<std::pair<std::string, std::string>>& fields) {
  nlohmann::json line = {{"ts", utc_now_iso()}, {"level", level}, {"msg", msg}};
  for (const auto& [k, v] : fields) line[k] = v;
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace lwgw::proxy
