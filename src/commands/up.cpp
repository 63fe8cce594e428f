// `lwgw up`: start the local proxy — as a background daemon (default) or in this terminal.
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "lwgw/commands.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/daemon.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/process.hpp"
#include "lwgw/proxy/server.hpp"
#include "lwgw/redact.hpp"

namespace lwgw {

namespace {

struct UpOptions {
  bool foreground = false;
  std::string listen;
  int ready_fd = -1;  // hidden: the daemon reports readiness to `lwgw up` through this pipe
};

constexpr std::uintmax_t kLogMaxBytes = 10u << 20;
constexpr int kLogKeep = 3;

proxy::Secrets read_secrets(CredentialStore& store, const Env& env) {
  proxy::Secrets s;
  if (auto k = resolve_vk(store, env)) s.vk = k->key;
  if (auto t = store.get(kLocalToken)) s.local_token = *t;
  return s;
}

// host:port as it appears in URLs (IPv6 in brackets).
std::string address(const std::string& host, int port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

std::string url_for(const std::string& host, int port) {
  return "http://" + address(host, port);
}

void report(int fd, const std::string& line) {
  if (fd < 0) return;
  std::string data = line + "\n";
  (void)!::write(fd, data.data(), data.size());
}

// Everything `up` checks before it forks, so a user sees the reason in the terminal.
struct Preflight {
  proxy::Secrets secrets;
  HostPort listen;
};

Preflight preflight(Context& ctx, const UpOptions& o) {
  Config& cfg = ctx.config();
  if (!o.listen.empty()) cfg.apply_flag("proxy.listen", o.listen, "--listen");
  Preflight p;
  p.listen = parse_listen(cfg.get_string("proxy.listen"));
  if (!cfg.get_bool("proxy.allow_remote") && !is_loopback_host(p.listen.host))
    throw failure("proxy.listen " + cfg.get_string("proxy.listen") +
                  " is not a loopback address; the proxy holds your key, so it listens on "
                  "127.0.0.1, ::1 or localhost unless proxy.allow_remote = true");
  CredentialStore& store = ctx.credentials();
  p.secrets = read_secrets(store, ctx.env);
  if (p.secrets.vk.empty()) throw config_error("no virtual key: run `lwgw login` first");
  if (p.secrets.local_token.empty()) {
    p.secrets.local_token = generate_local_token();
    store.set(kLocalToken, p.secrets.local_token);
  }
  register_secret(p.secrets.vk);
  register_secret(p.secrets.local_token);
  return p;
}

// The listening socket a service manager handed over (systemd socket activation: LISTEN_FDS and
// LISTEN_PID name this process; the first socket is fd 3), or -1.
int inherited_listener(const Env& env) {
  auto fds = env.get("LISTEN_FDS");
  auto pid = env.get("LISTEN_PID");
  if (!fds || *fds != "1") return -1;
  if (pid && *pid != std::to_string(::getpid())) return -1;
  return 3;
}

std::string port_in_use_message(const HostPort& hp) {
  std::string msg = "cannot listen on " + hp.host + ":" + std::to_string(hp.port) +
                    ": the port is already in use";
  if (auto h = daemon::port_holder(hp.port))
    msg += " by pid " + std::to_string(h->pid) + " (" + h->program + ")";
  return msg +
         "; stop that program or pick another port with `lwgw config set proxy.listen "
         "127.0.0.1:PORT`";
}

int run_foreground(Context& ctx, const UpOptions& o) {
  const bool daemonized = o.ready_fd >= 0;
  Preflight pre;
  try {
    pre = preflight(ctx, o);
    if (auto live = daemon::find_running(ctx.paths(), ctx.env))
      throw failure("the proxy already runs (pid " + std::to_string(live->state.pid) + ", " +
                    live->state.listen + "); stop it with `lwgw down`");
  } catch (const Error& e) {
    report(o.ready_fd,
           "error " + std::to_string(static_cast<int>(e.code())) + " " + redact(e.what()));
    throw;
  }
  Config& cfg = ctx.config();

  // The log file always; stderr too in a terminal (a daemon's stderr *is* the log file).
  daemon::RotatingLog file_log(daemon::log_file(ctx.paths()), kLogMaxBytes, kLogKeep,
                               daemonized ? STDERR_FILENO : -1);
  std::ostream& err = *ctx.io.err;
  // The file gets every line. A terminal also shows every line; under a service manager stderr
  // gets the lifecycle lines only (the journal is not a second access log).
  const bool echo_requests = ::isatty(STDERR_FILENO) == 1;
  // Called on the proxy's one thread only.
  auto log = [&](const std::string& line) {
    std::string safe = redact(line);
    file_log.write_line(safe);
    if (daemonized) return;
    if (echo_requests || safe.find("\"msg\":\"request\"") == std::string::npos)
      err << safe << '\n' << std::flush;
  };

  proxy::Settings settings = proxy::settings_from(cfg, ctx.env);
  settings.inherited_fd = inherited_listener(ctx.env);
  proxy::Server server(settings, pre.secrets, log);
  int port = 0;
  try {
    port = server.bind();
  } catch (const proxy::BindError& e) {
    std::string msg = e.in_use() ? port_in_use_message(pre.listen) : std::string(e.what());
    report(o.ready_fd, "error 1 " + redact(msg));
    throw failure(msg);
  } catch (const Error& e) {
    report(o.ready_fd,
           "error " + std::to_string(static_cast<int>(e.code())) + " " + redact(e.what()));
    throw;
  }
  const int pid = static_cast<int>(::getpid());
  daemon::State state{pid, address(pre.listen.host, port), cfg.get_string("gateway.url"),
                      ctx.self_exe, utc_now_iso()};
  daemon::write_state(ctx.paths(), state);
  const std::string url = url_for(pre.listen.host, port);
  report(o.ready_fd, "ready " + std::to_string(port) + " " + std::to_string(pid));
  if (o.ready_fd >= 0) ::close(o.ready_fd);
  if (!daemonized)
    err << "lwgw: proxy listening on " << url << " (pid " << pid << ")\n" << std::flush;

  auto reload = [&] {
    proxy::Secrets fresh = read_secrets(ctx.credentials(), ctx.env);
    register_secret(fresh.vk);
    register_secret(fresh.local_token);
    server.set_secrets(fresh);
    log(proxy::log_line("info", "lwgw_reloaded",
                        {{"logged_in", fresh.vk.empty() ? "false" : "true"}}));
  };
  auto reload_config = [&] {
    try {
      Config next = Config::load(ctx.paths(), ctx.env);
      server.reload_settings(proxy::settings_from(next, ctx.env));
      if (next.get_string("proxy.listen") != cfg.get_string("proxy.listen"))
        log(proxy::log_line("warn", "lwgw_restart_needed",
                            {{"hint", "proxy.listen changed: run `lwgw down && lwgw up`"}}));
    } catch (const std::exception& e) {
      log(proxy::log_line("error", "lwgw_config_reload_failed", {{"error", e.what()}}));
    }
  };
  // Signals and the credential files are events on the proxy's loop: no thread polls for them.
  server.on_signal(SIGHUP, [&] {
    reload_config();
    reload();
  });
  server.on_signal(SIGTERM, [&] { server.drain(); });
  server.on_signal(SIGINT, [&] { server.drain(); });
  // `lwgw login`/`logout` rewrite these files: a new key is picked up at once.
  server.on_files_changed({ctx.paths().credentials_file, ctx.paths().state_dir / "login.json"},
                          reload);

  server.run();
  daemon::remove_state(ctx.paths(), pid);
  return 0;
}

// Starts `lwgw up --foreground` detached (new session, stdio to the log) and waits until it
// reports that it listens, or why it could not.
int run_background(Context& ctx, const UpOptions& o) {
  Preflight pre = preflight(ctx, o);
  if (auto live = daemon::find_running(ctx.paths(), ctx.env)) {
    auto want = pre.listen;
    std::string want_addr = address(want.host, want.port);
    if (want.port == 0 || live->state.listen == want_addr) {
      *ctx.io.err << "lwgw: the proxy already runs on http://" << live->state.listen << " (pid "
                  << live->state.pid << ")\n";
      return 0;
    }
    throw failure("the proxy already runs on " + live->state.listen + " (pid " +
                  std::to_string(live->state.pid) + "), not on " + want_addr +
                  "; restart it with `lwgw down && lwgw up`");
  }
  int pipefd[2];
  if (::pipe(pipefd) != 0) throw failure("cannot create a pipe to the daemon");
  std::vector<std::string> args = {ctx.self_exe, "up", "--foreground", "--ready-fd",
                                   std::to_string(pipefd[1])};
  if (!ctx.opts.config_path.empty())
    args.insert(args.begin() + 1, {"--config", ctx.opts.config_path});
  if (!o.listen.empty()) args.insert(args.end(), {"--listen", o.listen});
  std::vector<std::string> envs = process::to_envp(ctx.env);
  std::vector<char*> cargv, cenv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : envs) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  fs::ensure_dir(ctx.paths().state_dir, 0700);

  pid_t child = ::fork();
  if (child < 0) throw failure("cannot fork the daemon");
  if (child == 0) {
    ::setsid();
    if (::fork() != 0) _exit(0);  // the daemon is re-parented and can never regain a terminal
    ::close(pipefd[0]);
    int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    if (devnull > 2) ::close(devnull);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::chdir("/");
    ::execve(ctx.self_exe.c_str(), cargv.data(), cenv.data());
    _exit(127);
  }
  ::close(pipefd[1]);
  ::waitpid(child, nullptr, 0);
  std::string reply;
  char buf[1024];
  for (int waited = 0; waited < 20000 && reply.find('\n') == std::string::npos;) {
    pollfd p{pipefd[0], POLLIN, 0};
    int r = ::poll(&p, 1, 100);
    waited += 100;
    if (r <= 0) continue;
    ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(pipefd[0]);
  if (reply.rfind("ready ", 0) == 0) {
    int port = 0, pid = 0;
    std::sscanf(reply.c_str(), "ready %d %d", &port, &pid);
    *ctx.io.err << "lwgw: proxy listening on " << url_for(pre.listen.host, port) << " (pid " << pid
                << ")\n";
    return 0;
  }
  if (reply.rfind("error ", 0) == 0) {
    int code = std::atoi(reply.c_str() + 6);
    std::string msg = reply.substr(reply.find(' ', 6) + 1);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    throw Error(code == 3 ? Exit::kConfig : Exit::kFailed, msg);
  }
  throw failure("the proxy exited while starting; see `lwgw logs`");
}

}  // namespace

void configure_up(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<UpOptions>();
  cmd.add_flag("--foreground", o->foreground, "Run in this terminal (what service managers use)");
  cmd.add_option("--listen", o->listen, "Address to listen on (default proxy.listen)")
      ->type_name("ADDR");
  cmd.add_option("--ready-fd", o->ready_fd, "internal: readiness pipe of a daemon")->group("");
  cmd.footer(
      "Without --foreground the proxy runs in the background (its log: `lwgw logs`) and `up`\n"
      "returns once it listens. Stop it with `lwgw down`; start it at login with `lwgw service "
      "install`.");
  cmd.callback([&ctx, &action, o] {
    action = [&ctx, o] {
      return o->foreground ? run_foreground(ctx, *o) : run_background(ctx, *o);
    };
  });
}

}  // namespace lwgw
