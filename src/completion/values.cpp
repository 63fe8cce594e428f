// `lwgw completion --values`: the CLIs set up and the cached served models; what config keys
// accept.
#include "lwgw/completion/values.hpp"

#include <nlohmann/json.hpp>

#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/probe/local.hpp"
#include "lwgw/util/clock.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::completion {

namespace {

std::filesystem::path models_file(const Paths& paths) {
  return paths.state_dir / "models.json";
}

}  // namespace

const std::vector<std::string>& value_kinds() {
  static const std::vector<std::string> kinds = {"teardown-clis", "models", "config-keys"};
  return kinds;
}

std::vector<std::string> dynamic_values(const Paths& paths, const std::string& kind,
                                        const std::string& gateway) {
  std::vector<std::string> out;
  if (kind == "teardown-clis") {
    try {
      for (const auto& c : probe::clis_set_up(paths)) out.push_back(c.cli);
    } catch (const std::exception&) {
      // An unreadable manifest: `lwgw teardown` itself says why; a TAB offers nothing.
    }
  } else if (kind == "models") {
    out = cached_served_models(paths, gateway);
  } else if (kind == "config-keys") {
    for (const auto& k : config_keys()) out.push_back(k.name);
  } else {
    throw usage_error("unknown completion values '" + kind +
                      "' (teardown-clis, models or config-keys)");
  }
  return out;
}

void save_served_models(const Paths& paths, const std::string& gateway,
                        const std::vector<std::string>& models) {
  nlohmann::ordered_json doc = {
      {"gateway", gateway}, {"at", util::utc_now_iso()}, {"models", models}};
  try {
    fs::ensure_private_dir(paths.state_dir);
    fs::write_private(models_file(paths), doc.dump(2) + "\n");
  } catch (const std::exception&) {
    // Only completion reads it.
  }
}

std::vector<std::string> cached_served_models(const Paths& paths, const std::string& gateway) {
  std::optional<std::string> text;
  try {
    text = fs::read_private(models_file(paths));
  } catch (const std::exception&) {
    return {};
  }
  if (!text) return {};
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("models") ||
      !doc["models"].is_array())
    return {};
  // Another gateway's list would offer models this one may not serve.
  const auto recorded = doc.value("gateway", std::string());
  if (util::trim_trailing_slashes(recorded) != util::trim_trailing_slashes(gateway)) return {};
  std::vector<std::string> out;
  for (const auto& m : doc["models"])
    if (m.is_string() && !m.get<std::string>().empty() &&
        m.get<std::string>().find_first_of(" \t\n") == std::string::npos)
      out.push_back(m.get<std::string>());
  return out;
}

KeyValues config_key_values(const ConfigKey& key) {
  if (key.type == ConfigType::kBool) return {{"true", "false"}, false};
  if (key.name == "credentials.store") return {{"auto", "file", "keychain"}, false};
  if (key.name == "log.level") return {{"error", "warn", "info", "debug", "trace"}, false};
  if (key.name == "gateway.ca_file") return {{}, true};
  return {};
}

}  // namespace lwgw::completion
