// Layered configuration: schema, loading, validation and comment-preserving edits.
#include "lwgw/config.hpp"

#include <arpa/inet.h>
#include <toml++/toml.h>
#include <algorithm>

#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/log.hpp"
#include "lwgw/toml_edit.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw {

namespace {
using Strings = std::vector<std::string>;

std::string type_name(ConfigType t) {
  switch (t) {
    case ConfigType::kString:
      return "a string";
    case ConfigType::kInt:
      return "an integer";
    case ConfigType::kBool:
      return "true or false";
    case ConfigType::kStringList:
      return "a list of strings";
  }
  return "a value";
}

std::pair<std::vector<std::string>, std::string> split_key(const std::string& name) {
  auto dot = name.find('.');
  return {{name.substr(0, dot)}, name.substr(dot + 1)};
}

// Converts a toml++ node into a value of the key's type, or nullopt on a type mismatch.
std::optional<ConfigValue> from_node(const ConfigKey& key, const toml::node& node) {
  switch (key.type) {
    case ConfigType::kString:
      if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
      return std::nullopt;
    case ConfigType::kInt:
      if (node.is_integer()) return *node.value<std::int64_t>();
      return std::nullopt;
    case ConfigType::kBool:
      if (node.is_boolean()) return *node.value<bool>();
      return std::nullopt;
    case ConfigType::kStringList: {
      if (!node.is_array()) return std::nullopt;
      Strings out;
      for (auto&& el : *node.as_array()) {
        if (!el.is_string()) return std::nullopt;
        out.push_back(*el.value<std::string>());
      }
      return out;
    }
  }
  return std::nullopt;
}

std::string position(const std::string& file, const toml::source_region& r) {
  return file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

void load_file(const std::filesystem::path& path, const std::string& origin,
               std::map<std::string, ConfigSetting>& settings, std::vector<std::string>& warnings) {
  auto text = fs::read_file(path);
  if (!text) return;
  toml::table root;
  try {
    root = toml::parse(*text, std::string_view{});
  } catch (const toml::parse_error& e) {
    throw config_error("malformed config " + position(path.string(), e.source()) + ": " +
                       std::string(e.description()) + " (fix the file or remove it)");
  }
  for (auto&& [section, node] : root) {
    const auto* table = node.as_table();
    if (!table) {
      warnings.push_back("unknown key '" + std::string(section.str()) + "' in " + path.string() +
                         " (ignored)");
      continue;
    }
    for (auto&& [k, v] : *table) {
      const std::string name = std::string(section.str()) + "." + std::string(k.str());
      const ConfigKey* spec = find_config_key(name);
      if (!spec) {
        warnings.push_back("unknown key '" + name + "' at " + position(path.string(), k.source()) +
                           " (ignored)");
        continue;
      }
      auto value = from_node(*spec, v);
      if (!value)
        throw config_error(name + " at " + position(path.string(), v.source()) + " must be " +
                           type_name(spec->type));
      validate_config_value(*spec, *value, position(path.string(), v.source()));
      settings[name] = {*value, origin};
    }
  }
}
// The one place a value is normalised: gateway.url without trailing slashes, so every caller can
// append a path to it.
ConfigValue normalized(const std::string& key, ConfigValue value) {
  if (key == "gateway.url") return util::trim_trailing_slashes(std::get<std::string>(value));
  return value;
}
}  // namespace

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = {
      {"gateway.url", ConfigType::kString, std::string("https://gateway.langwatch.ai"),
       "LWGW_GATEWAY_URL", "the LangWatch AI Gateway's base URL"},
      {"gateway.ca_file", ConfigType::kString, std::string(""), "",
       "extra PEM bundle for TLS-intercepting corporate proxies"},
      {"gateway.connect_timeout_s", ConfigType::kInt, std::int64_t{10}, "",
       "seconds to wait for a connection to the gateway", 1, 300},
      {"proxy.listen", ConfigType::kString, std::string("127.0.0.1:5566"), "LWGW_LISTEN",
       "the local proxy's address (loopback only unless allow_remote)"},
      {"proxy.allow_remote", ConfigType::kBool, false, "",
       "allow a non-loopback listen address (the local token is then mandatory)"},
      {"proxy.require_local_token", ConfigType::kBool, true, "",
       "clients must present the local token"},
      {"proxy.max_body_mib", ConfigType::kInt, std::int64_t{64}, "",
       "largest request body accepted, in MiB", 1, 1024},
      {"proxy.idle_timeout_s", ConfigType::kInt, std::int64_t{0}, "",
       "cut a silent stream after this many seconds (0 = never)", 0, 86400},
      {"proxy.header_timeout_s", ConfigType::kInt, std::int64_t{10}, "",
       "seconds a client gets to send a complete request header", 1, 600},
      {"proxy.response_timeout_s", ConfigType::kInt, std::int64_t{300}, "",
       "seconds the gateway gets to start its response (then 504)", 1, 3600},
      {"proxy.drain_timeout_s", ConfigType::kInt, std::int64_t{30}, "",
       "seconds in-flight requests get to finish on shutdown", 0, 3600},
      {"proxy.max_connections", ConfigType::kInt, std::int64_t{512}, "",
       "simultaneous client connections; beyond it a fast 503", 1, 10000},
      {"proxy.allowed_origins", ConfigType::kStringList, Strings{}, "",
       "browser Origins allowed to call the proxy (none by default)"},
      {"credentials.store", ConfigType::kString, std::string("auto"), "",
       "where the key is kept: auto | file | keychain"},
      {"log.level", ConfigType::kString, std::string("info"), "LWGW_LOG_LEVEL",
       "error | warn | info | debug | trace"},
  };
  return keys;
}

