// The local proxy on one libevent loop: the listener, client connections speaking HTTP/1.1 (our
// own small layer, see ARCHITECTURE.md), one exchange per request between a connection and a
// libcurl transfer, the graceful drain, and the loop events for signals and watched files.
#include "lwgw/proxy/server.hpp"
#include "lwgw/util/clock.hpp"
#include "lwgw/util/compat.hpp"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_set>

#include "access_log.hpp"
#include "lwgw/build_info.hpp"
#include "lwgw/config.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/http_client.hpp"
#include "lwgw/proxy/http1.hpp"
#include "lwgw/proxy/model_scan.hpp"
#include "lwgw/proxy/policy.hpp"
#include "lwgw/util/text.hpp"
#include "upstream.hpp"

namespace lwgw::proxy {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 256 * 1024;     // bytes read from a client per event
constexpr std::size_t kPauseAbove = 256 * 1024;    // queued client output that pauses upstream
constexpr std::size_t kPipelineLimit = 64 * 1024;  // input held while a response is in flight
constexpr int kKeepAliveS = 15;                    // idle connection between requests
constexpr int kReadTimeoutS = 30;                  // silence inside a request head or body
constexpr int kDiscardS = 10;                      // reading an unwanted body before closing
constexpr int kFlushS = 30;                        // flushing a last response before closing
constexpr int kHardConnectionMargin = 256;         // beyond the limit + this: closed unanswered

using util::ms_since;

timeval seconds(int s) {
  return timeval{s, 0};
}

// A random status key when none was given (192 bits in base64url characters).
Secrets with_status_key(Secrets sec) {
  if (!sec.status_key.empty()) return sec;
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) throw failure("could not generate a random status key");
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  sec.status_key = "lwgw_sk_";
  for (unsigned char b : raw) sec.status_key += kAlphabet[b & 63];
  return sec;
}

std::string host_port(const std::string& host, int port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

}  // namespace

struct Connection;

// ---------------------------------------------------------------------------------------------
// The server's state, all of it owned by the loop thread except where a mutex or atomic says so.
struct Server::Impl {
  Impl(Settings s, Secrets sec, LogFn l);
  ~Impl();

  Settings settings;  // as started: listen address, connection limit
  mutable std::mutex live_mutex;
  std::shared_ptr<const Settings> live;  // reloadable
  mutable std::mutex secrets_mutex;
  std::shared_ptr<const Secrets> secrets;
  LogFn log;

  event_base* base = nullptr;
  std::unique_ptr<Upstream> upstream;
  evconnlistener* listener = nullptr;
  int listen_fd = -1;
  std::unordered_set<Connection*> conns;
  std::vector<Connection*> graveyard;
  event* reaper = nullptr;
  int wake_fds[2] = {-1, -1};
  event* wake = nullptr;
  event* drain_timer = nullptr;
  std::vector<std::pair<int, std::function<void()>>> signal_handlers;
  std::vector<event*> signal_events;
  std::vector<std::filesystem::path> watched_files;
  std::function<void()> on_files;
  int inotify_fd = -1;
  event* watch_event = nullptr;
  std::string watch_stamp;
  std::vector<Connection*> corked;  // connections holding a response head (see uncork())
  std::vector<char> read_buf = std::vector<char>(kReadChunk);

  Clock::time_point started = Clock::now();
  std::atomic<bool> drain_requested{false};
  std::atomic<bool> draining{false};
  std::atomic<int> connections{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> inflight{0};
  mutable std::mutex events_mutex;
  std::string last_error;
  std::string budget_warning;
  std::set<std::string> warned_budgets;

  std::shared_ptr<const Settings> live_settings() const {
    std::lock_guard<std::mutex> lock(live_mutex);
    return live;
  }
  std::shared_ptr<const Secrets> current_secrets() const {
    std::lock_guard<std::mutex> lock(secrets_mutex);
    return secrets;
  }

  /// utc_now_iso(), formatted once per second (the access log asks for it on every request).
  const std::string& timestamp();
  std::time_t stamp_second = 0;
  std::string stamp_text;

  void emit(const nlohmann::json& line) noexcept;
  void emit_line(const std::string& line) noexcept;
  /// Records the last error for /_lwgw/status, stamped `ts` like its access-log line.
  void note_error(const std::string& ts, int status, const std::string& code);
  void note_budget(const std::string& value);
  std::string health_json() const;
  std::string status_json() const;

  void accept(evutil_socket_t fd);
  void bury(Connection* c);
  void start_drain();
  void cut_all();
  void maybe_stop();
  void start_watching();
  void files_changed();
  /// Sends the response heads still held back once libcurl has delivered what it had.
  void uncork();

  static void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* self);
  static void on_accept_error(evconnlistener*, void* self);
  static void on_reap(evutil_socket_t, short, void* self);
  static void on_wake(evutil_socket_t fd, short, void* self);
  static void on_drain_timeout(evutil_socket_t, short, void* self);
  static void on_signal_event(evutil_socket_t sig, short, void* self);
  static void on_watch_event(evutil_socket_t fd, short, void* self);
  void watch_event_fired(evutil_socket_t fd);
};

// ---------------------------------------------------------------------------------------------
// One request between a client connection and a gateway transfer:
//   awaiting_headers → streaming → done | aborted | cut
// The access log line is written once, on the transition to a final state.
enum class ExchangeState { kAwaitingHeaders, kStreaming, kDone, kAborted, kCut };

struct Exchange final : TransferSink {
  Exchange(Connection& c, AccessRecord r, Clock::time_point t0)
      : conn(c), record(std::move(r)), start(t0) {}
  bool on_head() override;
  std::size_t on_data(const char* data, std::size_t n) override;
  void on_done(CURLcode code) override;
  /// The lwgw error for a transfer that ended before the gateway's response head: an invalid
  /// response (502 lwgw_bad_upstream_response), a target libcurl refused (400), or unreachable.
  Decision failed_before_head(CURLcode code) const;
  /// proxy.response_timeout_s passed before the gateway's response headers: a 504.
  void on_response_timeout();
  /// Ends the exchange in a final state: frees the transfer and writes the log line.
  void end(ExchangeState final_state, const std::string& outcome);

