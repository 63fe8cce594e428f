// What `lwgw doctor` reads once, before any check runs: the environment, paths, the layered
// configuration (a broken layer left out and reported), the key and local token, the CLIs setup
// configured, and the time left. Checks read these concurrently; nothing here changes after.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lwgw/config.hpp"
#include "lwgw/context.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/doctor/check.hpp"
#include "lwgw/environment.hpp"
#include "lwgw/util/clock.hpp"

namespace lwgw::doctor {

/// A configuration layer that does not load: which one, the error, and where.
struct ConfigProblem {
  std::string layer;  // "system file", "user file", "environment"
  std::string message;
  std::optional<Source> where;
};

struct Facts {
  Env env;
  Paths paths;
  std::filesystem::path cwd;
  std::string self_exe;
  /// Claude Code's managed (system-wide) settings file: it beats every other scope.
  std::filesystem::path claude_managed_settings;

  Config config;  // effective: defaults and every layer that loads
  std::vector<ConfigProblem> config_problems;
  std::vector<std::string> config_warnings;  // unknown keys
  std::string gateway;                       // gateway.url
  std::string listen;                        // proxy.listen
  std::string ca_file;                       // gateway.ca_file

  std::optional<ResolvedKey> key;  // the VK in use (LWGW_VK or the store)
  std::string key_error;           // why the store could not be read
  std::string store;               // the store's description
  std::string store_kind;          // "file" | "keychain" | ""
  std::optional<std::string> local_token;

  std::map<std::string, std::string> clis;  // set up by lwgw: name -> "proxy" | "direct"
  std::string clis_error;                   // the manifest could not be read
  std::string mode;                         // "proxy" (any CLI in proxy mode), "direct", "none"

  util::MonoClock::time_point deadline;  // the whole run ends by then

  /// Seconds one network step may take: at most `cap`, and what is left before the deadline
  /// (0 when nothing is).
  double seconds_left(double cap = 3.0) const;
  /// The mode `cli` was set up in ("proxy", "direct"), or "" when it was not.
  std::string mode_of(const std::string& cli) const;
  /// `p` for display: `~/…` under home.
  std::string show(const std::filesystem::path& p) const;
  /// The base URL a CLI set up in proxy mode gets: http://<proxy.listen> (a wildcard host
  /// becomes loopback).
  std::string proxy_root() const;
};

/// Reads everything above from the context without writing anything. `budget_s` is the time the
/// whole run may take. Throws Error(kConfig) when HOME is unusable.
Facts gather_facts(Context& ctx, double budget_s);

}  // namespace lwgw::doctor
