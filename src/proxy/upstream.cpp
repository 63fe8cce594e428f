// libcurl's multi_socket API on the proxy's libevent loop: curl says which sockets to watch and
// when to time out; the loop tells curl what happened; finished transfers go back to their sink.
#include "upstream.hpp"

#include <cstring>

#include "lwgw/http_client.hpp"
#include "lwgw/proxy/http1.hpp"
#include "lwgw/util/clock.hpp"

namespace lwgw::proxy {

namespace {
constexpr std::size_t kIdleEasyKept = 64;
constexpr long kMaxCachedConnections = 128;
}  // namespace

struct Upstream::Socket {
  event* ev = nullptr;
  short kind = 0;
};

std::string Transfer::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (header_name_equals(k, name)) return v;
  return "";
}

Upstream::Upstream(event_base* base, std::function<void()> after_callbacks)
    : base_(base),
      after_(std::move(after_callbacks)),
      multi_(curl_multi_init()),
      share_(curl_share_init()) {
  if (share_) curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  timer_ = evtimer_new(base_, on_timer_event, this);
  if (multi_) {
    CURLM* m = multi_.get();
    curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(m, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(m, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, kMaxCachedConnections);
  }
}

Upstream::~Upstream() {
  idle_easy_.clear();
  closing_ = true;
  multi_.reset();  // closes cached connections (socket callbacks run), before the share goes
  share_.reset();
  if (timer_) event_free(timer_);
}

namespace {
// Everything a pooled easy handle keeps between requests: a handle is reused only with the same.
std::string handle_config_key(const TransferSpec& spec, const Env& env) {
  std::string key = spec.url.substr(0, spec.url.find(':'));
  key += '\n' + std::to_string(spec.connect_timeout_s) + '\n' +
         std::to_string(spec.idle_timeout_s) + '\n' + spec.ca_file;
  for (const char* name : {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                           "all_proxy", "NO_PROXY", "no_proxy"})
    key += '\n' + env.get_or(name, "");
  return key;
}

// The options that stay the same from request to request with the same configuration.
void configure_handle(CURL* e, const TransferSpec& spec, const Env& env, CURLSH* share) {
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, spec.connect_timeout_s);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  // An HTTPS proxy's CONNECT answer is not the gateway's response head.
  curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  if (share) curl_easy_setopt(e, CURLOPT_SHARE, share);
  if (spec.idle_timeout_s > 0) {
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(spec.idle_timeout_s));
  }
  http::apply_proxy_settings(e, spec.url, env);
  http::apply_ca_file(e, spec.ca_file);
}
}  // namespace

Transfer* Upstream::start(TransferSpec spec, TransferSink* sink, const Env& env) {
  std::string key = handle_config_key(spec, env);
  if (key != config_key_) {  // a reload changed the gateway hop: configured handles are stale
    idle_easy_.clear();
    config_key_ = std::move(key);
  }
  util::CurlEasy handle;
  if (!idle_easy_.empty()) {
    handle = std::move(idle_easy_.back());
    idle_easy_.pop_back();
  } else if ((handle = util::CurlEasy(curl_easy_init()))) {
    configure_handle(handle.get(), spec, env, share_.get());
  }
  if (!multi_ || !handle) return nullptr;
  CURL* e = handle.get();
  auto* t = new Transfer;
  t->easy = e;
  t->sink = sink;
  t->body = std::move(spec.body);
  t->started = std::chrono::steady_clock::now();
  bool has_content_type = false, has_accept = false;
  std::string line;
  for (const auto& [k, v] : spec.headers) {
    has_content_type |= header_name_equals(k, "content-type");
    has_accept |= header_name_equals(k, "accept");
    // "Name;" is how libcurl sends a header whose value is empty.
    line.assign(k);
    if (v.empty()) {
      line += ';';
    } else {
      line += ": ";
      line += v;
    }
    t->slist = curl_slist_append(t->slist, line.c_str());
  }
  // Stop libcurl adding headers the client did not send.
  t->slist = curl_slist_append(t->slist, "Expect:");
  if (!has_content_type) t->slist = curl_slist_append(t->slist, "Content-Type:");
  if (!has_accept) t->slist = curl_slist_append(t->slist, "Accept:");

  // Per request: every option a previous request on this handle may have set is set again.
  curl_easy_setopt(e, CURLOPT_PRIVATE, t);
  curl_easy_setopt(e, CURLOPT_URL, spec.url.c_str());
  // The path goes out exactly as routed: decide() refused dot segments, libcurl must not
  // resolve any either.
  curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->slist);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, nullptr);
  if (spec.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (spec.method == "GET" && t->body.empty()) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body.data());
    if (spec.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, spec.method.c_str());
  }
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  if (curl_multi_add_handle(multi_.get(), e) != CURLM_OK) {
    curl_slist_free_all(t->slist);
    delete t;
    return nullptr;  // `handle` frees the easy handle
  }
  (void)handle.release();  // t->easy owns it now, until finish()
  ++active_;
  kick_ = true;
  return t;
}

void Upstream::kick() {
  while (kick_) {
    kick_ = false;
    int running = 0;
    curl_multi_socket_action(multi_.get(), CURL_SOCKET_TIMEOUT, 0, &running);
    check_done();  // may start further transfers (pipelined requests): loop
  }
}

void Upstream::finish(Transfer* t) {
  if (!t) return;
  // Removing an unfinished transfer closes its connection: the gateway sees the client leave.
  curl_multi_remove_handle(multi_.get(), t->easy);
  --active_;
  curl_slist_free_all(t->slist);
  util::CurlEasy easy(t->easy);
  // A handle whose transfer failed half-way is not trusted with the next one.
  if (idle_easy_.size() < kIdleEasyKept && t->completed && !t->paused)
    idle_easy_.push_back(std::move(easy));
  delete t;
}

