// `lwgw up --foreground`: the proxy::Server with its log sink, signals, reload, credential watcher,
// readiness message and state file. Everything here runs on the proxy's one thread.
#include "lwgw/daemon/host.hpp"
#include "lwgw/util/clock.hpp"

#include <sys/resource.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <csignal>
#include <ostream>

#include "lwgw/daemon/port_holder.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/proxy/settings.hpp"
#include "lwgw/redact.hpp"

namespace lwgw::daemon {

namespace {

constexpr std::uintmax_t kLogMaxBytes = 10u << 20;
constexpr int kLogKeep = 3;

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
  if (auto h = port_holder(hp.port))
    msg += " by pid " + std::to_string(h->pid) + " (" + h->program + ")";
  return msg +
         "; stop that program or pick another port with `lwgw config set proxy.listen "
         "127.0.0.1:PORT`";
}

StartFailed start_failed(const Error& e) {
  return StartFailed{e.code(), redact(e.what())};
}

// The proxy holds the VK in memory: a crash must not leave it in a core file, and no other
// process of the user may read its memory (ptrace, /proc/<pid>/mem).
void no_core_dumps() {
  rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
#if defined(__linux__)
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

}  // namespace

Host::Host(Context& ctx, HostOptions options)
    : ctx_(ctx), options_(std::move(options)), ready_(options_.ready_fd) {}

Host::~Host() = default;

int Host::run() {
  start();
  open_log();
  bind();
  pid_ = static_cast<int>(::getpid());
  write_state(ctx_.paths(),
              State{pid_, address(pre_.listen.host, port_), ctx_.config().get_string("gateway.url"),
                    ctx_.self_exe, util::utc_now_iso(), process_start_time(pid_).value_or(""),
                    server_->status_key()});
  ready_.send(Ready{port_, pid_});
  if (!daemonized())
    *ctx_.io.err << "lwgw: proxy listening on " << url_for(pre_.listen.host, port_) << " (pid "
                 << pid_ << ")\n"
                 << std::flush;
  wire_events();
  server_->run();
  remove_state(ctx_.paths(), pid_);
  return 0;
}

void Host::start() {
  no_core_dumps();
  try {
    fs::ensure_private_dir(ctx_.paths().state_dir);
    fs::ensure_private_dir(ctx_.paths().runtime_dir);
    check_state_file(ctx_.paths());
    pre_ = preflight(ctx_, options_.listen);
    if (auto live = find_running(ctx_.paths(), ctx_.env))
      throw failure("the proxy already runs (pid " + std::to_string(live->state.pid) + ", " +
                    live->state.listen + "); stop it with `lwgw down`");
  } catch (const Error& e) {
    ready_.send(start_failed(e));
    throw;
  }
}

void Host::open_log() {
  // The log file always; stderr too in a terminal (a daemon's stderr *is* the log file).
  file_log_ = std::make_unique<RotatingLog>(log_file(ctx_.paths()), kLogMaxBytes, kLogKeep,
                                            daemonized() ? STDERR_FILENO : -1);
  // A terminal shows every line; under a service manager stderr gets the lifecycle lines only
  // (the journal is not a second access log).
  echo_requests_ = ::isatty(STDERR_FILENO) == 1;
}

void Host::log(const std::string& line) {
  std::string safe = redact(line);
  file_log_->write_line(safe);
  if (daemonized()) return;
  if (echo_requests_ || safe.find("\"msg\":\"request\"") == std::string::npos)
    *ctx_.io.err << safe << '\n' << std::flush;
}

void Host::bind() {
  proxy::Settings settings = proxy::settings_from(ctx_.config(), ctx_.env);
  settings.inherited_fd = inherited_listener(ctx_.env);
  server_ = std::make_unique<proxy::Server>(settings, pre_.secrets,
                                            [this](const std::string& line) { log(line); });
  try {
    port_ = server_->bind();
  } catch (const proxy::BindError& e) {
    Error error = e.in_use() ? failure(port_in_use_message(pre_.listen)) : failure(e.what());
    ready_.send(start_failed(error));
    throw error;
  } catch (const Error& e) {
    ready_.send(start_failed(e));
    throw;
  }
}

void Host::reload_secrets() {
  proxy::Secrets fresh;
  try {
    fresh = read_secrets(ctx_);
  } catch (const Error& e) {  // an event callback: keep serving with what it has
    log(proxy::log_line("warn", "lwgw_reload_failed", {{"error", redact(e.what())}}));
    return;
  }
  register_secret(fresh.vk);
  register_secret(fresh.local_token);
  server_->set_secrets(fresh);
  log(proxy::log_line("info", "lwgw_reloaded",
                      {{"logged_in", fresh.vk.empty() ? "false" : "true"}}));
}

void Host::reload_config() {
  try {
    Config next = Config::load(ctx_.paths(), ctx_.env);
    server_->reload_settings(proxy::settings_from(next, ctx_.env));
    if (next.get_string("proxy.listen") != ctx_.config().get_string("proxy.listen"))
      log(proxy::log_line("warn", "lwgw_restart_needed",
                          {{"hint", "proxy.listen changed: run `lwgw down && lwgw up`"}}));
  } catch (const std::exception& e) {
    log(proxy::log_line("error", "lwgw_config_reload_failed", {{"error", e.what()}}));
  }
}

void Host::wire_events() {
  // Signals and the credential files are events on the proxy's loop: no thread polls for them.
  server_->on_signal(SIGHUP, [this] {
    reload_config();
    reload_secrets();
  });
  server_->on_signal(SIGTERM, [this] { server_->drain(); });
  server_->on_signal(SIGINT, [this] { server_->drain(); });
  // `lwgw login`/`logout` rewrite these files: a new key is picked up at once.
  server_->on_files_changed({ctx_.paths().credentials_file, ctx_.paths().state_dir / "login.json"},
                            [this] { reload_secrets(); });
}

}  // namespace lwgw::daemon