  Connection& conn;
  AccessRecord record;
  Clock::time_point start;
  Transfer* transfer = nullptr;
  ExchangeState state = ExchangeState::kAwaitingHeaders;
  http1::Framing framing = http1::Framing::kNone;
};

// ---------------------------------------------------------------------------------------------
// A client connection: reads requests one at a time (pipelined bytes wait), writes responses
// straight to the socket when it can and queues the rest, with backpressure to the upstream.
struct Connection {
  enum class Phase { kIdle, kHead, kBody, kUpstream, kDiscard, kClosing };

  Connection(Server::Impl& s, evutil_socket_t socket, bool over);
  ~Connection();

  void on_readable();
  void on_writable();
  void on_timeout();
  /// Parses and acts on buffered input until it needs more bytes or a response is in flight.
  void process();
  std::size_t consume(std::string_view in);
  std::size_t consume_head(std::string_view in);
  std::size_t consume_body(std::string_view in);
  void begin_request(http1::RequestHead&& head);
  void start_exchange();
  /// Answers locally (a refusal or an own route); closes afterwards when `close` or required.
  /// With `discard`, the rest of the request body is read and dropped first (so the client,
  /// still sending, is not reset before it reads the answer), then the connection closes.
  void reply(const Decision& d, bool close, bool discard = false);
  /// The access-log line of a request answered locally (a refusal, or GET/HEAD /); a refusal
  /// that reached the client also becomes the last error, with the same time stamp.
  void log_reply(const Decision& d, int status, std::uint64_t bytes_out,
                 const std::string& outcome = "");
  /// The current response is complete: next request, or close.
  void response_done(bool must_close);
  /// Writes bytes (several pieces in order). False when the client is gone.
  bool write(std::initializer_list<std::string_view> parts);
  bool flush();
  std::size_t queued() const { return out ? evbuffer_get_length(out) : 0; }
  void arm(int secs);
  void disarm();
  void close_after_flush();
  /// Aborts the exchange in flight (if any) with `state`/`outcome`, then closes.
  void abort(ExchangeState state, const std::string& outcome);
  void close();

  Server::Impl& srv;
  evutil_socket_t fd;
  event* rev = nullptr;
  event* wev = nullptr;
  event* timer = nullptr;
  evbuffer* out = nullptr;
  std::string pending;           // input not yet parsed
  std::size_t head_scanned = 0;  // bytes of an incomplete head at pending's start searched
  std::string corked;            // a response head held back to leave with the first body bytes
  Phase phase = Phase::kIdle;
  bool overloaded = false;
  bool close_after = false;
  bool broken = false;  // a write failed: the client is gone
  bool closed = false;
  bool reading = true;
  int armed_for = 0;

  // The request being read or served.
  http1::RequestHead head;
  Clock::time_point request_start;
  Decision decision;  // what begin_request() decided for it
  http1::BodyDecoder body;
  std::string body_bytes;
  bool keep_body = false;            // forwarding: collect the body; else it is read and dropped
  std::optional<Decision> deferred;  // a local answer given once the body has been read
  ModelScanner model_scan;           // the body's "model" for the log, from its first KiB
  std::uint64_t discard_left = 0;
  std::unique_ptr<Exchange> exchange;
};

namespace {
// The loop's entry points into a connection. Nothing may unwind into libevent: a failure that
// escapes the code below (it should not) costs that one connection, never the proxy.
template <typename Fn>
void guarded(Connection* conn, Fn fn) noexcept {
  Upstream& upstream = *conn->srv.upstream;
  try {
    fn();
    upstream.kick();  // a request read just now reaches the gateway in this turn of the loop
  } catch (...) {
    try {
      conn->srv.emit_line(log_line("error", "lwgw_internal_error",
                                   {{"hint", "a connection was closed after an internal error"}}));
      conn->abort(ExchangeState::kAborted, "internal_error");
    } catch (...) {
    }
  }
}

}  // namespace

// --- Impl ------------------------------------------------------------------------------------

Server::Impl::Impl(Settings s, Secrets sec, LogFn l)
    : settings(std::move(s)),
      live(std::make_shared<const Settings>(settings)),
      secrets(std::make_shared<const Secrets>(with_status_key(std::move(sec)))),
      log(std::move(l)) {
  http::global_init();
  event_config* cfg = event_config_new();
  // Timers need only millisecond precision; avoid a clock_gettime per event.
  event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
  base = event_base_new_with_config(cfg);
  event_config_free(cfg);
  if (!base) throw failure("cannot create the proxy's event loop");
  upstream = std::make_unique<Upstream>(base, [this] { uncork(); });
  reaper = event_new(base, -1, 0, on_reap, this);
  drain_timer = evtimer_new(base, on_drain_timeout, this);
  if (::pipe(wake_fds) != 0) throw failure("cannot create the proxy's wake-up pipe");
  for (int fd : wake_fds) {
    evutil_make_socket_nonblocking(fd);
    evutil_make_socket_closeonexec(fd);
  }
  wake = event_new(base, wake_fds[0], EV_READ | EV_PERSIST, on_wake, this);
  event_add(wake, nullptr);
}

Server::Impl::~Impl() {
  for (Connection* c : std::vector<Connection*>(conns.begin(), conns.end()))
    c->abort(ExchangeState::kCut, "cut_by_drain");
  for (Connection* c : graveyard) delete c;
  graveyard.clear();
  if (listener)
    evconnlistener_free(listener);
  else if (listen_fd >= 0)
    ::close(listen_fd);
  upstream.reset();
  for (event* e : signal_events) event_free(e);
  if (watch_event) event_free(watch_event);
  if (inotify_fd >= 0) ::close(inotify_fd);
  if (wake) event_free(wake);
  if (reaper) event_free(reaper);
  if (drain_timer) event_free(drain_timer);
  for (int fd : wake_fds)
    if (fd >= 0) ::close(fd);
  if (base) event_base_free(base);
}

const std::string& Server::Impl::timestamp() {
  std::time_t now = std::time(nullptr);
  if (now != stamp_second || stamp_text.empty()) {
    stamp_second = now;
    stamp_text = util::utc_now_iso();
  }
  return stamp_text;
}

