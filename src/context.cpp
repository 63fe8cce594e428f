// Context: lazily resolved paths, configuration, credential store and logger.
#include "lwgw/context.hpp"

#include <iostream>

#include "lwgw/credentials.hpp"

namespace lwgw {

Context::Context(Env e, Io i, std::string exe)
    : env(std::move(e)), io(std::move(i)), self_exe(std::move(exe)) {}

Context::~Context() = default;

const Paths& Context::paths() {
  if (!paths_) {
    paths_ = resolve_paths(env);
    if (!opts.config_path.empty()) paths_->config_file = opts.config_path;
  }
  return *paths_;
}

Logger& Context::log() {
  if (!log_) {
    Level level = Level::kInfo;
    if (auto l = parse_level(env.get_or("LWGW_LOG_LEVEL", ""))) level = *l;
    if (opts.verbose == 1) level = Level::kDebug;
    if (opts.verbose >= 2) level = Level::kTrace;
    if (opts.quiet) level = Level::kError;
    log_ = std::make_unique<Logger>(*io.err, level);
  }
  return *log_;
}

Config& Context::config() {
  if (!config_) {
    config_ = Config::load(paths(), env);
    if (!opts.quiet && opts.verbose == 0)
      if (auto l = parse_level(config_->get_string("log.level"))) log().set_level(*l);
    for (const auto& w : config_->warnings()) log().warn(w);
  }
  return *config_;
}

void Context::reload_config() {
  config_.reset();
  store_.reset();
}

CredentialStore& Context::credentials() {
  if (!store_)
    store_ = open_credential_store(config().get_string("credentials.store"), paths(), env);
  return *store_;
}

bool Context::color() const {
  return io.out_tty && !opts.no_color && !env.get("NO_COLOR").has_value();
}

std::string Context::paint(const std::string& text, int code) const {
  if (!color()) return text;
  return "\033[" + std::to_string(code) + "m" + text + "\033[0m";
}

}  // namespace lwgw
