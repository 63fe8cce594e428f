// Stopping the proxy: SIGTERM (it drains), a bounded wait, then SIGKILL.
#include "lwgw/daemon/stop.hpp"

#include <csignal>
#include <thread>

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

std::optional<StopTarget> find_stop_target(const Paths& paths, const Env& env) {
  if (auto live = find_running(paths, env)) return StopTarget{live->state.pid, std::move(live)};
  auto s = read_state(paths);
  if (s && s->pid > 0 && process_alive(s->pid)) return StopTarget{s->pid, std::nullopt};
  return std::nullopt;
}

}  // namespace lwgw::daemon