void Server::Impl::emit_line(const std::string& line) noexcept {
  if (!log) return;
  try {
    log(line);
  } catch (...) {
  }
}

void Server::Impl::emit(const nlohmann::json& line) noexcept {
  try {
    emit_line(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } catch (...) {
  }
}

void Server::Impl::note_error(const std::string& ts, int status, const std::string& code) {
  std::lock_guard<std::mutex> lock(events_mutex);
  last_error = ts + " " + std::to_string(status) + " " + code;
}

void Server::Impl::note_budget(const std::string& value) {
  bool first = false;
  {
    std::lock_guard<std::mutex> lock(events_mutex);
    budget_warning = value;
    first = warned_budgets.insert(value).second;
  }
  if (first)
    emit({{"ts", util::utc_now_iso()},
          {"level", "warn"},
          {"msg", "budget_warning"},
          {"budget", value},
          {"hint", "a gateway budget is at or above 80%"}});
}

std::string Server::Impl::health_json() const {
  nlohmann::json doc = {{"status", draining ? "draining" : "ok"},
                        {"version", build::kVersion},
                        {"uptime_s", ms_since(started) / 1000.0},
                        {"gateway", live_settings()->gateway_url}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string Server::Impl::status_json() const {
  auto cfg = live_settings();
  std::lock_guard<std::mutex> lock(events_mutex);
  nlohmann::json doc = {
      {"running", true},
      {"status", draining ? "draining" : "ok"},
      {"pid", static_cast<int>(::getpid())},
      {"listen", host_port(cfg->listen_host, cfg->listen_port)},
      {"gateway", cfg->gateway_url},
      {"version", build::kVersion},
      {"uptime_s", ms_since(started) / 1000.0},
      {"requests", requests.load()},
      {"inflight", inflight.load()},
      {"connections", connections.load()},
      {"last_error", last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(last_error)},
      {"budget_warning",
       budget_warning.empty() ? nlohmann::json(nullptr) : nlohmann::json(budget_warning)}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void Server::Impl::on_accept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* self) {
  static_cast<Impl*>(self)->accept(fd);
}

void Server::Impl::accept(evutil_socket_t fd) {
  const int limit = settings.max_connections;
  if (draining || static_cast<int>(conns.size()) >= limit + kHardConnectionMargin) {
    ::close(fd);
    return;
  }
  int one = 1;  // a response head and its first bytes go out in separate writes: no Nagle delay
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  evutil_make_socket_closeonexec(fd);
  Connection* c = nullptr;
  try {
    c = new Connection(*this, fd, static_cast<int>(conns.size()) >= limit);
    conns.insert(c);
  } catch (...) {  // out of memory: refuse this one connection
    delete c;
    ::close(fd);
    return;
  }
  ++connections;
  guarded(c, [c] { c->on_readable(); });  // the request is usually there already
}

void Server::Impl::on_accept_error(evconnlistener*, void* self) {
  auto* impl = static_cast<Impl*>(self);
  int err = EVUTIL_SOCKET_ERROR();
  impl->emit({{"ts", util::utc_now_iso()},
              {"level", "error"},
              {"msg", "lwgw_accept_failed"},
              {"error", evutil_socket_error_to_string(err)}});
}

void Server::Impl::bury(Connection* c) {
  conns.erase(c);
  --connections;
  graveyard.push_back(c);
  event_active(reaper, EV_TIMEOUT, 0);
  maybe_stop();
}

void Server::Impl::on_reap(evutil_socket_t, short, void* self) {
  auto* impl = static_cast<Impl*>(self);
  for (Connection* c : impl->graveyard) delete c;
  impl->graveyard.clear();
}

void Server::Impl::on_wake(evutil_socket_t fd, short, void* self) {
  char buf[64];
  while (::read(fd, buf, sizeof buf) > 0) {
  }
  auto* impl = static_cast<Impl*>(self);
  try {
    if (impl->drain_requested) impl->start_drain();
  } catch (...) {
    event_base_loopexit(impl->base, nullptr);
  }
}

void Server::Impl::start_drain() {
  if (draining.exchange(true)) return;
  emit({{"ts", util::utc_now_iso()},
        {"level", "info"},
        {"msg", "lwgw_draining"},
        {"inflight", inflight.load()},
        {"drain_timeout_s", settings.drain_timeout_s}});
  if (listener) {
    evconnlistener_free(listener);  // closes the socket: new connections are refused
    listener = nullptr;
    listen_fd = -1;
  }
  for (Connection* c : std::vector<Connection*>(conns.begin(), conns.end())) {
    if (c->phase == Connection::Phase::kIdle && c->pending.empty())
      c->close();
    else
      c->close_after = true;
  }
  timeval tv = seconds(settings.drain_timeout_s);
  evtimer_add(drain_timer, &tv);
  maybe_stop();
}

void Server::Impl::maybe_stop() {
  if (draining && conns.empty()) event_base_loopexit(base, nullptr);
}

void Server::Impl::on_drain_timeout(evutil_socket_t, short, void* self) {
  auto* impl = static_cast<Impl*>(self);
  try {
    impl->cut_all();
  } catch (...) {
    event_base_loopexit(impl->base, nullptr);
  }
}

void Server::Impl::cut_all() {
  if (!conns.empty())
    emit({{"ts", util::utc_now_iso()},
          {"level", "warn"},
          {"msg", "lwgw_drain_timeout"},
          {"cut", inflight.load()},
          {"hint", "in-flight requests were cut after proxy.drain_timeout_s"}});
  for (Connection* c : std::vector<Connection*>(conns.begin(), conns.end()))
    c->abort(ExchangeState::kCut, "cut_by_drain");
  event_base_loopexit(base, nullptr);
}

void Server::Impl::on_signal_event(evutil_socket_t sig, short, void* self) {
  auto* impl = static_cast<Impl*>(self);
  for (auto& [signum, fn] : impl->signal_handlers) {
    if (signum != sig) continue;
    try {
      fn();
    } catch (...) {
    }
  }
}

namespace {
// A cheap change detector for platforms without inotify.
std::string stamp(const std::vector<std::filesystem::path>& files) {
  std::string out;
  for (const auto& f : files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) == 0)
      out += std::to_string(st.st_mtime) + ":" + std::to_string(st.st_size) + ":" +
             std::to_string(st.st_ino) + ";";
    else
      out += "-;";
  }
  return out;
}
}  // namespace

void Server::Impl::start_watching() {
  if (watched_files.empty() || !on_files) return;
#ifdef __linux__
  inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  bool all_watched = inotify_fd >= 0;
  std::set<std::filesystem::path> dirs;
  for (const auto& f : watched_files) dirs.insert(f.parent_path());
  for (const auto& d : dirs)
    if (inotify_fd < 0 || inotify_add_watch(inotify_fd, d.c_str(),
                                            IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
                                                IN_CREATE | IN_DELETE | IN_ATTRIB) < 0)
      all_watched = false;
  if (all_watched) {
    watch_event = event_new(base, inotify_fd, EV_READ | EV_PERSIST, on_watch_event, this);
    event_add(watch_event, nullptr);
    return;
  }
  if (inotify_fd >= 0) ::close(inotify_fd);
  inotify_fd = -1;
#endif
  watch_stamp = stamp(watched_files);
  watch_event = event_new(base, -1, EV_PERSIST, on_watch_event, this);
  timeval tv = seconds(2);
  event_add(watch_event, &tv);
}

void Server::Impl::on_watch_event(evutil_socket_t fd, short, void* self) {
  try {  // nothing unwinds into libevent
    static_cast<Impl*>(self)->watch_event_fired(fd);
  } catch (...) {
  }
}

void Server::Impl::watch_event_fired(evutil_socket_t fd) {
  Impl* impl = this;
  bool changed = false;
#ifdef __linux__
  if (fd >= 0) {
    alignas(inotify_event) char buf[8192];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) {
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<inotify_event*>(p);
        if (ev->len > 0)
          for (const auto& f : impl->watched_files)
            if (f.filename() == ev->name) changed = true;
        p += sizeof(inotify_event) + ev->len;
      }
    }
  }
#endif
  if (fd < 0) {
    std::string now = stamp(impl->watched_files);
    changed = now != impl->watch_stamp;
    impl->watch_stamp = now;
  }
  if (changed) impl->files_changed();
}

