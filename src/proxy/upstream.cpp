// Upstream transfers on libcurl's multi interface, one thread per client, no buffering.
#include "upstream.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <cerrno>

#include "lwgw/http_client.hpp"

namespace lwgw::proxy {

HandlePool::HandlePool() {
  share_ = curl_share_init();
  if (share_) {
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, lock_cb);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, unlock_cb);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
}

HandlePool::~HandlePool() {
  for (auto& h : free_) {
    curl_multi_cleanup(h.multi);
    curl_easy_cleanup(h.easy);
  }
  if (share_) curl_share_cleanup(share_);
}

void HandlePool::lock_cb(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  static_cast<HandlePool*>(user)->locks_[data].lock();
}
void HandlePool::unlock_cb(CURL*, curl_lock_data data, void* user) {
  static_cast<HandlePool*>(user)->locks_[data].unlock();
}

HandlePool::Handle HandlePool::acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty()) {
      Handle h = free_.back();
      free_.pop_back();
      curl_easy_reset(h.easy);  // keeps live connections, DNS and TLS session caches
      return h;
    }
  }
  Handle h{curl_multi_init(), curl_easy_init()};
  return h;
}

void HandlePool::release(Handle h) {
  if (!h.multi || !h.easy) {
    if (h.multi) curl_multi_cleanup(h.multi);
    if (h.easy) curl_easy_cleanup(h.easy);
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (free_.size() < 64) {
    free_.push_back(h);
    return;
  }
  curl_multi_cleanup(h.multi);
  curl_easy_cleanup(h.easy);
}

Transfer::Transfer(HandlePool& pool, UpstreamRequest req, int client_fd,
                   const std::atomic<bool>& cut, const Env& env)
    : pool_(pool), h_(pool.acquire()), req_(std::move(req)), client_fd_(client_fd), cut_(cut) {
  start_ = std::chrono::steady_clock::now();
  if (!h_.multi || !h_.easy) {
    finished_ = true;
    result_ = CURLE_OUT_OF_MEMORY;
    return;
  }
  CURL* e = h_.easy;
  bool has_content_type = false, has_accept = false;
  for (const auto& [k, v] : req_.headers) {
    has_content_type |= header_name_equals(k, "content-type");
    has_accept |= header_name_equals(k, "accept");
    // "Name;" is how libcurl sends a header whose value is empty.
    slist_ = curl_slist_append(slist_, (v.empty() ? k + ";" : k + ": " + v).c_str());
  }
  // Stop libcurl adding headers the client did not send.
  slist_ = curl_slist_append(slist_, "Expect:");
  if (!has_content_type) slist_ = curl_slist_append(slist_, "Content-Type:");
  if (!has_accept) slist_ = curl_slist_append(slist_, "Accept:");

  curl_easy_setopt(e, CURLOPT_URL, req_.url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, slist_);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, req_.connect_timeout_s);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  if (req_.idle_timeout_s > 0) {
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(req_.idle_timeout_s));
  }
  if (req_.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (req_.method == "GET" && req_.body.empty()) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req_.body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, req_.body.data());
    if (req_.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req_.method.c_str());
  }
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
  http::apply_proxy_settings(e, req_.url, env);
  http::apply_ca_file(e, req_.ca_file);
  if (curl_multi_add_handle(h_.multi, e) == CURLM_OK) {
    attached_ = true;
  } else {
    finished_ = true;
    result_ = CURLE_FAILED_INIT;
  }
}

Transfer::~Transfer() {
  if (attached_) curl_multi_remove_handle(h_.multi, h_.easy);
  curl_slist_free_all(slist_);
  pool_.release(h_);
}

void Transfer::abort() {
  if (!attached_) return;
  // Removing a running transfer closes its connection: the gateway sees the client leave.
  curl_multi_remove_handle(h_.multi, h_.easy);
  attached_ = false;
  finished_ = true;
  if (result_ == CURLE_OK) result_ = CURLE_ABORTED_BY_CALLBACK;
}

size_t Transfer::on_header(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  size_t len = size * n;
  std::string line(data, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    t->headers_.clear();
    auto sp = line.find(' ');
    t->status_ = sp == std::string::npos ? 0 : std::strtol(line.c_str() + sp + 1, nullptr, 10);
  } else if (line.empty()) {
    if (t->status_ >= 200) {
      t->headers_done_ = true;
      t->ttfb_ms_ =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t->start_)
              .count();
    }
  } else if (!t->headers_done_) {
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      t->headers_.emplace_back(line.substr(0, colon), value);
    }
  }
  return len;
}

size_t Transfer::on_body(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  size_t len = size * n;
  if (len == 0) return 0;
  t->bytes_in_ += len;
  if (t->writer_ && t->pending_.empty()) {
    if (!(*t->writer_)(data, len)) {
      t->write_failed_ = true;
      return 0;  // != len: libcurl aborts the transfer
    }
    t->bytes_out_ += len;
    return len;
  }
  t->pending_.append(data, len);
  return len;
}

bool Transfer::client_alive() {
  pollfd p{client_fd_, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return true;
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return false;
  char c;
  ssize_t r = ::recv(client_fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (r == 0) return false;
  if (r < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  client_readable_ = true;  // a pipelined request: alive, and stop polling its fd
  return true;
}

bool Transfer::pump(int timeout_ms) {
  if (cut_.load()) return false;
  int running = 0;
  curl_multi_perform(h_.multi, &running);
  int left = 0;
  while (CURLMsg* m = curl_multi_info_read(h_.multi, &left)) {
    if (m->msg == CURLMSG_DONE && m->easy_handle == h_.easy) {
      finished_ = true;
      result_ = m->data.result;
    }
  }
  if (write_failed_) {
    client_gone_ = true;
    return false;
  }
  if (finished_ || (headers_done_ && !writer_)) {
    if (client_fd_ >= 0 && !client_alive()) client_gone_ = true;
    return !client_gone_;
  }
  curl_waitfd extra{client_fd_, CURL_WAIT_POLLIN, 0};
  int nfds = 0;
  bool watch_client = client_fd_ >= 0 && !client_readable_;
  curl_multi_poll(h_.multi, watch_client ? &extra : nullptr, watch_client ? 1 : 0, timeout_ms,
                  &nfds);
  if (client_fd_ >= 0 && !client_alive()) {
    client_gone_ = true;
    return false;
  }
  return !cut_.load();
}

bool Transfer::wait_for_headers() {
  while (!headers_done_ && !finished_) {
    if (!pump(100)) {
      abort();
      return false;
    }
  }
  return true;
}

bool Transfer::stream_body(const BodyWriter& write) {
  if (!pending_.empty()) {
    if (!write(pending_.data(), pending_.size())) {
      client_gone_ = true;
      abort();
      return false;
    }
    bytes_out_ += pending_.size();
    pending_.clear();
  }
  writer_ = &write;
  while (!finished_) {
    if (!pump(200)) {
      writer_ = nullptr;
      abort();
      return false;
    }
  }
  writer_ = nullptr;
  if (!pending_.empty()) {  // bytes that arrived between the last pump and completion
    if (!write(pending_.data(), pending_.size())) return false;
    bytes_out_ += pending_.size();
    pending_.clear();
  }
  return result_ == CURLE_OK;
}

std::string Transfer::header(const std::string& name) const {
  for (const auto& [k, v] : headers_)
    if (header_name_equals(k, name)) return v;
  return "";
}

}  // namespace lwgw::proxy