const ConfigKey* find_config_key(const std::string& name) {
  for (const auto& k : config_keys())
    if (k.name == name) return &k;
  return nullptr;
}

Config Config::load(const Paths& paths, const Env& env) {
  Config c;
  for (const auto& k : config_keys()) c.settings_[k.name] = {k.default_value, "default"};
  load_file(paths.system_config, paths.system_config.string(), c.settings_, c.warnings_);
  load_file(paths.config_file, display_path(paths.config_file, paths.home), c.settings_,
            c.warnings_);
  for (const auto& k : config_keys()) {
    if (k.env.empty()) continue;
    auto v = env.get(k.env);
    if (!v || v->empty()) continue;
    ConfigValue value;
    try {
      value = parse_config_value(k, *v);
    } catch (const Error& e) {
      throw config_error(std::string(e.what()) + " (from " + k.env + ")");
    }
    validate_config_value(k, value, "env " + k.env);
    c.settings_[k.name] = {value, "env " + k.env};
  }
  for (auto& [name, setting] : c.settings_) setting.value = normalized(name, setting.value);
  return c;
}

const ConfigSetting& Config::setting(const std::string& key) const {
  auto it = settings_.find(key);
  if (it == settings_.end()) throw usage_error("unknown config key '" + key + "'");
  return it->second;
}

std::string Config::get_string(const std::string& key) const {
  return std::get<std::string>(setting(key).value);
}
std::int64_t Config::get_int(const std::string& key) const {
  return std::get<std::int64_t>(setting(key).value);
}
bool Config::get_bool(const std::string& key) const {
  return std::get<bool>(setting(key).value);
}
std::vector<std::string> Config::get_list(const std::string& key) const {
  return std::get<Strings>(setting(key).value);
}

void Config::apply_flag(const std::string& key, const std::string& text, const std::string& flag) {
  const ConfigKey* spec = find_config_key(key);
  if (!spec) throw usage_error("unknown config key '" + key + "'");
  ConfigValue v = parse_config_value(*spec, text);
  validate_config_value(*spec, v, "flag " + flag);
  settings_[key] = {normalized(key, v), "flag " + flag};
}

ConfigValue parse_config_value(const ConfigKey& key, const std::string& raw) {
  const std::string text = util::trim(raw);
  switch (key.type) {
    case ConfigType::kString:
      return raw;
    case ConfigType::kInt: {
      try {
        size_t used = 0;
        long long n = std::stoll(text, &used);
        if (used == text.size()) return static_cast<std::int64_t>(n);
      } catch (...) {
      }
      throw usage_error(key.name + " must be an integer, not '" + raw + "'");
    }
    case ConfigType::kBool:
      if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
      if (text == "false" || text == "no" || text == "off" || text == "0") return false;
      throw usage_error(key.name + " must be true or false, not '" + raw + "'");
    case ConfigType::kStringList: {
      Strings out;
      if (!text.empty() && text.front() == '[') {
        try {
          auto doc = toml::parse("v = " + text, std::string_view{});
          auto value = from_node(key, *doc.get("v"));
          if (value) return *value;
        } catch (const toml::parse_error&) {
        }
        throw usage_error(key.name + " must be a list of strings, e.g. [\"a\", \"b\"]");
      }
      size_t start = 0;
      while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string item = util::trim(text.substr(start, comma - start));
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return out;
    }
  }
  return raw;
}

