// Spawning helper programs with pipes for stdin, stdout and stderr.
#include "lwgw/process.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lwgw::process {

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> to_envp(const Env& env) {
  std::vector<std::string> out;
  for (const auto& [k, v] : env.vars()) out.push_back(k + "=" + v);
  return out;
}

std::optional<std::filesystem::path> find_in_path(const std::string& program, const Env& env) {
  if (program.find('/') != std::string::npos) {
    if (::access(program.c_str(), X_OK) == 0) return std::filesystem::path(program);
    return std::nullopt;
  }
  std::string path = env.get_or("PATH", "/usr/local/bin:/usr/bin:/bin");
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    std::string dir = path.substr(start, colon - start);
    if (!dir.empty()) {
      std::filesystem::path candidate = std::filesystem::path(dir) / program;
      if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate))
        return candidate;
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return std::nullopt;
}

namespace {

// The three pipes of a child: stdin, stdout, stderr ([0] read end, [1] write end).
struct Pipes {
  int in[2];
  int out[2];
  int err[2];
};

// Opens the three pipes close-on-exec; false (and nothing left open) when one fails.
bool open_pipes(Pipes& p) {
  if (::pipe2(p.in, O_CLOEXEC) != 0) return false;
  if (::pipe2(p.out, O_CLOEXEC) != 0) {
    ::close(p.in[0]), ::close(p.in[1]);
    return false;
  }
  if (::pipe2(p.err, O_CLOEXEC) != 0) {
    ::close(p.in[0]), ::close(p.in[1]), ::close(p.out[0]), ::close(p.out[1]);
    return false;
  }
  return true;
}

// Forks and execs exe_path on the pipes; the parent keeps only its ends. Returns the pid, or -1
// with every pipe closed when fork fails.
pid_t spawn(const std::string& exe_path, const std::vector<std::string>& argv, const Env& env,
            const Pipes& p, bool own_group) {
  std::vector<std::string> envs = to_envp(env);
  std::vector<std::string> args = argv;
  std::vector<char*> cargv = c_strings(args);
  std::vector<char*> cenv = c_strings(envs);

  pid_t pid = ::fork();
  if (pid == 0) {
    if (own_group) ::setpgid(0, 0);
    ::dup2(p.in[0], 0);
    ::dup2(p.out[1], 1);
    ::dup2(p.err[1], 2);
    ::signal(SIGPIPE, SIG_DFL);
    ::execve(exe_path.c_str(), cargv.data(), cenv.data());
    _exit(127);
  }
  ::close(p.in[0]);
  ::close(p.out[1]);
  ::close(p.err[1]);
  if (pid < 0) ::close(p.in[1]), ::close(p.out[0]), ::close(p.err[0]);
  return pid;
}

// Writes input to the child's stdin while collecting its stdout and stderr into r, until both are
// closed and the input is written (or refused), or `deadline` (when set) passes; closes the
// parent's ends. Returns false when the deadline passed first.
bool pump(const Pipes& p, const std::string& input, Result& r,
          std::optional<std::chrono::steady_clock::time_point> deadline) {
  size_t written = 0;
  int in_fd = p.in[1];
  if (input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  }
  bool out_open = true, err_open = true;
  char buf[8192];
  while (out_open || err_open || in_fd >= 0) {
    pollfd fds[3];
    int n = 0;
    int oi = -1, ei = -1, ii = -1;
    if (out_open) fds[oi = n++] = {p.out[0], POLLIN, 0};
    if (err_open) fds[ei = n++] = {p.err[0], POLLIN, 0};
    if (in_fd >= 0) fds[ii = n++] = {in_fd, POLLOUT, 0};
    int wait_ms = -1;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        if (in_fd >= 0) ::close(in_fd);
        ::close(p.out[0]);
        ::close(p.err[0]);
        return false;
      }
      wait_ms = static_cast<int>(left.count());
    }
    if (::poll(fds, n, wait_ms) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto drain = [&](int idx, int fd, std::string& sink, bool& open) {
      if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t k = ::read(fd, buf, sizeof buf);
      if (k > 0)
        sink.append(buf, static_cast<size_t>(k));
      else if (k == 0 || errno != EINTR)
        open = false;
    };
    drain(oi, p.out[0], r.out, out_open);
    drain(ei, p.err[0], r.err, err_open);
    if (ii >= 0 && (fds[ii].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t k = ::write(in_fd, input.data() + written, input.size() - written);
      if (k > 0) written += static_cast<size_t>(k);
      if (k < 0 && errno != EINTR && errno != EAGAIN) written = input.size();
      if (written >= input.size()) {
        ::close(in_fd);
        in_fd = -1;
      }
    }
  }
  ::close(p.out[0]);
  ::close(p.err[0]);
  return true;
}

}  // namespace

Result run(const std::vector<std::string>& argv, const std::string& input, const Env& env) {
  return run(argv, input, env, -1);
}

Result run(const std::vector<std::string>& argv, const std::string& input, const Env& env,
           int timeout_ms) {
  Result r;
  if (argv.empty()) return r;
  auto exe = find_in_path(argv[0], env);
  if (!exe) {
    r.err = argv[0] + ": not found";
    return r;
  }
  Pipes p{};
  if (!open_pipes(p)) return r;
  const bool limited = timeout_ms >= 0;
  const pid_t pid = spawn(exe->string(), argv, env, p, limited);
  if (pid < 0) return r;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (limited) deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  if (!pump(p, input, r, deadline)) {
    ::kill(-pid, SIGKILL);  // its own process group: whatever it started goes too
    ::kill(pid, SIGKILL);
    r.timed_out = true;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace lwgw::process