void Server::Impl::uncork() {
  for (Connection* c : corked)
    if (!c->closed && !c->corked.empty()) c->write({});
  corked.clear();
}

void Server::Impl::files_changed() {
  try {
    on_files();
  } catch (...) {
  }
}

// --- Connection ------------------------------------------------------------------------------

namespace {
void on_conn_read(evutil_socket_t, short, void* c) {
  auto* conn = static_cast<Connection*>(c);
  guarded(conn, [conn] { conn->on_readable(); });
}
void on_conn_write(evutil_socket_t, short, void* c) {
  auto* conn = static_cast<Connection*>(c);
  guarded(conn, [conn] { conn->on_writable(); });
}
void on_conn_timer(evutil_socket_t, short, void* c) {
  auto* conn = static_cast<Connection*>(c);
  guarded(conn, [conn] { conn->on_timeout(); });
}
}  // namespace

Connection::Connection(Server::Impl& s, evutil_socket_t socket, bool over)
    : srv(s), fd(socket), overloaded(over) {
  rev = event_new(srv.base, fd, EV_READ | EV_PERSIST, on_conn_read, this);
  wev = event_new(srv.base, fd, EV_WRITE, on_conn_write, this);
  timer = evtimer_new(srv.base, on_conn_timer, this);
  out = evbuffer_new();
  event_add(rev, nullptr);
  arm(kKeepAliveS);
}

Connection::~Connection() {
  if (!closed) close();
}

void Connection::arm(int secs) {
  timeval tv = seconds(secs);
  evtimer_add(timer, &tv);
  armed_for = secs;
}

void Connection::disarm() {
  if (armed_for) evtimer_del(timer);
  armed_for = 0;
}

void Connection::on_readable() {
  if (closed) return;
  char* buf = srv.read_buf.data();
  ssize_t n = ::recv(fd, buf, srv.read_buf.size(), 0);
  if (n < 0) {
    int e = errno;
    if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR) return;
    return abort(ExchangeState::kAborted, "client_closed");
  }
  if (n == 0) return abort(ExchangeState::kAborted, "client_closed");
  std::string_view data(buf, static_cast<std::size_t>(n));
  switch (phase) {
    case Phase::kClosing:
      return;  // the last response is on its way; what the client sends now is dropped
    case Phase::kUpstream:
      pending.append(data);  // the next (pipelined) request waits for this response
      if (pending.size() > kPipelineLimit) {
        event_del(rev);
        reading = false;
      }
      return;
    case Phase::kIdle:
    case Phase::kHead:
    case Phase::kBody:
    case Phase::kDiscard:  // consume() drops it
      break;
  }
  if (pending.empty()) {
    std::size_t used = consume(data);
    if (!closed && used < data.size()) pending.assign(data.substr(used));
  } else {
    pending.append(data);
    process();
  }
}

void Connection::process() {
  if (closed || pending.empty()) return;
  std::string input;
  input.swap(pending);
  std::size_t used = consume(input);
  if (closed) return;
  // Bytes that arrived while consuming were appended to `pending` (only in kUpstream).
  input.erase(0, used);  // nothing moves while a head is still incomplete
  input.append(pending);
  pending.swap(input);
}

std::size_t Connection::consume(std::string_view in) {
  std::size_t used = 0;
  while (!closed && used < in.size()) {
    std::size_t n = 0;
    switch (phase) {
      case Phase::kIdle:
      case Phase::kHead:
        n = consume_head(in.substr(used));
        break;
      case Phase::kBody:
        n = consume_body(in.substr(used));
        break;
      case Phase::kDiscard:
        discard_left -= std::min<std::uint64_t>(discard_left, in.size() - used);
        if (discard_left == 0 && !head.chunked) close_after_flush();
        return in.size();
      case Phase::kUpstream:
      case Phase::kClosing:
        return used;
    }
    if (n == 0) break;
    used += n;
  }
  return used;
}

