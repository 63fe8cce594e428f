// The values completion scripts cannot know when they are generated: the CLIs set up on this
// machine and the models the gateway served at the last setup (`lwgw completion --values`), and
// what each config key accepts. Offline and cached only: completion never waits on the network.
#pragma once

#include <string>
#include <vector>

#include "lwgw/config.hpp"
#include "lwgw/environment.hpp"

namespace lwgw::completion {

/// The kinds `lwgw completion --values KIND` knows, in the order its help lists them.
const std::vector<std::string>& value_kinds();

/// What `lwgw completion --values KIND` prints, one value a line: "teardown-clis" the CLIs in
/// setup's manifest (none when it records none or cannot be read), "models" the cached served
/// models (none without a cache), "config-keys" every config key. Throws usage_error for another
/// kind.
/// `gateway` is the gateway.url in effect: models recorded for another gateway are not offered.
std::vector<std::string> dynamic_values(const Paths& paths, const std::string& kind,
                                        const std::string& gateway);

/// Records the models the gateway serves ($XDG_STATE_HOME/lwgw/models.json, 0600). Best effort:
/// a cache, so a failure to write it is ignored.
void save_served_models(const Paths& paths, const std::string& gateway,
                        const std::vector<std::string>& models);
/// The models recorded for `gateway`; empty when there is no readable record for it.
std::vector<std::string> cached_served_models(const Paths& paths, const std::string& gateway);

/// What `config set KEY <TAB>` offers: the words of an enumeration (true/false, log levels, key
/// stores), or file names for a path; nothing for free text and numbers.
struct KeyValues {
  std::vector<std::string> words;
  bool files = false;
};
KeyValues config_key_values(const ConfigKey& key);

}  // namespace lwgw::completion
