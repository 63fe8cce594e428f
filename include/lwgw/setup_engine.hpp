// The I/O layer of setup/teardown: reading, refusing, backing up, writing and recording files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lwgw/context.hpp"
#include "lwgw/setup.hpp"

namespace lwgw::setup {

struct SetupRequest {
  std::vector<std::string> clis;
  bool direct = false;
  std::string shell;  // bash | zsh | fish | all; empty = from $SHELL
  std::string model;
  std::string small_model;
  bool dry_run = false;
  bool yes = false;
};

struct TeardownRequest {
  std::vector<std::string> clis;  // empty with `all`: everything the manifest lists
  bool all = false;
  bool dry_run = false;
};

int run_setup(Context& ctx, const SetupRequest& r);
int run_teardown(Context& ctx, const TeardownRequest& r);

/// The base URL and key for a mode. Proxy: http://<proxy.listen> + the local token (created and,
/// with `persist_token`, stored when absent). Direct: gateway.url + the VK; with `stored_vk_only`
/// the VK must come from the credential store (LWGW_VK is never written to a file).
/// Throws Error(kConfig) "not logged in" when no VK is available in direct mode.
Target resolve_target(Context& ctx, bool direct, bool persist_token, bool stored_vk_only);

/// The model ids the gateway lists on GET /v1/models with the stored VK; nullopt when there is
/// no VK or the gateway does not answer with a list.
std::optional<std::vector<std::string>> fetch_models(Context& ctx);

}  // namespace lwgw::setup