std::size_t Connection::consume_head(std::string_view in) {
  // Where the search stopped last time (a trickled head is scanned once, not once per read).
  const std::size_t from = head_scanned > 3 ? head_scanned - 3 : 0;
  std::size_t end = in.find("\r\n\r\n", std::min(from, in.size()));
  head_scanned = end == std::string_view::npos ? in.size() : 0;
  if (end == std::string_view::npos) {
    if (in.size() > http1::kMaxHeadBytes) {
      head_scanned = 0;
      reply(unreadable("/", 431, "request header section larger than 64 KiB", 0), true);
      return in.size();
    }
    if (phase == Phase::kIdle) {  // one deadline for the whole header, however it trickles in
      phase = Phase::kHead;
      request_start = Clock::now();
      arm(srv.live_settings()->header_timeout_s);
    }
    return 0;
  }
  if (phase == Phase::kIdle) request_start = Clock::now();
  http1::HeadResult parsed = http1::parse_head(in.substr(0, end + 4));
  if (parsed.error != http1::ParseError::kNone) {
    head = std::move(parsed.head);
    const std::string target = head.target.empty() ? "/" : head.target;
    reply(unreadable(target, static_cast<int>(parsed.error), parsed.reason,
                     srv.live_settings()->max_body_bytes),
          true);
    return in.size();
  }
  begin_request(std::move(parsed.head));
  return end + 4;
}

void Connection::begin_request(http1::RequestHead&& h) {
  head = std::move(h);
  deferred.reset();
  body = http1::BodyDecoder();
  body_bytes.clear();
  model_scan = ModelScanner();
  if (overloaded) return reply(proxy::overloaded(head.target, srv.settings.max_connections), true);
  auto cfg = srv.live_settings();
  Decision d = decide(head, *cfg, *srv.current_secrets());
  if (d.counts_as_request() && d.code != "lwgw_host_refused" && d.code != "lwgw_origin_refused")
    ++srv.requests;
  const bool has_body = head.has_body();
  if (d.action == Action::kForward) {
    decision = std::move(d);
    keep_body = true;
    body = http1::BodyDecoder(head, cfg->max_body_bytes);
    const std::string type = head.header("content-type");
    if (!type.empty() && !util::icontains(type, "json")) model_scan.skip();
    if (!has_body) return start_exchange();
    if (head.content_length) body_bytes.reserve(static_cast<std::size_t>(*head.content_length));
    if (head.expect_continue) write({http1::kContinue});
    phase = Phase::kBody;
    arm(kReadTimeoutS);
    return;
  }
  // Too large for any route: answered before a byte of the body is read (a refused Host or
  // Origin keeps its 403, so a web page learns nothing).
  if (head.content_length.value_or(0) > cfg->max_body_bytes && d.status != 403)
    d = unreadable(head.target, 413, "", cfg->max_body_bytes);
  if (d.status == 413) return reply(d, true, true);  // answer now; drop what is still sent
  if (has_body && !head.expect_continue) {  // keep the connection in step: read, then answer
    keep_body = false;
    body = http1::BodyDecoder(head, cfg->max_body_bytes);
    deferred = std::move(d);
    phase = Phase::kBody;
    arm(kReadTimeoutS);
    return;
  }
  reply(d, has_body);
}

std::size_t Connection::consume_body(std::string_view in) {
  const std::size_t before = body_bytes.size();
  std::size_t used = body.feed(in, keep_body ? &body_bytes : nullptr);
  if (keep_body && !model_scan.done())  // stops by itself after the first KiB
    model_scan.feed(std::string_view(body_bytes).substr(std::min(before, body_bytes.size())));
  if (body.error() != http1::ParseError::kNone) {
    int status = static_cast<int>(body.error());
    reply(
        unreadable(head.target, status, status == 413 ? "body too large" : "malformed chunked body",
                   srv.live_settings()->max_body_bytes),
        true, status == 413);
    return in.size();
  }
  if (!body.done()) {
    arm(kReadTimeoutS);
    return used;
  }
  if (deferred) {
    Decision d = std::move(*deferred);
    deferred.reset();
    reply(d, false);
  } else {
    start_exchange();
  }
  return used;
}

void Connection::start_exchange() {
  auto cfg = srv.live_settings();
  Decision& d = decision;
  AccessRecord rec;
  rec.method = head.method;
  rec.path = d.path;
  rec.client = client_name(head.header("user-agent"));
  const std::string_view path_model = model_from_path(d.path);
  rec.model = path_model.empty() ? model_scan.model() : path_model;
  rec.bytes_in = body_bytes.size();
  exchange = std::make_unique<Exchange>(*this, std::move(rec), request_start);
  phase = Phase::kUpstream;
  arm(cfg->response_timeout_s);  // until the gateway's response headers (on_head disarms)
  ++srv.inflight;
  TransferSpec spec;
  spec.method = head.method;
  spec.url = std::move(d.url);
  spec.headers = std::move(d.headers);
  spec.body = std::move(body_bytes);
  body_bytes = std::string();
  spec.connect_timeout_s = cfg->connect_timeout_s;
  spec.idle_timeout_s = cfg->idle_timeout_s;
  spec.ca_file = cfg->ca_file;
  exchange->transfer = srv.upstream->start(std::move(spec), exchange.get(), cfg->env);
  if (!exchange->transfer) exchange->on_done(CURLE_OUT_OF_MEMORY);
}

void Connection::reply(const Decision& d, bool close, bool discard) {
  int status = 200;
  std::string body_text;
  switch (d.action) {
    case Action::kOwnRoot:
      body_text = kRootBody;
      break;
    case Action::kOwnHealth:
      body_text = srv.health_json();
      break;
    case Action::kOwnStatus:
      body_text = srv.status_json();
      break;
    case Action::kRefuse:
    case Action::kForward:  // not answered here
      status = d.status;
      body_text = error_body(dialect_for_path(d.path), status, d.code, d.message);
      break;
  }
  const bool must_close = close || !head.keep_alive || close_after || srv.draining;
  const bool head_only = head.method == "HEAD";
  std::string head_text = http1::response_head(
      status, "", own_response_headers(d), http1::Framing::kLength, body_text.size(), must_close);
  write({head_text, head_only ? std::string_view() : std::string_view(body_text)});
  // lwgw's own /_lwgw/ routes stay out of the access log (`lwgw status` polls them).
  if (d.action == Action::kRefuse || d.action == Action::kOwnRoot)
    log_reply(d, status, head_only ? 0 : body_text.size());
  deferred.reset();  // answered now
  if (!discard || broken) return response_done(must_close);
  exchange.reset();
  phase = Phase::kDiscard;
  discard_left = head.chunked ? 0 : head.content_length.value_or(0) - body.received();
  arm(kDiscardS);
}

