// Test helpers: temp HOME, in-process and subprocess runs of lwgw, loopback HTTP servers.
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lwgw/app.hpp"
#include "lwgw/context.hpp"
#include "lwgw/process.hpp"

namespace lwgw::test {

namespace stdfs = std::filesystem;

TempHome::TempHome() {
  std::string tmpl = (stdfs::temp_directory_path() / "lwgw-test-XXXXXX").string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
  root_ = buf.data();
  stdfs::create_directories(home());
  stdfs::create_directories(root_ / "runtime");
}

TempHome::~TempHome() {
  std::error_code ec;
  stdfs::remove_all(root_, ec);
}

Env TempHome::env() const {
  Env e;
  e.set("HOME", home().string());
  e.set("XDG_CONFIG_HOME", (home() / ".config").string());
  e.set("XDG_STATE_HOME", (home() / ".local" / "state").string());
  e.set("XDG_RUNTIME_DIR", (root_ / "runtime").string());
  e.set("PATH", "/usr/local/bin:/usr/bin:/bin");
  e.set("LWGW_SYSTEM_CONFIG", (root_ / "etc-lwgw-config.toml").string());
  return e;
}

std::string TempHome::read(const stdfs::path& p) const {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void TempHome::write(const stdfs::path& p, const std::string& content) const {
  stdfs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << content;
}

void TempHome::write_credentials(const std::string& local_token, const std::string& vk) const {
  const auto cred = home() / ".config/lwgw/credentials";
  write(cred, "{\n  \"local_token\": \"" + local_token + "\"" +
                  (vk.empty() ? std::string() : ",\n  \"vk\": \"" + vk + "\"") + "\n}\n");
  ::chmod(cred.parent_path().c_str(), 0700);
  ::chmod(cred.c_str(), 0600);
}

RunResult run_inproc(const std::vector<std::string>& args, const Env& env, const std::string& input,
                     bool tty,
                     std::function<std::optional<std::string>(const std::string&)> secret) {
  std::istringstream in(input);
  std::ostringstream out, err;
  Io io{&in, &out, &err, &out, tty, false, std::move(secret)};
  Context ctx(env, io, LWGW_BIN);
  RunResult r;
  r.code = run(args, ctx);
  r.out = out.str();
  r.err = err.str();
  return r;
}

RunResult run_bin(const std::vector<std::string>& args, const Env& env, const std::string& input) {
  std::vector<std::string> argv{LWGW_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = process::run(argv, input, env);
  return {r.exit_code, r.out, r.err};
}

LoopbackServer::LoopbackServer(const std::function<void(httplib::Server&)>& routes) {
  routes(server_);
  int listen_fd = -1;
  server_.set_socket_options([&listen_fd](socket_t fd) {
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    listen_fd = fd;
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("could not bind a loopback port");
  if (listen_fd >= 0) ::listen(listen_fd, 1024);  // httplib's own backlog (5) drops SYNs under load
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

LoopbackServer::~LoopbackServer() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

int unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

RawServer::RawServer(std::function<void(int)> handle)
    : handle_(std::move(handle)), fd_(listen_loopback(16, port_)), thread_([this] {
        while (!stop_) {
          pollfd p{fd_, POLLIN, 0};
          if (::poll(&p, 1, 50) <= 0) continue;
          const int c = ::accept(fd_, nullptr, nullptr);
          if (c < 0) continue;
          handle_(c);
          ::close(c);
        }
      }) {}

RawServer::~RawServer() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

int listen_loopback(int backlog, int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd, backlog) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  port = ntohs(a.sin_port);
  return fd;
}

stdfs::path source_dir() {
  return LWGW_SOURCE_DIR;
}

void check_golden(const std::string& dir, const std::string& name, const std::string& actual) {
  auto file = source_dir() / "tests/golden" / dir / name;
  if (std::getenv("LWGW_UPDATE_GOLDEN")) {
    stdfs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << actual;
  }
  std::ifstream in(file, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing golden file " << file.string());
  std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_MESSAGE(expected == actual, "golden " << name << " differs; actual:\n" << actual);
}

}  // namespace lwgw::test

#include <fcntl.h>
#include <sys/wait.h>
#include <csignal>
#include <cstring>

namespace lwgw::test {

Spawned::Spawned(const std::vector<std::string>& argv, const Env& env, const stdfs::path& log,
                 int listen_fd)
    : log_(log) {
  Env child_env = env;
  if (listen_fd >= 0) child_env.set("LISTEN_FDS", "1");
  auto envs = process::to_envp(child_env);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  char listen_pid[32] = "LISTEN_PID=";  // completed in the child, which alone knows its pid
  if (listen_fd >= 0) cenv.push_back(listen_pid);
  cenv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (listen_fd >= 0) {
      if (listen_fd != 3) ::dup2(listen_fd, 3);
      ::fcntl(3, F_SETFD, 0);
      char digits[16];
      int n = 0;
      for (int pid = static_cast<int>(::getpid()); pid > 0; pid /= 10) digits[n++] = '0' + pid % 10;
      char* p = listen_pid + std::strlen(listen_pid);
      while (n > 0) *p++ = digits[--n];
      *p = '\0';
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
}

Spawned::~Spawned() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

int Spawned::wait(int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 10) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

void Spawned::signal(int sig) const {
  ::kill(pid_, sig);
}

std::string Spawned::log_text() const {
  std::ifstream in(log_, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Spawned::wait_for_log(const std::string& needle, int timeout_ms) const {
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    std::string text = log_text();
    if (text.find(needle) != std::string::npos) return text;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return "";
}

int port_from_log(const std::string& text) {
  for (const std::string prefix : {"http://127.0.0.1:", "http://[::1]:", "http://localhost:"}) {
    auto p = text.find(prefix);
    if (p != std::string::npos) return std::atoi(text.c_str() + p + prefix.size());
  }
  return 0;
}

}  // namespace lwgw::test