void Upstream::resume(Transfer* t) {
  if (!t || !t->paused) return;
  t->paused = false;
  curl_easy_pause(t->easy, CURLPAUSE_CONT);
  check_done();
}

int Upstream::on_socket(CURL*, curl_socket_t fd, int what, void* self, void* socketp) {
  auto* up = static_cast<Upstream*>(self);
  auto* s = static_cast<Socket*>(socketp);
  if (what == CURL_POLL_REMOVE) {
    if (s) {
      event_free(s->ev);
      delete s;
      if (!up->closing_) curl_multi_assign(up->multi_.get(), fd, nullptr);
    }
    return 0;
  }
  short kind = static_cast<short>(((what & CURL_POLL_IN) ? EV_READ : 0) |
                                  ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST);
  if (!s) {
    s = new Socket;
    s->ev = event_new(up->base_, fd, kind, on_socket_event, up);
    s->kind = kind;
    curl_multi_assign(up->multi_.get(), fd, s);
    event_add(s->ev, nullptr);
  } else if (s->kind != kind) {
    event_del(s->ev);
    event_assign(s->ev, up->base_, fd, kind, on_socket_event, up);
    s->kind = kind;
    event_add(s->ev, nullptr);
  }
  return 0;
}

int Upstream::on_timer(CURLM*, long timeout_ms, void* self) {
  auto* up = static_cast<Upstream*>(self);
  if (timeout_ms < 0) {
    evtimer_del(up->timer_);
  } else {
    timeval tv{timeout_ms / 1000, static_cast<suseconds_t>((timeout_ms % 1000) * 1000)};
    evtimer_add(up->timer_, &tv);
  }
  return 0;
}

void Upstream::on_socket_event(evutil_socket_t fd, short what, void* self) {
  auto* up = static_cast<Upstream*>(self);
  int flags = ((what & EV_READ) ? CURL_CSELECT_IN : 0) | ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);
  int running = 0;
  try {  // nothing unwinds into libevent
    curl_multi_socket_action(up->multi_.get(), fd, flags, &running);
    up->check_done();
    up->kick();
  } catch (...) {
  }
}

void Upstream::on_timer_event(evutil_socket_t, short, void* self) {
  auto* up = static_cast<Upstream*>(self);
  int running = 0;
  up->kick_ = false;  // this call serves the transfers just added too
  try {               // nothing unwinds into libevent
    curl_multi_socket_action(up->multi_.get(), CURL_SOCKET_TIMEOUT, 0, &running);
    up->check_done();
    up->kick();
  } catch (...) {
  }
}

void Upstream::check_done() {
  if (after_) after_();
  int left = 0;
  while (CURLMsg* m = curl_multi_info_read(multi_.get(), &left)) {
    if (m->msg != CURLMSG_DONE) continue;
    Transfer* t = nullptr;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &t);
    CURLcode code = m->data.result;  // read before the sink may free the handle
    if (!t) continue;
    t->completed = code == CURLE_OK;
    if (t->sink) t->sink->on_done(code);
  }
}

size_t Upstream::on_header(char* data, size_t size, size_t n, void* transfer) {
  try {  // nothing unwinds into libcurl: a failure aborts this transfer
    return header_line(static_cast<Transfer*>(transfer), data, size * n);
  } catch (...) {
    return 0;
  }
}

namespace {
// Marks the response refused: returning 0 makes libcurl abort the transfer (CURLE_WRITE_ERROR).
size_t refuse_head(Transfer* t, std::string_view why) {
  t->invalid = std::string(why);
  return 0;
}
}  // namespace

size_t Upstream::header_line(Transfer* t, char* data, size_t len) {
  using Kind = http1::ResponseLine::Kind;
  if (t->head_done) return len;  // trailers: never forwarded
  t->head_bytes += len;
  if (t->head_bytes > http1::kMaxHeadBytes) return refuse_head(t, "a head larger than 64 KiB");
  const http1::ResponseLine line = http1::parse_response_line(std::string_view(data, len));
  switch (line.kind) {
    case Kind::kInvalid:
      return refuse_head(t, line.problem);
    case Kind::kStatus:  // after a 1xx (or a proxy's CONNECT answer) another one follows
      t->headers.clear();
      t->status = line.status;
      t->reason = std::string(line.reason);
      break;
    case Kind::kField:
      if (t->status == 0) return refuse_head(t, "a header before the status line");
      if (t->headers.size() >= http1::kMaxHeaders) return refuse_head(t, "too many headers");
      t->headers.emplace_back(std::string(line.name), std::string(line.value));
      break;
    case Kind::kEnd: {
      if (t->status < 200) break;
      const http1::ResponseFraming framing = http1::response_framing(t->headers);
      if (!framing.problem.empty()) return refuse_head(t, framing.problem);
      t->content_length = framing.content_length;
      t->head_done = true;
      t->ttfb_ms = util::ms_since(t->started);
      if (!t->sink->on_head()) return 0;
      break;
    }
  }
  return len;
}

size_t Upstream::on_body(char* data, size_t size, size_t n, void* transfer) {
  auto* t = static_cast<Transfer*>(transfer);
  size_t len = size * n;
  if (len == 0) return 0;
  size_t taken = 0;
  try {  // nothing unwinds into libcurl: a failure aborts this transfer
    taken = t->sink->on_data(data, len);
  } catch (...) {
    return 0;
  }
  if (taken == TransferSink::kPause) {
    t->paused = true;
    return CURL_WRITEFUNC_PAUSE;
  }
  if (taken == len) t->bytes_in += len;
  return taken;
}

}  // namespace lwgw::proxy