void Connection::log_reply(const Decision& d, int status, std::uint64_t bytes_out,
                           const std::string& outcome) {
  AccessRecord rec;
  rec.method = head.method.empty() ? "-" : head.method;
  rec.path = d.path;
  rec.client = client_name(head.header("user-agent"));
  // A forwarded request answered by lwgw (gateway unreachable, timed out) keeps the model its
  // body named; a refused body is never read for it.
  const std::string_view path_model = model_from_path(d.path);
  rec.model = path_model.empty() ? model_scan.model() : path_model;
  rec.status = status;
  rec.duration_ms = ms_since(request_start);
  rec.bytes_in = body.received();
  rec.bytes_out = bytes_out;
  rec.outcome = outcome;
  if (d.action == Action::kRefuse) rec.error = d.code;
  const std::string& ts = srv.timestamp();
  if (status >= 400 && outcome.empty()) srv.note_error(ts, status, d.code);
  srv.emit_line(access_log_line(rec, ts));
}

void Connection::response_done(bool must_close) {
  if (closed) return;
  exchange.reset();
  if (broken) return close();
  if (must_close || close_after || srv.draining) return close_after_flush();
  phase = Phase::kIdle;
  head = http1::RequestHead();
  arm(kKeepAliveS);
  if (!reading) {
    event_add(rev, nullptr);
    reading = true;
  }
  process();
}

bool Connection::write(std::initializer_list<std::string_view> parts) {
  if (closed || broken) return false;
  // A corked response head goes out with the first body bytes, in the same segment.
  std::string head_first;
  head_first.swap(corked);
  std::array<std::string_view, 8> piece{};
  std::size_t count = 0, total = 0;
  if (!head_first.empty()) piece[count++] = head_first;
  for (auto p : parts)
    if (!p.empty() && count < piece.size()) piece[count++] = p;
  for (std::size_t i = 0; i < count; ++i) total += piece[i].size();
  if (count == 0) return true;
  if (queued() > 0) {
    for (std::size_t i = 0; i < count; ++i) evbuffer_add(out, piece[i].data(), piece[i].size());
    return true;
  }
  iovec iov[8];
  for (std::size_t i = 0; i < count; ++i)
    iov[i] = {const_cast<char*>(piece[i].data()), piece[i].size()};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = static_cast<decltype(msg.msg_iovlen)>(count);
  ssize_t n;
  do n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      broken = true;
      return false;
    }
    n = 0;
  }
  if (static_cast<std::size_t>(n) == total) return true;
  std::size_t skip = static_cast<std::size_t>(n);
  for (std::size_t i = 0; i < count; ++i) {  // queue what the socket did not take
    if (skip >= piece[i].size()) {
      skip -= piece[i].size();
      continue;
    }
    evbuffer_add(out, piece[i].data() + skip, piece[i].size() - skip);
    skip = 0;
  }
  event_add(wev, nullptr);
  return true;
}

bool Connection::flush() {
  while (queued() > 0) {
    evbuffer_iovec vec[16];
    int count = evbuffer_peek(out, -1, nullptr, vec, 16);
    iovec iov[16];
    for (int i = 0; i < count && i < 16; ++i) iov[i] = {vec[i].iov_base, vec[i].iov_len};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<decltype(msg.msg_iovlen)>(std::min(count, 16));
    ssize_t n;
    do n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      broken = true;
      return false;
    }
    evbuffer_drain(out, static_cast<std::size_t>(n));
  }
  if (queued() > 0) event_add(wev, nullptr);
  return true;
}

void Connection::on_writable() {
  if (closed) return;
  if (!flush()) return abort(ExchangeState::kAborted, "client_closed");
  if (queued() == 0 && phase == Phase::kClosing) return close();
  if (exchange && exchange->transfer && exchange->transfer->paused && queued() < kPauseAbove / 2) {
    if (phase == Phase::kUpstream) disarm();
    srv.upstream->resume(exchange->transfer);  // may deliver more, or finish, right here
  }
}

void Connection::on_timeout() {
  if (closed) return;
  armed_for = 0;
  switch (phase) {
    case Phase::kIdle:
      return close();
    case Phase::kHead:
      return reply(
          unreadable("/", 408, "the request header did not arrive within proxy.header_timeout_s",
                     srv.live_settings()->max_body_bytes),
          true);
    case Phase::kBody:
      return reply(unreadable(head.target, 408, "the client stopped sending the request",
                              srv.live_settings()->max_body_bytes),
                   true);
    case Phase::kUpstream:
      if (exchange && exchange->state == ExchangeState::kAwaitingHeaders)
        return exchange->on_response_timeout();
      return abort(ExchangeState::kAborted, "client_too_slow");
    case Phase::kDiscard:
    case Phase::kClosing:
      return close();
  }
}

void Connection::close_after_flush() {
  phase = Phase::kClosing;
  if (queued() == 0) return close();
  if (reading) event_del(rev);  // nothing more is read; the timer bounds the wait
  reading = false;
  arm(kFlushS);
}

void Connection::abort(ExchangeState state, const std::string& outcome) {
  if (closed) return;
  if (exchange)
    exchange->end(state, outcome);
  else if (deferred)  // refused while its body was still arriving: logged, though never answered
    log_reply(*deferred, 499, 0, outcome);
  deferred.reset();
  close();
}

void Connection::close() {
  if (closed) return;
  closed = true;
  if (exchange && exchange->transfer) exchange->end(ExchangeState::kAborted, "client_closed");
  event_free(rev);
  event_free(wev);
  event_free(timer);
  evbuffer_free(out);
  rev = wev = timer = nullptr;
  out = nullptr;
  ::close(fd);
  srv.bury(this);
}

