// Layered configuration: defaults < /etc/lwgw/config.toml < user file < LWGW_* env < flags.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "lwgw/environment.hpp"

namespace lwgw {

using ConfigValue = std::variant<std::string, std::int64_t, bool, std::vector<std::string>>;

enum class ConfigType { kString, kInt, kBool, kStringList };

/// One documented key: its type, default, environment override and a one-line description.
struct ConfigKey {
  std::string name;  // "section.key"
  ConfigType type;
  ConfigValue default_value;
  std::string env;  // LWGW_* variable that overrides it, or empty
  std::string help;
  std::int64_t min = 0;  // kInt: the bounds a value must keep (a proxy that cannot break)
  std::int64_t max = 0;
};

/// Every key lwgw knows, in the order `config show` prints them.
const std::vector<ConfigKey>& config_keys();
/// The key's spec, or nullptr when unknown.
const ConfigKey* find_config_key(const std::string& name);

/// A value and where it came from ("default", a file path, "env LWGW_LISTEN", "flag --listen").
struct ConfigSetting {
  ConfigValue value;
  std::string origin;
};

/// The effective configuration after layering.
class Config {
 public:
  /// Loads all layers. Throws Error(kConfig) for a malformed file (file:line:column), a value of
  /// the wrong type or an invalid value, naming where it came from. Unknown keys become warnings().
  /// Values are normalised once here: gateway.url has no trailing slash, whatever layer set it.
  static Config load(const Paths& paths, const Env& env);

  const ConfigSetting& setting(const std::string& key) const;
  std::string get_string(const std::string& key) const;
  std::int64_t get_int(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  std::vector<std::string> get_list(const std::string& key) const;

  /// Overrides a key from a command-line flag (validated like any other layer).
  void apply_flag(const std::string& key, const std::string& text, const std::string& flag);

  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::map<std::string, ConfigSetting>& settings() const { return settings_; }

 private:
  std::map<std::string, ConfigSetting> settings_;
  std::vector<std::string> warnings_;
};

/// Parses user text (`config set`, flags, env) into a value of the key's type.
/// Lists accept a TOML array literal or comma-separated words. Throws Error(kUsage) on bad input.
ConfigValue parse_config_value(const ConfigKey& key, const std::string& text);

/// Throws Error(kConfig) when `value` is not acceptable for `key` (bad URL, listen address…).
/// `where` names the source for the message.
void validate_config_value(const ConfigKey& key, const ConfigValue& value,
                           const std::string& where);

/// The value as TOML literal text (what `config set` writes).
std::string to_toml_literal(const ConfigValue& value);
/// The value for humans (`config show`/`get`): strings bare, lists comma-separated.
std::string to_display(const ConfigValue& value);

/// Returns the user file's new text with `key` set (comments and layout kept). Throws Error.
/// Rewrites the user config file `paths.config_file` under a lock (config.lock in the state dir),
/// so two lwgw processes editing it never lose an update: `edit` gets the current text ("" when
/// there is no file) and returns the new one, written atomically (0600 when new) only when it
/// differs. Returns whether it did. Throws what `edit` throws, or Error when locking fails.
bool edit_config_file(const Paths& paths,
                      const std::function<std::string(const std::string&)>& edit);

std::string config_text_set(const std::string& text, const ConfigKey& key, const ConfigValue& value,
                            const std::string& file_for_errors);
/// Returns the user file's new text without `key`. Throws Error.
std::string config_text_unset(const std::string& text, const ConfigKey& key,
                              const std::string& file_for_errors);

/// A loopback/listen address split into host and port. Throws Error(kConfig) when malformed.
struct HostPort {
  std::string host;  // without brackets for IPv6
  int port = 0;
};
HostPort parse_listen(const std::string& addr);
/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

}  // namespace lwgw
