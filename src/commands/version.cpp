// `lwgw version` / `--version`: what was built, from what.
#include <curl/curl.h>
#include <event2/event.h>
#include <openssl/opensslv.h>
#include <toml++/toml.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lwgw/build_info.hpp"
#include "lwgw/commands/table.hpp"

namespace lwgw {

std::string version_text() {
  std::string s = std::string("lwgw ") + build::kVersion + " (commit " + build::kCommit + ", " +
                  build::kBuildType + ")\n";
  s += "libcurl " + std::string(curl_version_info(CURLVERSION_NOW)->version);
  s += ", " +
       std::string(OPENSSL_VERSION_TEXT).substr(0, std::string(OPENSSL_VERSION_TEXT).find(' ', 8));
  s += ", libevent " + std::string(event_get_version());
  s += ", nlohmann_json " + std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
       std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
       std::to_string(NLOHMANN_JSON_VERSION_PATCH);
  s += ", toml++ " + std::to_string(TOML_LIB_MAJOR) + "." + std::to_string(TOML_LIB_MINOR) + "." +
       std::to_string(TOML_LIB_PATCH);
  s += ", CLI11 " CLI11_VERSION;
  return s;
}

void configure_version(CLI::App& cmd, Context& ctx, Action& action) {
  cmd.callback([&ctx, &action] {
    action = [&ctx] {
      if (ctx.opts.json)
        *ctx.io.out << nlohmann::ordered_json{{"version", build::kVersion},
                                              {"commit", build::kCommit},
                                              {"build_type", build::kBuildType},
                                              {"libraries", version_text().substr(
                                                                version_text().find('\n') + 1)}}
                           .dump(2)
                    << "\n";
      else
        *ctx.io.out << version_text() << "\n";
      return 0;
    };
  });
}

}  // namespace lwgw
