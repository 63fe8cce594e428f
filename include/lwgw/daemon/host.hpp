// `lwgw up --foreground`: the proxy::Server and everything around it — the log sink, the signals
// (SIGTERM/SIGINT drain, SIGHUP reloads the configuration and the key), the credential-file
// watcher, the readiness message and the state file (written once listening, removed on exit).
#pragma once

#include <memory>
#include <string>

#include "lwgw/context.hpp"
#include "lwgw/daemon/log_file.hpp"
#include "lwgw/daemon/preflight.hpp"
#include "lwgw/daemon/spawn.hpp"
#include "lwgw/proxy/server.hpp"

namespace lwgw::daemon {

struct HostOptions {
  std::string listen;  // --listen; empty: proxy.listen
  int ready_fd = -1;   // >= 0 when started by spawn_detached(): readiness goes there
};

class Host {
 public:
  Host(Context& ctx, HostOptions options);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  /// Starts the proxy and serves until it has drained. Errors before it listens are sent
  /// through the readiness pipe and thrown (Error). Returns the exit code.
  int run();

 private:
  void start();
  void open_log();
  void bind();
  void wire_events();
  void log(const std::string& line);
  void reload_secrets();
  void reload_config();
  bool daemonized() const { return options_.ready_fd >= 0; }

  Context& ctx_;
  HostOptions options_;
  ReadyPipe ready_;
  Preflight pre_;
  std::unique_ptr<RotatingLog> file_log_;
  bool echo_requests_ = false;
  std::unique_ptr<proxy::Server> server_;
  int port_ = 0;
  int pid_ = 0;
};

}  // namespace lwgw::daemon
