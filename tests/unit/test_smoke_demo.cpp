// `make demo` (scripts/demo.sh): exits 0 and leaves no process of its session running.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_support.hpp"

using namespace lwgw::test;

namespace {
/// Pids of live processes whose session id is `sid` (field 6 of /proc/PID/stat).
std::vector<pid_t> session_members(pid_t sid) {
  std::vector<pid_t> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    std::string state;
    long ppid = 0, pgrp = 0, session = 0;
    rest >> state >> ppid >> pgrp >> session;
    if (session == sid && state != "Z") out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}
}  // namespace

TEST_CASE("make demo: scripts/demo.sh exits 0 and leaves nothing running") {
  TempHome t;
  auto log = t.root() / "demo.log";
  std::string build_dir = std::filesystem::path(LWGW_BIN).parent_path();
  std::string script = (source_dir() / "scripts/demo.sh").string();
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setsid();  // its own session: everything the demo starts stays in it
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::execl("/bin/bash", "bash", script.c_str(), build_dir.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = -1;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      FAIL("the demo did not finish within 120 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string out = t.read(log);
  INFO(out);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(out.find("10 passed, 0 failed, 0 skipped") != std::string::npos);
  CHECK(out.find("0 breaking, 0 drift: no difference") != std::string::npos);
  CHECK(out.find("header renamed: X-Langwatch-Request-Id → X-Request-Id") != std::string::npos);
  CHECK(out.find("Hello from the stand-in gateway") != std::string::npos);
  CHECK(out.find("Demo finished") != std::string::npos);
  auto left = session_members(pid);
  CHECK_MESSAGE(left.empty(), "processes of the demo still running: " << left.size());
  if (!left.empty()) ::kill(-pid, SIGKILL);  // only the demo's own process group
}
