// Config loading: any user file is either refused with lwgw's own error (exit 3) or loads; a
// loaded file edited by `config set` still loads and holds the new value.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "lwgw/config.hpp"
#include "lwgw/error.hpp"
#include "property.hpp"

using namespace lwgw;

namespace {
const Paths& fuzz_paths() {
  static const Paths paths = [] {
    char dir[] = "/tmp/lwgw-fuzz-config-XXXXXX";
    const char* root = ::mkdtemp(dir);
    if (!root) std::abort();
    Env env;
    env.set("HOME", root);
    env.set("XDG_CONFIG_HOME", std::string(root) + "/config");
    env.set("XDG_STATE_HOME", std::string(root) + "/state");
    env.set("LWGW_SYSTEM_CONFIG", std::string(root) + "/absent.toml");
    Paths p = resolve_paths(env);
    std::filesystem::create_directories(p.config_file.parent_path());
    return p;
  }();
  return paths;
}

std::optional<Config> load(const std::string& text) {
  const Paths& p = fuzz_paths();
  std::ofstream(p.config_file, std::ios::binary | std::ios::trunc) << text;
  try {
    return Config::load(p, Env());
  } catch (const Error&) {
    return std::nullopt;  // refused with lwgw's own message
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (!load(text)) return 0;
  const ConfigKey* key = find_config_key("log.level");
  LWGW_PROPERTY(key != nullptr);
  std::string edited;
  try {
    edited = config_text_set(text, *key, parse_config_value(*key, "debug"), "config.toml");
  } catch (const Error&) {
    return 0;  // an edit lwgw refuses to make (e.g. [log] is an inline table)
  }
  auto again = load(edited);
  LWGW_PROPERTY(again.has_value());
  LWGW_PROPERTY(again->get_string("log.level") == "debug");
  return 0;
}
