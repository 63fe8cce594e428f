// The local proxy: a loopback HTTP server that forwards every CLI request to the gateway with the
// engineer's VK, streaming byte for byte. Its data plane never throws and never parses bodies.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lwgw/environment.hpp"

namespace lwgw::proxy {

struct Settings {
  std::string listen_host = "127.0.0.1";
  int listen_port = 5566;  // 0 = let the OS choose
  bool allow_remote = false;
  bool require_local_token = true;
  size_t max_body_bytes = 64u << 20;
  int idle_timeout_s = 0;  // 0 = a silent stream is never cut
  int drain_timeout_s = 30;
  int max_connections = 512;
  std::vector<std::string> allowed_origins;
  std::string gateway_url;
  std::string ca_file;
  long connect_timeout_s = 10;
  Env env;  // proxy variables (HTTPS_PROXY, NO_PROXY) for the upstream hop
};

/// The secrets the proxy uses; re-read on reload.
struct Secrets {
  std::string vk;           // empty: not logged in
  std::string local_token;  // empty: none generated yet
};

/// Counters and last events, read by `lwgw status` through /_lwgw/status.
struct Stats {
  std::uint64_t requests = 0;
  std::uint64_t inflight = 0;
  std::string last_error;      // "2026-11-27T06:30:00Z 502 gateway_unreachable"
  std::string budget_warning;  // "project:95"
  double uptime_s = 0;
  bool draining = false;
};

/// One line of the proxy's log (JSON, never a header, body, query string or key).
using LogFn = std::function<void(const std::string& json_line)>;

class Server {
 public:
  Server(Settings settings, Secrets secrets, LogFn log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds the listen address. Returns the port. Throws Error(kConfig) for a non-loopback address
  /// without allow_remote (or with it but without a local token), Error(kFailed) when the port
  /// cannot be bound (message names the address and the reason).
  int bind();
  /// Serves until drain() has finished. Call after bind(); blocks.
  void run();
  /// Starts the graceful stop: no new connections, in-flight requests finish, and after
  /// drain_timeout_s the remaining ones are cut. Thread-safe, idempotent, returns at once.
  void drain();
  /// Applies a new configuration to requests from now on (SIGHUP after `config set`). The listen
  /// address, allow_remote and max_connections keep their startup values (they need a restart);
  /// the body limit can only shrink (httplib's own limit was fixed at start).
  void reload_settings(Settings settings);
  /// Replaces the VK and local token (login, logout, SIGHUP).
  void set_secrets(Secrets secrets);
  Stats stats() const;
  int port() const { return port_; }
  bool running() const { return running_; }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::atomic<bool> running_{false};
};

/// A JSON log line with a timestamp, level and message plus the given fields.
std::string log_line(const std::string& level, const std::string& msg,
                     const std::vector<std::pair<std::string, std::string>>& fields = {});

}  // namespace lwgw::proxy
