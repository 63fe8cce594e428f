// Stopping the proxy: SIGTERM (it drains), a bounded wait, then SIGKILL.
#include "lwgw/daemon/stop.hpp"

#include <csignal>
#include <thread>

#include "lwgw/probe/local.hpp"

namespace lwgw::daemon {

StopResult stop(int pid, std::chrono::milliseconds timeout) {
  if (pid <= 0 || !process_alive(pid)) return StopResult::kNotRunning;
  ::kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (process_alive(pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (!process_alive(pid)) return StopResult::kDrained;
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 100 && process_alive(pid); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return StopResult::kKilled;
}

std::optional<std::string> stop_refusal(const State& s, const std::optional<std::string>& start_now,
                                        Hold hold) {
  const std::string pid = "pid " + std::to_string(s.pid);
  if (!s.start_time.empty() && start_now && *start_now != s.start_time)
    return pid + " started after the proxy recorded it: the number belongs to another program now";
  if (hold == Hold::kNo)
    return pid + " does not hold the proxy's listening socket (" + s.listen + ")";
  if (s.start_time.empty() && hold != Hold::kYes)
    return pid +
           " cannot be shown to be the proxy: the state file has no start time and the pid "
           "holds no socket on " +
           s.listen;
  return std::nullopt;
}

std::optional<StopTarget> find_stop_target(const Paths& paths, const Env& env) {
  std::optional<StopTarget> t;
  State s;
  if (auto live = find_running(paths, env)) {
    s = live->state;
    t = StopTarget{s.pid, std::move(live), ""};
  } else if (auto st = read_state(paths); st && st->pid > 0 && process_alive(st->pid)) {
    s = *st;
    t = StopTarget{s.pid, std::nullopt, ""};
  }
  if (!t) return t;
  if (auto why = stop_refusal(s, process_start_time(s.pid),
                              holds_listener(s.pid, probe::port_of(s.listen))))
    t->refusal = *why;
  return t;
}

}  // namespace lwgw::daemon
