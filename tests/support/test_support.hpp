// Test helpers: a throwaway HOME, running lwgw in-process or as a subprocess, a loopback server.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "lwgw/environment.hpp"

namespace lwgw::test {

/// A temp directory used as HOME with XDG dirs inside it; removed on destruction.
class TempHome {
 public:
  TempHome();
  ~TempHome();
  TempHome(const TempHome&) = delete;
  TempHome& operator=(const TempHome&) = delete;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path home() const { return root_ / "home"; }
  /// HOME, XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_RUNTIME_DIR, PATH, LWGW_SYSTEM_CONFIG (absent
  /// file).
  Env env() const;
  std::string read(const std::filesystem::path& p) const;
  void write(const std::filesystem::path& p, const std::string& content) const;
  /// Logged in without a gateway: ~/.config/lwgw/credentials with `local_token` (and `vk` when
  /// not empty), the file 0600 in a 0700 directory, as `lwgw login` leaves it.
  void write_credentials(const std::string& local_token, const std::string& vk) const;

 private:
  std::filesystem::path root_;
};

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

/// Runs lwgw::run in this process with string streams (no TTY unless `tty`).
RunResult run_inproc(const std::vector<std::string>& args, const Env& env,
                     const std::string& input = "", bool tty = false,
                     std::function<std::optional<std::string>(const std::string&)> secret = {});

/// Runs the built lwgw binary with exactly this environment.
RunResult run_bin(const std::vector<std::string>& args, const Env& env,
                  const std::string& input = "");

/// An httplib server on 127.0.0.1 with an OS-chosen port, running in a thread.
class LoopbackServer {
 public:
  explicit LoopbackServer(const std::function<void(httplib::Server&)>& routes);
  ~LoopbackServer();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

/// A loopback port that nothing listens on (bound then closed).
int unused_port();
/// A socket listening on 127.0.0.1 at an OS-chosen port (set in `port`); the caller closes it.
int listen_loopback(int backlog, int& port);

/// A TCP server on 127.0.0.1 (an OS-chosen port) with a thread of its own, for peers no HTTP
/// library would be: `handle` gets each accepted connection, which is closed after it returns.
class RawServer {
 public:
  explicit RawServer(std::function<void(int fd)> handle);
  ~RawServer();
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;
  int port() const { return port_; }

 private:
  std::function<void(int)> handle_;
  int port_ = 0;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;  // last: it starts once everything above is set
};

/// The source tree (for golden files and completions).
std::filesystem::path source_dir();

/// Compares `actual` with tests/golden/<dir>/<name> (a doctest check), or writes the file when
/// LWGW_UPDATE_GOLDEN is set.
void check_golden(const std::string& dir, const std::string& name, const std::string& actual);

}  // namespace lwgw::test

namespace lwgw::test {

/// A process started in the background with stdout+stderr to a file; SIGKILLed on destruction
/// if still running.
class Spawned {
 public:
  /// `listen_fd` >= 0 hands that socket over as fd 3 the way systemd's socket activation does
  /// (LISTEN_FDS=1 and LISTEN_PID=<the child's pid> added to `env`).
  Spawned(const std::vector<std::string>& argv, const Env& env, const std::filesystem::path& log,
          int listen_fd = -1);
  ~Spawned();
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;
  int pid() const { return pid_; }
  /// Waits for the process to exit (up to `timeout_ms`); returns its exit code, or -1.
  int wait(int timeout_ms);
  /// Sends a signal.
  void signal(int sig) const;
  /// Waits until the log contains `needle`; returns the log text (empty on timeout).
  std::string wait_for_log(const std::string& needle, int timeout_ms) const;
  std::string log_text() const;

 private:
  int pid_ = -1;
  bool reaped_ = false;
  std::filesystem::path log_;
};

/// The port from a line "… http://127.0.0.1:PORT …" in `text`, or 0.
int port_from_log(const std::string& text);

}  // namespace lwgw::test
