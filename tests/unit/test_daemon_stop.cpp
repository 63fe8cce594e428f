// daemon::stop() against children that drain on SIGTERM, ignore it, or are already gone.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>

#include "lwgw/daemon/stop.hpp"

using namespace lwgw;
using namespace lwgw::daemon;

namespace {

enum class OnTerm { kExit, kIgnore };

// A child that has set its SIGTERM disposition before the parent continues.
pid_t child(OnTerm on_term) {
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::signal(SIGTERM, on_term == OnTerm::kIgnore ? SIG_IGN : SIG_DFL);
    (void)!::write(ready[1], "x", 1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char c;
  (void)!::read(ready[0], &c, 1);
  ::close(ready[0]);
  return pid;
}

int reap(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
}

}  // namespace

TEST_CASE("stop(): SIGTERM is enough for a process that drains") {
  pid_t pid = child(OnTerm::kExit);
  CHECK(stop(pid, std::chrono::seconds(5)) == StopResult::kDrained);
  CHECK(reap(pid) == SIGTERM);
}

TEST_CASE("stop(): a process that ignores SIGTERM is killed after the timeout") {
  pid_t pid = child(OnTerm::kIgnore);
  auto t0 = std::chrono::steady_clock::now();
  CHECK(stop(pid, std::chrono::milliseconds(300)) == StopResult::kKilled);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(300));
  CHECK(reap(pid) == SIGKILL);
}

TEST_CASE("stop(): nothing to stop") {
  pid_t pid = child(OnTerm::kExit);
  ::kill(pid, SIGKILL);
  reap(pid);
  CHECK(stop(pid, std::chrono::seconds(1)) == StopResult::kNotRunning);
  CHECK(stop(0, std::chrono::seconds(1)) == StopResult::kNotRunning);
}
