// Stopping the proxy: SIGTERM (it drains), a bounded wait, then SIGKILL.
#pragma once

#include <chrono>
#include <optional>

#include "lwgw/daemon/port_holder.hpp"
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
/// `refusal` says why the pid the state file names must not be signalled (it is not this
/// HOME's proxy); empty when it may.
struct StopTarget {
  int pid = 0;
  std::optional<Live> live;
  std::string refusal;
};
std::optional<StopTarget> find_stop_target(const Paths& paths, const Env& env);

/// Why `s.pid` is not the proxy the state file describes (pure; nullopt: it is): its start time
/// (`start_now`, nullopt: unknown) differs from the recorded one, or it does not hold the
/// listening socket of `s.listen` while something does (`hold`). Without a recorded start time
/// the pid must hold the socket.
std::optional<std::string> stop_refusal(const State& s, const std::optional<std::string>& start_now,
                                        Hold hold);

}  // namespace lwgw::daemon