HostPort parse_listen(const std::string& addr) {
  HostPort hp;
  std::string port;
  if (!addr.empty() && addr.front() == '[') {
    auto close = addr.find(']');
    if (close == std::string::npos || close + 1 >= addr.size() || addr[close + 1] != ':')
      throw config_error("listen address '" + addr + "' must look like [::1]:5566");
    hp.host = addr.substr(1, close - 1);
    port = addr.substr(close + 2);
  } else {
    auto colon = addr.rfind(':');
    if (colon == std::string::npos || addr.find(':') != colon)
      throw config_error("listen address '" + addr + "' must look like 127.0.0.1:5566");
    hp.host = addr.substr(0, colon);
    port = addr.substr(colon + 1);
  }
  if (hp.host.empty() || port.empty() ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      port.size() > 5 || std::stoi(port) > 65535)
    throw config_error("listen address '" + addr + "' needs a host and a port (0-65535)");
  hp.port = std::stoi(port);
  return hp;
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr a4{};
  if (inet_pton(AF_INET, host.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  return false;
}

void validate_config_value(const ConfigKey& key, const ConfigValue& value,
                           const std::string& where) {
  auto bad = [&](const std::string& why) {
    throw config_error(key.name + " (" + where + "): " + why);
  };
  if (key.name == "gateway.url") {
    const auto& url = std::get<std::string>(value);
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
      bad("'" + url + "' is not an http:// or https:// URL");
    if (url.find_first_of(" \t\r\n?#") != std::string::npos)
      bad("'" + url + "' must not contain spaces, a query or a fragment");
    if (url.find_first_of("\\\"'<>`{}|^") != std::string::npos ||
        std::any_of(url.begin(), url.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
      bad("'" + url + "' must not contain backslashes, quotes or control characters");
  } else if (key.name == "proxy.listen") {
    try {
      parse_listen(std::get<std::string>(value));
    } catch (const Error& e) {
      bad(e.what());
    }
  } else if (key.name == "credentials.store") {
    const auto& s = std::get<std::string>(value);
    if (s != "auto" && s != "file" && s != "keychain") bad("must be auto, file or keychain");
  } else if (key.name == "log.level") {
    if (!parse_level(std::get<std::string>(value)))
      bad("must be error, warn, info, debug or trace");
  } else if (key.type == ConfigType::kInt) {
    auto n = std::get<std::int64_t>(value);
    if (n < key.min || n > key.max)
      bad(std::to_string(n) + " is out of range: " + std::to_string(key.min) + " to " +
          std::to_string(key.max));
  }
}

std::string to_toml_literal(const ConfigValue& value) {
  if (auto* s = std::get_if<std::string>(&value)) return toml_edit::quote(*s);
  if (auto* n = std::get_if<std::int64_t>(&value)) return std::to_string(*n);
  if (auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  std::string out = "[";
  for (const auto& item : std::get<Strings>(value))
    out += (out.size() > 1 ? ", " : "") + toml_edit::quote(item);
  return out + "]";
}

std::string to_display(const ConfigValue& value) {
  if (auto* s = std::get_if<std::string>(&value)) return *s;
  if (auto* n = std::get_if<std::int64_t>(&value)) return std::to_string(*n);
  if (auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  std::string out;
  for (const auto& item : std::get<Strings>(value)) out += (out.empty() ? "" : ",") + item;
  return out;
}

namespace {
template <typename Fn>
std::string edit_config(const std::string& file, Fn&& edit) {
  try {
    return edit();
  } catch (const toml_edit::ParseError& e) {
    throw config_error("malformed config " + file + ":" + std::to_string(e.line) + ":" +
                       std::to_string(e.column) + ": " + e.what() +
                       " (fix the file; lwgw left it untouched)");
  } catch (const std::runtime_error& e) {
    throw config_error("cannot edit " + file + ": " + e.what());
  }
}
}  // namespace

bool edit_config_file(const Paths& paths,
                      const std::function<std::string(const std::string&)>& edit) {
  fs::FileLock lock(
      paths.state_dir / "config.lock", std::chrono::seconds(10),
      "another lwgw command is still changing " + paths.config_file.string() + "; try again");
  const std::string before = fs::read_file(paths.config_file).value_or("");
  const std::string after = edit(before);
  if (after == before) return false;
  fs::atomic_write(paths.config_file, after, 0600);
  return true;
}

std::string config_text_set(const std::string& text, const ConfigKey& key, const ConfigValue& value,
                            const std::string& file) {
  auto [table, name] = split_key(key.name);
  // Explicit init-captures: clang 14 (clang-tidy) cannot capture structured bindings.
  return edit_config(file, [&text, &value, &t = table, &n = name] {
    return toml_edit::set(text, t, n, to_toml_literal(value));
  });
}

std::string config_text_unset(const std::string& text, const ConfigKey& key,
                              const std::string& file) {
  auto [table, name] = split_key(key.name);
  return edit_config(file,
                     [&text, &t = table, &n = name] { return toml_edit::remove(text, t, n); });
}

}  // namespace lwgw
