// Test helpers: a throwaway HOME, running lwgw in-process or as a subprocess, a loopback server.
#pragma once

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

/// The source tree (for golden files and completions).
std::filesystem::path source_dir();

}  // namespace lwgw::test
