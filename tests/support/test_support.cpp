// Test helpers: temp HOME, in-process and subprocess runs of lwgw, loopback HTTP servers.
#include "test_support.hpp"

#include <fstream>
#include <sstream>

#include <netinet/in.h>
#include <sys/socket.h>
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
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("could not bind a loopback port");
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

stdfs::path source_dir() {
  return LWGW_SOURCE_DIR;
}

}  // namespace lwgw::test