// --- Exchange --------------------------------------------------------------------------------

bool Exchange::on_head() {
  Transfer& t = *transfer;
  const int status = static_cast<int>(t.status);
  record.status = status;
  record.ttfb_ms = t.ttfb_ms;
  record.request_id = t.header("X-Request-Id");
  if (record.request_id.empty()) record.request_id = t.header("X-Langwatch-Request-Id");
  record.budget = t.header("X-Langwatch-Budget-Warning");
  if (!record.budget.empty()) conn.srv.note_budget(record.budget);
  if (status >= 400) {  // the access log names the same code /_lwgw/status reports
    std::string code = t.header("X-Langwatch-Handled-Error");
    record.error = code.empty() ? "upstream" : code;
    conn.srv.note_error(conn.srv.timestamp(), status, record.error);
  }
  const std::string content_type = t.header("Content-Type");
  record.stream = content_type.find("event-stream") != std::string::npos ||
                  record.path.find(":streamGenerateContent") != std::string::npos;
  const bool no_body = conn.head.method == "HEAD" || status == 204 || status == 304 || status < 200;
  const std::optional<std::uint64_t> length = t.content_length;  // checked by Upstream
  bool must_close = !conn.head.keep_alive || conn.close_after || conn.srv.draining;
  if (no_body)
    framing = http1::Framing::kNone;
  else if (length)
    framing = http1::Framing::kLength;
  else if (conn.head.minor_version >= 1)
    framing = http1::Framing::kChunked;
  else
    framing = http1::Framing::kClose;
  if (framing == http1::Framing::kClose) must_close = true;
  if (must_close) conn.close_after = true;
  state = ExchangeState::kStreaming;
  conn.disarm();  // the response started: streams have no total limit
  // Held back until the body's first bytes (or the end of this round of libcurl callbacks), so
  // head and body usually leave in one segment.
  conn.corked =
      http1::response_head(status, t.reason, downstream_response_headers(t.headers), framing,
                           status == 204 || status < 200 ? std::nullopt : length, must_close);
  conn.srv.corked.push_back(&conn);
  return true;
}

std::size_t Exchange::on_data(const char* data, std::size_t n) {
  if (conn.closed || conn.broken) return 0;
  if (conn.queued() > kPauseAbove) {
    if (!conn.armed_for) conn.arm(conn.srv.live_settings()->stall_timeout_s);
    return kPause;
  }
  bool ok;
  if (framing == http1::Framing::kChunked) {
    std::string size_line = http1::chunk_size_line(n);
    ok = conn.write({size_line, std::string_view(data, n), "\r\n"});
  } else {
    ok = conn.write({std::string_view(data, n)});
  }
  if (!ok) return 0;
  record.bytes_out += n;
  return n;
}

void Exchange::on_done(CURLcode code) {
  Connection& c = conn;  // `this` may be gone after the calls below
  if (c.broken) return c.abort(ExchangeState::kAborted, "client_closed");
  if (state == ExchangeState::kAwaitingHeaders) {
    Decision d = failed_before_head(code);
    end(ExchangeState::kAborted, "");
    c.exchange.reset();
    return c.reply(d, false);
  }
  if (code != CURLE_OK) {
    end(ExchangeState::kAborted, "upstream_interrupted");
    return c.close();  // truncated: no final chunk, so the client can tell
  }
  if (framing == http1::Framing::kChunked) c.write({http1::kLastChunk});
  end(ExchangeState::kDone, "");
  c.response_done(c.close_after);
}

Decision Exchange::failed_before_head(CURLcode code) const {
  const std::string gateway = conn.srv.live_settings()->gateway_url;
  if (transfer && !transfer->invalid.empty())  // refused by Upstream's checks of the head
    return bad_upstream_response(record.path, gateway, transfer->invalid);
  // libcurl's own detail ("Failed to connect to … port …") says more than the code's name.
  std::string why = transfer && transfer->error[0] ? transfer->error : curl_easy_strerror(code);
  switch (code) {
    case CURLE_URL_MALFORMAT:
      return bad_target(record.path);
    case CURLE_UNSUPPORTED_PROTOCOL:  // no HTTP/1.x status line: HTTP/0.9, or TLS bytes
    case CURLE_WEIRD_SERVER_REPLY:    // a NUL in a header, an invalid Content-Length
      return bad_upstream_response(record.path, gateway, why, code == CURLE_UNSUPPORTED_PROTOCOL);
    // A Transfer-Encoding libcurl refuses itself, before the line reaches Upstream's checks
    // (libcurl 8.x: "Unsolicited Transfer-Encoding (gzip) found"; 7.88 passed it on). lwgw asks
    // for no decoding, so before the head ends this code is always about the head.
    case CURLE_BAD_CONTENT_ENCODING:
      return bad_upstream_response(record.path, gateway, why);
    default:
      break;
  }
  // libcurl's answer to a header line over 100 KiB (its code depends on the version).
  if (compat::curl_header_too_large(code) && transfer && transfer->head_bytes > 0)
    return bad_upstream_response(record.path, gateway, "a header line too large to read");
  return unreachable(record.path, gateway, static_cast<int>(code), why);
}

void Exchange::on_response_timeout() {
  Connection& c = conn;  // `this` is gone after the reset below
  end(ExchangeState::kAborted, "");
  auto cfg = c.srv.live_settings();
  Decision d = response_timeout(record.path, cfg->gateway_url, cfg->response_timeout_s);
  c.exchange.reset();
  c.reply(d, false);
}

void Exchange::end(ExchangeState final_state, const std::string& outcome) {
  if (state != ExchangeState::kAwaitingHeaders && state != ExchangeState::kStreaming) return;
  const bool before_head = state == ExchangeState::kAwaitingHeaders;
  state = final_state;
  if (transfer) {
    conn.srv.upstream->finish(transfer);
    transfer = nullptr;
  }
  --conn.srv.inflight;
  if (before_head && outcome.empty()) return;  // answered by an lwgw error, logged there
  if (before_head) record.status = 499;
  record.outcome = outcome;
  record.duration_ms = ms_since(start);
  conn.srv.emit_line(access_log_line(record, conn.srv.timestamp()));
}

