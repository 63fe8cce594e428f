// `lwgw up`: start the local proxy (`--foreground` runs it in this terminal).
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <thread>

#include "lwgw/commands.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/error.hpp"
#include "lwgw/proxy/server.hpp"
#include "lwgw/redact.hpp"

namespace lwgw {

namespace {

struct UpOptions {
  bool foreground = false;
  std::string listen;
};

proxy::Secrets read_secrets(CredentialStore& store, const Env& env) {
  proxy::Secrets s;
  if (auto k = resolve_vk(store, env)) s.vk = k->key;
  if (auto t = store.get(kLocalToken)) s.local_token = *t;
  return s;
}

// A cheap change detector for the files `lwgw login`/`logout` write.
std::string stamp(const std::vector<std::filesystem::path>& files) {
  std::string out;
  for (const auto& f : files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) == 0)
      out += std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
             std::to_string(st.st_size) + ";";
    else
      out += "-;";
  }
  return out;
}

proxy::Settings settings_from(Config& cfg, const Env& env) {
  proxy::Settings s;
  auto hp = parse_listen(cfg.get_string("proxy.listen"));
  s.listen_host = hp.host;
  s.listen_port = hp.port;
  s.allow_remote = cfg.get_bool("proxy.allow_remote");
  s.require_local_token = cfg.get_bool("proxy.require_local_token") || s.allow_remote;
  s.max_body_bytes = static_cast<size_t>(cfg.get_int("proxy.max_body_mib")) << 20;
  s.idle_timeout_s = static_cast<int>(cfg.get_int("proxy.idle_timeout_s"));
  s.drain_timeout_s = static_cast<int>(cfg.get_int("proxy.drain_timeout_s"));
  s.max_connections = static_cast<int>(cfg.get_int("proxy.max_connections"));
  s.allowed_origins = cfg.get_list("proxy.allowed_origins");
  s.gateway_url = cfg.get_string("gateway.url");
  while (!s.gateway_url.empty() && s.gateway_url.back() == '/') s.gateway_url.pop_back();
  s.ca_file = cfg.get_string("gateway.ca_file");
  s.connect_timeout_s = static_cast<long>(cfg.get_int("gateway.connect_timeout_s"));
  s.env = env;
  return s;
}

int run_foreground(Context& ctx, const UpOptions& o) {
  Config& cfg = ctx.config();
  if (!o.listen.empty()) cfg.apply_flag("proxy.listen", o.listen, "--listen");
  CredentialStore& store = ctx.credentials();
  proxy::Secrets secrets = read_secrets(store, ctx.env);
  if (secrets.vk.empty()) throw config_error("no virtual key: run `lwgw login` first");
  if (secrets.local_token.empty()) {
    secrets.local_token = generate_local_token();
    store.set(kLocalToken, secrets.local_token);
  }
  register_secret(secrets.vk);
  register_secret(secrets.local_token);

  // Signals go to one thread (sigwait); every thread created from here on inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::mutex log_mutex;
  std::ostream& err = *ctx.io.err;
  proxy::Server server(settings_from(cfg, ctx.env), secrets, [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mutex);
    err << redact(line) << '\n' << std::flush;
  });
  int port = server.bind();
  const auto& s = cfg.get_string("proxy.listen");
  std::string host = parse_listen(s).host;
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  err << "lwgw: proxy listening on http://" << shown << ":" << port << " (pid " << ::getpid()
      << ")\n"
      << std::flush;

  std::atomic<bool> done{false};
  auto reload = [&] {
    proxy::Secrets fresh = read_secrets(store, ctx.env);
    register_secret(fresh.vk);
    register_secret(fresh.local_token);
    server.set_secrets(fresh);
    std::lock_guard<std::mutex> lock(log_mutex);
    err << proxy::log_line("info", "lwgw_reloaded",
                           {{"logged_in", fresh.vk.empty() ? "false" : "true"}})
        << '\n'
        << std::flush;
  };
  std::thread signal_thread([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP && !done) {
        try {
          reload();
        } catch (...) {
        }
        continue;
      }
      server.drain();
      return;
    }
  });
  // `lwgw login`/`logout` rewrite these files: a new key is picked up within a second or two.
  std::vector<std::filesystem::path> watched = {ctx.paths().credentials_file,
                                                ctx.paths().state_dir / "login.json"};
  std::thread watcher([&] {
    std::string last = stamp(watched);
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      std::string now = stamp(watched);
      if (now == last) continue;
      last = now;
      try {
        reload();
      } catch (...) {
      }
    }
  });

  server.run();
  done = true;
  pthread_kill(signal_thread.native_handle(), SIGTERM);  // wake sigwait if it is still waiting
  signal_thread.join();
  watcher.join();
  return 0;
}

}  // namespace

void configure_up(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<UpOptions>();
  cmd.add_flag("--foreground", o->foreground, "Run in this terminal (what service managers use)");
  cmd.add_option("--listen", o->listen, "Address to listen on (default proxy.listen)")
      ->type_name("ADDR");
  cmd.callback([&ctx, &action, o] {
    if (!o->foreground) {
      action = [&ctx] {
        *ctx.io.err << "lwgw: up: the background daemon is not implemented yet; run `lwgw up "
                       "--foreground`\n";
        return 1;
      };
      return;
    }
    action = [&ctx, o] { return run_foreground(ctx, *o); };
  });
}

}  // namespace lwgw
