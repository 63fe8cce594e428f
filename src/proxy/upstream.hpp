// One upstream transfer on libcurl, driven from the client's own thread: headers first, then each
// upstream read written to the client as it arrives. Internal to the proxy.
#pragma once

#include <curl/curl.h>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lwgw/environment.hpp"
#include "lwgw/proxy/rules.hpp"

namespace lwgw::proxy {

/// Reusable (multi, easy) pairs: each keeps its own connection cache, so keep-alive and TLS
/// sessions to the gateway survive across requests; DNS and TLS sessions are shared.
class HandlePool {
 public:
  HandlePool();
  ~HandlePool();
  struct Handle {
    CURLM* multi = nullptr;
    CURL* easy = nullptr;
  };
  Handle acquire();
  void release(Handle h);

 private:
  static void lock_cb(CURL*, curl_lock_data data, curl_lock_access, void* user);
  static void unlock_cb(CURL*, curl_lock_data data, void* user);
  std::mutex mutex_;
  std::vector<Handle> free_;
  CURLSH* share_ = nullptr;
  std::mutex locks_[CURL_LOCK_DATA_LAST];
};

/// What the transfer needs to know about the request.
struct UpstreamRequest {
  std::string method;
  std::string url;
  HeaderList headers;
  std::string body;
  long connect_timeout_s = 10;
  int idle_timeout_s = 0;
  std::string ca_file;
};

/// Writes body bytes to the client; returns false when the client is gone.
using BodyWriter = std::function<bool(const char*, size_t)>;

class Transfer {
 public:
  Transfer(HandlePool& pool, UpstreamRequest req, int client_fd, const std::atomic<bool>& cut,
           const Env& env);
  ~Transfer();

  /// Drives the transfer until the response headers are complete or it ends. Returns false when
  /// the client went away or the proxy cut it (the upstream transfer is then aborted).
  bool wait_for_headers();
  /// Streams the body through `write` until the upstream ends. Returns true when the upstream
  /// completed normally and every byte was written.
  bool stream_body(const BodyWriter& write);

  bool headers_done() const { return headers_done_; }
  long status() const { return status_; }
  const HeaderList& headers() const { return headers_; }
  CURLcode result() const { return result_; }
  bool finished() const { return finished_; }
  bool client_gone() const { return client_gone_; }
  std::uint64_t bytes_out() const { return bytes_out_; }
  std::uint64_t bytes_in() const { return bytes_in_; }
  double ttfb_ms() const { return ttfb_ms_; }
  /// The header value (case-insensitive), or "".
  std::string header(const std::string& name) const;
  /// Aborts the upstream transfer now (closes that connection).
  void abort();

 private:
  static size_t on_header(char* data, size_t size, size_t n, void* self);
  static size_t on_body(char* data, size_t size, size_t n, void* self);
  bool pump(int timeout_ms);
  bool client_alive();

  HandlePool& pool_;
  HandlePool::Handle h_;
  UpstreamRequest req_;
  curl_slist* slist_ = nullptr;
  int client_fd_;
  const std::atomic<bool>& cut_;
  bool attached_ = false;
  bool headers_done_ = false;
  bool finished_ = false;
  bool client_gone_ = false;
  bool client_readable_ = false;
  bool write_failed_ = false;
  long status_ = 0;
  HeaderList headers_;
  CURLcode result_ = CURLE_OK;
  std::string pending_;
  const BodyWriter* writer_ = nullptr;
  std::uint64_t bytes_out_ = 0;
  std::uint64_t bytes_in_ = 0;
  double ttfb_ms_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace lwgw::proxy
