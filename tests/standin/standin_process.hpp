// Runs lwgw-standin-gateway (LWGW_STANDIN) for a test: OS-chosen port read from its first line,
// stderr captured in a temp file, SIGTERM (then SIGKILL) on destruction.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace lwgw::test {

class StandIn {
 public:
  explicit StandIn(std::vector<std::string> args) {
    char tmpl[] = "/tmp/lwgw-standin-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argv{LWGW_STANDIN, "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    if (std::find(args.begin(), args.end(), "--drain-delay-ms") == args.end())
      argv.insert(argv.end(), {"--drain-delay-ms", "20"});  // tests need no 3 s drain
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], 1);
      int err = ::open((dir_ / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (err >= 0) ::dup2(err, 2);
      ::close(fds[0]);
      std::vector<char*> cargv;
      for (auto& a : argv) cargv.push_back(a.data());
      cargv.push_back(nullptr);
      ::execv(cargv[0], cargv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    std::string line;
    char c;
    pollfd p{fds[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos && ::poll(&p, 1, 20000) > 0 &&
           ::read(fds[0], &c, 1) == 1)
      line += c;
    ::close(fds[0]);
    auto colon = line.rfind(':');
    if (line.rfind("listening ", 0) != 0 || colon == std::string::npos) {
      stop();
      throw std::runtime_error("the stand-in did not start: " + line + stderr_text());
    }
    port_ = std::atoi(line.c_str() + colon + 1);
  }
  ~StandIn() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  StandIn(const StandIn&) = delete;
  StandIn& operator=(const StandIn&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::filesystem::path dir() const { return dir_; }

  /// Sends SIGTERM without waiting.
  void signal_term() { ::kill(pid_, SIGTERM); }

  /// SIGTERM, then waits (SIGKILL after 20 s); returns the exit status, -1 when killed.
  int stop() {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    int st = 0;
    for (int i = 0; i < 2000; ++i) {
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = 0;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        return status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &st, 0);
    pid_ = 0;
    status_ = -1;
    return status_;
  }

  std::string stderr_text() const {
    std::ifstream in(dir_ / "stderr");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = 0;
  int port_ = 0;
  int status_ = -1;
};

}  // namespace lwgw::test