// --- Server ----------------------------------------------------------------------------------

Server::Server(Settings settings, Secrets secrets, LogFn log)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(secrets), std::move(log))) {}

Server::~Server() = default;

namespace {

bool is_loopback_sockaddr(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
  }
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
  }
  return false;
}

int bound_port(int fd, sockaddr_storage* out = nullptr) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return -1;
  if (out) *out = ss;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return -1;
}

// A listening TCP socket on host:port (SO_REUSEADDR, backlog 1024); throws BindError.
int listen_on(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string where = host_port(host, port);
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0)
    throw BindError("cannot listen on " + where + ": " + ::gai_strerror(rc), EADDRNOTAVAIL);
  int err = 0;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // no SO_REUSEPORT: one owner
    if (ai->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 1024) == 0) {
      ::freeaddrinfo(res);
      return fd;
    }
    err = errno;
    ::close(fd);
  }
  ::freeaddrinfo(res);
  throw BindError("cannot listen on " + where + ": " +
                      (err == EADDRINUSE ? std::string("address already in use")
                                         : std::string(std::strerror(err))) +
                      " (is another lwgw or program using it? change it with `lwgw config set "
                      "proxy.listen 127.0.0.1:PORT`)",
                  err);
}

}  // namespace

int Server::bind() {
  auto& s = impl_->settings;
  int fd = -1;
  if (s.inherited_fd >= 0) {
    fd = s.inherited_fd;
    sockaddr_storage ss{};
    int accepting = 0;
    socklen_t len = sizeof accepting;
    if (bound_port(fd, &ss) < 0 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) != 0 || !accepting)
      throw failure(
          "the socket handed over by the service manager (LISTEN_FDS) is not a "
          "listening TCP socket; check lwgw.socket");
    if (!s.allow_remote && !is_loopback_sockaddr(ss))
      throw failure(
          "the socket handed over by the service manager is not on a loopback "
          "address; the proxy holds your key, so it listens on 127.0.0.1 or ::1");
  } else {
    if (!s.allow_remote && !is_loopback_host(s.listen_host))
      throw failure(loopback_refusal(s.listen_host + ":" + std::to_string(s.listen_port)));
    if (s.allow_remote && (!s.require_local_token || impl_->current_secrets()->local_token.empty()))
      throw config_error(
          "proxy.allow_remote needs proxy.require_local_token = true and a local token (run "
          "`lwgw login`)");
    fd = listen_on(s.listen_host, s.listen_port);
  }
  evutil_make_socket_nonblocking(fd);
  evutil_make_socket_closeonexec(fd);
  port_ = bound_port(fd);
  impl_->listen_fd = fd;
  impl_->listener = evconnlistener_new(impl_->base, Impl::on_accept, impl_.get(),
                                       LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
  if (!impl_->listener) throw failure("cannot watch the listening socket");
  evconnlistener_set_error_cb(impl_->listener, Impl::on_accept_error);
  s.listen_port = port_;
  {
    std::lock_guard<std::mutex> lock(impl_->live_mutex);
    auto live = std::make_shared<Settings>(*impl_->live);
    live->listen_port = port_;
    impl_->live = std::move(live);
  }
  return port_;
}

void Server::on_signal(int signum, std::function<void()> fn) {
  impl_->signal_handlers.emplace_back(signum, std::move(fn));
}

void Server::on_files_changed(std::vector<std::filesystem::path> files, std::function<void()> fn) {
  impl_->watched_files = std::move(files);
  impl_->on_files = std::move(fn);
}

void Server::run() {
  Impl& impl = *impl_;
  running_ = true;
  impl.emit({{"ts", util::utc_now_iso()},
             {"level", "info"},
             {"msg", "lwgw_listening"},
             {"listen", host_port(impl.settings.listen_host, port_)},
             {"gateway", impl.settings.gateway_url},
             {"pid", static_cast<int>(::getpid())}});
  std::set<int> seen;
  for (auto& [signum, fn] : impl.signal_handlers) {
    if (!seen.insert(signum).second) continue;
    event* ev = evsignal_new(impl.base, signum, Impl::on_signal_event, &impl);
    event_add(ev, nullptr);
    impl.signal_events.push_back(ev);
  }
  impl.start_watching();
  if (impl.drain_requested) impl.start_drain();
  event_base_dispatch(impl.base);
  for (Connection* c : std::vector<Connection*>(impl.conns.begin(), impl.conns.end()))
    c->abort(ExchangeState::kCut, "cut_by_drain");
  for (event* e : impl.signal_events) event_free(e);
  impl.signal_events.clear();
  Impl::on_reap(-1, 0, &impl);
  running_ = false;
  impl.emit({{"ts", util::utc_now_iso()},
             {"level", "info"},
             {"msg", "lwgw_stopped"},
             {"requests", impl.requests.load()}});
}

void Server::drain() {
  if (impl_->drain_requested.exchange(true)) return;
  char b = 1;
  (void)!::write(impl_->wake_fds[1], &b, 1);
}

void Server::reload_settings(Settings next) {
  next.listen_host = impl_->settings.listen_host;  // the address needs a restart
  next.listen_port = impl_->settings.listen_port;
  next.inherited_fd = impl_->settings.inherited_fd;
  next.allow_remote = impl_->settings.allow_remote;
  next.max_connections = impl_->settings.max_connections;
  if (next.allow_remote) next.require_local_token = true;
  std::lock_guard<std::mutex> lock(impl_->live_mutex);
  impl_->live = std::make_shared<const Settings>(std::move(next));
}

void Server::set_secrets(Secrets secrets) {
  secrets.status_key = impl_->current_secrets()->status_key;  // fixed while the proxy runs
  auto next = std::make_shared<const Secrets>(std::move(secrets));
  std::lock_guard<std::mutex> lock(impl_->secrets_mutex);
  impl_->secrets = std::move(next);
}

std::string Server::status_key() const {
  return impl_->current_secrets()->status_key;
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
  nlohmann::json line = {{"ts", util::utc_now_iso()}, {"level", level}, {"msg", msg}};
  for (const auto& [k, v] : fields) line[k] = v;
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace lwgw::proxy
