// Starting the proxy detached and the readiness message it sends back (one JSON line).
#include "lwgw/daemon/spawn.hpp"
#include "lwgw/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <nlohmann/json.hpp>

namespace lwgw::daemon {

std::string encode_readiness(const Readiness& r) {
  nlohmann::json j;
  if (const auto* ok = std::get_if<Ready>(&r))
    j = {{"ready", true}, {"port", ok->port}, {"pid", ok->pid}};
  else {
    const auto& bad = std::get<StartFailed>(r);
    j = {{"ready", false}, {"code", static_cast<int>(bad.code)}, {"message", bad.message}};
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::optional<Readiness> decode_readiness(std::string_view text) {
  auto nl = text.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  auto j = nlohmann::json::parse(text.substr(0, nl), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("ready") || !j["ready"].is_boolean())
    return std::nullopt;
  try {
    if (j["ready"].get<bool>()) return Ready{j.at("port").get<int>(), j.at("pid").get<int>()};
    return StartFailed{static_cast<Exit>(j.at("code").get<int>()),
                       j.at("message").get<std::string>()};
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

void ReadyPipe::send(const Readiness& r) {
  if (fd_ < 0) return;
  const std::string line = encode_readiness(r);
  (void)!::write(fd_, line.data(), line.size());
  close();
}

void ReadyPipe::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

namespace {

// In the first child: never returns.
[[noreturn]] void become_daemon(const std::string& exe, int read_end, char* const* argv,
                                char* const* envp) {
  ::setsid();
  if (::fork() != 0) _exit(0);  // the daemon is re-parented and can never regain a terminal
  ::close(read_end);
  int devnull = ::open("/dev/null", O_RDWR);
  ::dup2(devnull, 0);
  ::dup2(devnull, 1);
  ::dup2(devnull, 2);
  if (devnull > 2) ::close(devnull);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  (void)!::chdir("/");
  ::execve(exe.c_str(), argv, envp);
  _exit(127);
}

// Everything the daemon writes until its first newline, EOF, or `timeout`.
std::string read_first_line(int fd, std::chrono::milliseconds timeout) {
  std::string reply;
  char buf[1024];
  for (long waited = 0; waited < timeout.count() && reply.find('\n') == std::string::npos;) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 100);
    waited += 100;
    if (r <= 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  return reply;
}

}  // namespace

std::optional<Readiness> spawn_detached(const SpawnRequest& request) {
  int pipefd[2];
  if (::pipe(pipefd) != 0) throw failure("cannot create a pipe to the daemon");
  std::vector<std::string> args = {request.exe};
  args.insert(args.end(), request.args.begin(), request.args.end());
  args.insert(args.end(), {"--ready-fd", std::to_string(pipefd[1])});
  std::vector<std::string> envs = request.envp;
  std::vector<char*> cargv = process::c_strings(args), cenv = process::c_strings(envs);

  pid_t child = ::fork();
  if (child < 0) {
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    throw failure("cannot fork the daemon");
  }
  if (child == 0) become_daemon(request.exe, pipefd[0], cargv.data(), cenv.data());
  ::close(pipefd[1]);
  ::waitpid(child, nullptr, 0);
  std::string reply = read_first_line(pipefd[0], request.timeout);
  ::close(pipefd[0]);
  return decode_readiness(reply);
}

}  // namespace lwgw::daemon
