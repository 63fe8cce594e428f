// The I/O layer of setup/teardown: reading, refusing, backing up, writing and recording files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lwgw/context.hpp"
#include "lwgw/setup/edits.hpp"

namespace lwgw::setup {

struct SetupRequest {
  std::vector<std::string> clis;
  Mode mode = Mode::kProxy;
  std::string shell;  // bash | zsh | fish | all; empty = from $SHELL
  std::string model;
  std::string small_model;
  bool dry_run = false;
  bool yes = false;
  /// Write --model / --small-model even when the gateway does not serve it.
  bool force = false;
  /// Proxy mode: do not install/start the login service nor start the proxy.
  bool no_service = false;
};

struct TeardownRequest {
  std::vector<std::string> clis;  // empty with `all`: everything the manifest lists
  bool all = false;
  bool dry_run = false;
};

int run_setup(Context& ctx, const SetupRequest& r);
/// A bare `lwgw setup`: runs setup again for every CLI the manifest lists, each in its recorded
/// mode (only those in `only` when set), with r's options. Throws Error(kUsage) when nothing is
/// set up.
int reapply_setup(Context& ctx, const SetupRequest& r, std::optional<Mode> only = std::nullopt);
/// The CLIs the manifest lists as set up in `mode` (none when it cannot be read).
std::vector<std::string> clis_in_mode(const Paths& paths, Mode mode);
int run_teardown(Context& ctx, const TeardownRequest& r);
/// A new local token (stored, the old one void), written into every CLI set up in proxy mode
/// (reapply_setup with r's options), and the running proxy told to reload (SIGHUP). With
/// r.dry_run only the diffs. Returns the exit code of the re-apply.
int rotate_token(Context& ctx, const SetupRequest& r);

/// How resolve_target finds the key.
struct TargetOptions {
  Mode mode = Mode::kProxy;
  /// Proxy mode: store a local token created because none existed (not on a dry run).
  bool persist_token = true;
  /// Direct mode: the VK must come from the credential store, because it will be written to a
  /// file (LWGW_VK is a key for one process and is never written anywhere).
  bool stored_vk_only = false;
};

/// The base URL and key for a mode. Proxy: http://<proxy.listen> + the local token (created when
/// absent). Direct: gateway.url + the VK. Throws Error(kConfig) "not logged in" when no VK is
/// available in direct mode.
Target resolve_target(Context& ctx, const TargetOptions& o);

/// The model ids the gateway lists on GET /v1/models with the stored VK; nullopt when there is
/// no VK or the gateway does not answer with a list.
std::optional<std::vector<std::string>> fetch_models(Context& ctx);

}  // namespace lwgw::setup
