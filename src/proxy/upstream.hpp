// The gateway side of the proxy: every transfer on one libcurl multi handle driven by the
// proxy's libevent loop (curl's multi_socket pattern), so connections, DNS and TLS sessions to
// the gateway are shared. Internal to the proxy; everything here runs on the loop thread.
#pragma once

#include <curl/curl.h>
#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "../util/curl.hpp"
#include "lwgw/environment.hpp"
#include "lwgw/proxy/rules.hpp"

namespace lwgw::proxy {

/// What a transfer reports, on the loop thread.
class TransferSink {
 public:
  virtual ~TransferSink() = default;
  /// The final response head (status >= 200) arrived. Return false to abort the transfer.
  virtual bool on_head() = 0;
  /// Body bytes. Return n when taken, kPause to be offered the same bytes again after
  /// Upstream::resume(), or 0 to abort the transfer.
  virtual std::size_t on_data(const char* data, std::size_t n) = 0;
  /// The transfer ended (`code` is a CURLcode; CURLE_OK when complete). Called outside every
  /// libcurl callback: the sink may call Upstream::finish() on it here.
  virtual void on_done(CURLcode code) = 0;
  static constexpr std::size_t kPause = CURL_WRITEFUNC_PAUSE;
};

/// One request to the gateway.
struct TransferSpec {
  std::string method;
  std::string url;
  HeaderList headers;
  std::string body;
  long connect_timeout_s = 10;
  int idle_timeout_s = 0;
  std::string ca_file;
};

/// A transfer in flight (owned by Upstream; opaque to the sink but for its results).
struct Transfer {
  CURL* easy = nullptr;
  curl_slist* slist = nullptr;
  TransferSink* sink = nullptr;
  std::string body;  // the request body libcurl sends (CURLOPT_POSTFIELDS points here)
  long status = 0;
  std::string reason;
  HeaderList headers;
  std::optional<std::uint64_t> content_length;  // the response's, once its head is complete
  std::uint64_t head_bytes = 0;                 // response head bytes so far (1xx heads included)
  std::string invalid;  // why the response head was refused ("" = it was not)
  bool head_done = false;
  bool paused = false;
  bool completed = false;      // ended with CURLE_OK: its easy handle may serve another request
  std::uint64_t bytes_in = 0;  // response body bytes received from the gateway
  std::chrono::steady_clock::time_point started;
  double ttfb_ms = 0;
  char error[CURL_ERROR_SIZE] = {0};

  /// A response header's value (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

class Upstream {
 public:
  /// `after_callbacks` runs after each round of libcurl callbacks (the sinks' writes settle).
  Upstream(event_base* base, std::function<void()> after_callbacks);
  ~Upstream();
  Upstream(const Upstream&) = delete;
  Upstream& operator=(const Upstream&) = delete;

  /// Starts a transfer; nullptr when libcurl refuses it (out of memory).
  Transfer* start(TransferSpec spec, TransferSink* sink, const Env& env);
  /// Ends a transfer and frees it; an unfinished one has its gateway connection closed, so the
  /// gateway sees the client leave. Never call from inside on_head/on_data.
  void finish(Transfer* t);
  /// Continues a transfer whose sink returned kPause.
  void resume(Transfer* t);
  /// Lets libcurl start the transfers added since the last call now (connection reuse, sending
  /// the request) instead of on the loop's next turn. Call outside every libcurl callback, after
  /// the caller has recorded the Transfer* that start() returned.
  void kick();
  std::size_t active() const { return active_; }

 private:
  struct Socket;
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);
  static void on_socket_event(evutil_socket_t fd, short what, void* self);
  static void on_timer_event(evutil_socket_t, short, void* self);
  static size_t on_header(char* data, size_t size, size_t n, void* transfer);
  static size_t on_body(char* data, size_t size, size_t n, void* transfer);
  static size_t header_line(Transfer* t, char* data, size_t len);
  void check_done();

  event_base* base_;
  std::function<void()> after_;
  util::CurlMulti multi_;
  util::CurlShare share_;
  event* timer_ = nullptr;
  std::vector<util::CurlEasy> idle_easy_;  // configured for config_key_, ready for another one
  std::string config_key_;
  std::size_t active_ = 0;
  bool closing_ = false;
  bool kick_ = false;  // transfers added that libcurl has not seen yet  // in the destructor:
                       // libcurl is tearing its sockets down
};

}  // namespace lwgw::proxy
