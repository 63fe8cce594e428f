// Stopping the proxy: SIGTERM (it drains), a bounded wait, then SIGKILL.
#pragma once

#include <chrono>
#include <optional>

#include "lwgw/daemon/state.hpp"

namespace lwgw::daemon {

enum class StopResult {
  kDrained,     // it exited within the timeout
  kKilled,      // it did not: SIGKILL cut what was still in flight
  kNotRunning,  // there was no such process
};

/// Sends SIGTERM to `pid`, waits up to `timeout` for it to exit, then sends SIGKILL and waits
/// up to 2 s more.
StopResult stop(int pid, std::chrono::milliseconds timeout);

/// The proxy `lwgw down` stops: the running one (`live` set), or one already draining, which no
/// longer answers but whose state file names a live pid (`live` empty).
struct StopTarget {
  int pid = 0;
  std::optional<Live> live;
};
std::optional<StopTarget> find_stop_target(const Paths& paths, const Env& env);

}  // namespace lwgw::daemon
