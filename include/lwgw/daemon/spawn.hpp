// Starting the proxy detached (new session, stdio to /dev/null, re-parented) and the readiness
// message it sends back through a pipe: "listening on this port as this pid" or why it could not.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lwgw/error.hpp"

namespace lwgw::daemon {

/// The proxy listens.
struct Ready {
  int port = 0;
  int pid = 0;
  bool operator==(const Ready&) const = default;
};
/// The proxy could not start; `message` is already redacted.
struct StartFailed {
  Exit code = Exit::kFailed;
  std::string message;
  bool operator==(const StartFailed&) const = default;
};
using Readiness = std::variant<Ready, StartFailed>;

/// One line (no newline inside, '\n' at the end) that decode_readiness() reads back.
std::string encode_readiness(const Readiness& r);
/// The message from the text received up to its first newline; nullopt when the text is not
/// a complete readiness message.
std::optional<Readiness> decode_readiness(std::string_view text);

/// The daemon's end of the pipe: sends one message, then closes it. Without an fd (-1: run in
/// a terminal or by a service manager) it does nothing.
class ReadyPipe {
 public:
  explicit ReadyPipe(int fd) : fd_(fd) {}
  ~ReadyPipe() { close(); }
  ReadyPipe(const ReadyPipe&) = delete;
  ReadyPipe& operator=(const ReadyPipe&) = delete;
  void send(const Readiness& r);
  void close();
  bool attached() const { return fd_ >= 0; }

 private:
  int fd_;
};

struct SpawnRequest {
  std::string exe;
  /// The arguments after argv[0]; `--ready-fd N` is appended.
  std::vector<std::string> args;
  /// The environment as KEY=VALUE strings.
  std::vector<std::string> envp;
  std::chrono::milliseconds timeout{20000};
};

/// Runs `exe args… --ready-fd N` detached (fork, setsid, fork again so it can never regain a
/// terminal; stdio on /dev/null, no blocked signals, cwd /) and waits for its readiness message.
/// nullopt when it exited, or `timeout` passed, without one. Throws Error when it cannot fork.
std::optional<Readiness> spawn_detached(const SpawnRequest& request);

}  // namespace lwgw::daemon
