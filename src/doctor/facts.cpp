// Reading what doctor's checks share, once and read-only: a broken configuration layer is left
// out (and reported by lwgw.config) so that every other check still runs.
#include "lwgw/doctor/facts.hpp"

#include <algorithm>
#include <regex>

#include "../setup/manifest.hpp"
#include "lwgw/error.hpp"
#include "lwgw/redact.hpp"

namespace lwgw::doctor {

namespace {

std::optional<Source> where_in(const std::string& message) {
  static const std::regex re(R"(([^ ]+\.toml):(\d+))");
  std::smatch m;
  if (!std::regex_search(message, m, re)) return std::nullopt;
  return Source{m[1].str(), std::stoi(m[2].str())};
}

/// Loads the layers, leaving out each that fails (user file, then system file, then the
/// environment) until the rest loads.
void load_config(Facts& f) {
  Paths paths = f.paths;
  Env env = f.env;
  const std::filesystem::path none = "/nonexistent/lwgw-doctor/config.toml";
  for (int attempt = 0; attempt < 4; ++attempt) {
    try {
      f.config = Config::load(paths, env);
      f.config_warnings = f.config.warnings();
      return;
    } catch (const Error& e) {
      const std::string msg = e.what();
      ConfigProblem p{"environment", msg, where_in(msg)};
      if (paths.config_file != none && msg.find(paths.config_file.string()) != std::string::npos) {
        p.layer = "user file";
        paths.config_file = none;
      } else if (paths.system_config != none &&
                 msg.find(paths.system_config.string()) != std::string::npos) {
        p.layer = "system file";
        paths.system_config = none;
      } else {
        for (const auto& k : config_keys())
          if (!k.env.empty()) env.unset(k.env);
      }
      f.config_problems.push_back(p);
    }
  }
  // Nothing loads even with every layer left out: the defaults are broken, doctor cannot run.
  throw config_error("doctor: the configuration cannot be loaded even from its defaults");
}

void load_key(Facts& f) {
  std::unique_ptr<CredentialStore> store;
  try {
    store = open_credential_store(f.config.get_string("credentials.store"), f.paths, f.env);
    f.store = store->describe();
    f.store_kind = store->kind();
  } catch (const Error& e) {
    f.key_error = e.what();
  }
  try {
    if (store) {
      f.key = resolve_vk(*store, f.env);
      f.local_token = store->get(kLocalToken);
    } else if (auto v = f.env.get("LWGW_VK"); v && !v->empty()) {
      f.key = ResolvedKey{*v, "env LWGW_VK"};
    }
  } catch (const Error& e) {
    f.key_error = e.what();
    if (auto v = f.env.get("LWGW_VK"); v && !v->empty()) f.key = ResolvedKey{*v, "env LWGW_VK"};
  }
  if (f.key) register_secret(f.key->key);
  if (f.local_token) register_secret(*f.local_token);
}

void load_clis(Facts& f) {
  try {
    for (const auto& [cli, info] : setup::Manifest::load(f.paths).clis)
      f.clis[cli] = info.is_object() ? info.value("mode", "proxy") : "proxy";
  } catch (const Error& e) {
    f.clis_error = e.what();
  }
  const bool proxy =
      std::any_of(f.clis.begin(), f.clis.end(), [](const auto& c) { return c.second == "proxy"; });
  f.mode = proxy ? "proxy" : f.clis.empty() ? "none" : "direct";
}

}  // namespace

double Facts::seconds_left(double cap) const {
  const double left = std::chrono::duration<double>(deadline - util::MonoClock::now()).count();
  return std::max(0.0, std::min(cap, left));
}

std::string Facts::mode_of(const std::string& cli) const {
  auto it = clis.find(cli);
  return it == clis.end() ? "" : it->second;
}

std::string Facts::show(const std::filesystem::path& p) const {
  return display_path(p, paths.home);
}

std::string Facts::proxy_root() const {
  std::string host;
  int port = 0;
  try {
    HostPort hp = parse_listen(listen);
    host = hp.host;
    port = hp.port;
  } catch (const Error&) {
    return "http://" + listen;
  }
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port);
}

Facts gather_facts(Context& ctx, double budget_s) {
  Facts f;
  f.deadline = util::MonoClock::now() + std::chrono::duration_cast<util::MonoClock::duration>(
                                            std::chrono::duration<double>(budget_s));
  f.env = ctx.env;
  f.paths = ctx.paths();
#if defined(__APPLE__)
  f.claude_managed_settings = "/Library/Application Support/ClaudeCode/managed-settings.json";
#else
  f.claude_managed_settings = "/etc/claude-code/managed-settings.json";
#endif
  std::error_code ec;
  f.cwd = std::filesystem::current_path(ec);
  f.self_exe = ctx.self_exe;
  load_config(f);
  f.gateway = f.config.get_string("gateway.url");
  f.listen = f.config.get_string("proxy.listen");
  f.ca_file = f.config.get_string("gateway.ca_file");
  load_key(f);
  load_clis(f);
  return f;
}

}  // namespace lwgw::doctor
