// The local proxy: a loopback HTTP server that forwards every CLI request to the gateway with the
// engineer's VK, streaming byte for byte. Its data plane runs on one thread (a libevent loop with
// libcurl's multi_socket API), never throws and never parses bodies. See ARCHITECTURE.md.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lwgw/error.hpp"
#include "lwgw/proxy/settings.hpp"

namespace lwgw::proxy {

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

/// The listen address could not be bound (in use, permission, no such address).
class BindError : public Error {
 public:
  BindError(const std::string& message, int err) : Error(Exit::kFailed, message), errno_(err) {}
  int error_number() const { return errno_; }
  bool in_use() const { return errno_ == EADDRINUSE; }

 private:
  int errno_;
};

class Server {
 public:
  Server(Settings settings, Secrets secrets, LogFn log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds the listen address, or adopts Settings::inherited_fd (a listening socket handed over
  /// by a service manager). Returns the port. Throws Error(kConfig) for a non-loopback address
  /// without allow_remote (or with it but without a local token), BindError when the port cannot
  /// be bound (message names the address and the reason).
  int bind();
  /// Serves until drain() has finished. Call after bind(); blocks. Every callback below runs on
  /// the thread that calls run().
  void run();
  /// Starts the graceful stop: no new connections, in-flight requests finish, and after
  /// drain_timeout_s the remaining ones are cut. Thread-safe, idempotent, returns at once.
  void drain();
  /// Calls `fn` on the proxy's thread each time signal `signum` arrives while run() runs (the
  /// signal becomes a loop event). Register before run().
  void on_signal(int signum, std::function<void()> fn);
  /// Calls `fn` on the proxy's thread when one of `files` is written, replaced or removed
  /// (inotify on Linux: no wakeups otherwise; elsewhere a stat check every 2 s). Before run().
  void on_files_changed(std::vector<std::filesystem::path> files, std::function<void()> fn);
  /// Applies a new configuration to requests from now on (SIGHUP after `config set`). The listen
  /// address, allow_remote and max_connections keep their startup values (they need a restart).
  /// Thread-safe.
  void reload_settings(Settings settings);
  /// Replaces the VK and local token (login, logout, SIGHUP). Thread-safe.
  void set_secrets(Secrets secrets);
  /// What opens /_lwgw/status besides the local token (Secrets::status_key, or the random one
  /// made at construction); fixed for the Server's life. Thread-safe.
  std::string status_key() const;
  /// Thread-safe.
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
