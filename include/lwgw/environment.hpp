// The injected process environment and the file locations derived from it, resolved once.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace lwgw {

/// A copy of the environment variables; the only place lwgw reads them from.
class Env {
 public:
  Env() = default;
  explicit Env(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}

  /// Builds an Env from a `NAME=value` array such as `environ`.
  static Env from_environ(char** envp);

  /// Returns the value, or nullopt when unset. An empty value counts as set.
  std::optional<std::string> get(const std::string& name) const;
  /// Returns the value when set and non-empty, else `fallback`.
  std::string get_or(const std::string& name, const std::string& fallback) const;
  void set(const std::string& name, const std::string& value) { vars_[name] = value; }
  void unset(const std::string& name) { vars_.erase(name); }
  const std::map<std::string, std::string>& vars() const { return vars_; }

 private:
  std::map<std::string, std::string> vars_;
};

/// Every file location lwgw uses, resolved from an Env by resolve_paths().
struct Paths {
  std::filesystem::path home;
  std::filesystem::path config_dir;     // $XDG_CONFIG_HOME/lwgw
  std::filesystem::path config_file;    // user config (LWGW_CONFIG or --config override it)
  std::filesystem::path system_config;  // /etc/lwgw/config.toml (LWGW_SYSTEM_CONFIG for tests)
  std::filesystem::path credentials_file;
  std::filesystem::path state_dir;    // $XDG_STATE_HOME/lwgw
  std::filesystem::path runtime_dir;  // $XDG_RUNTIME_DIR/lwgw, else the state dir
  std::filesystem::path xdg_config_home;
  std::filesystem::path codex_home;         // $CODEX_HOME or ~/.codex
  std::filesystem::path claude_config_dir;  // $CLAUDE_CONFIG_DIR or ~/.claude
  std::filesystem::path zdotdir;            // $ZDOTDIR or ~
};

/// Resolves all paths. Throws Error(kConfig) when HOME is unset or relative.
Paths resolve_paths(const Env& env);

/// `~`-abbreviates `p` for display when it lies under `home`.
std::string display_path(const std::filesystem::path& p, const std::filesystem::path& home);

}  // namespace lwgw
