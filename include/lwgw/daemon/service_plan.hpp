// The login service for this platform: which files start the proxy at login, their content, and
// the commands that start, restart and stop it (a systemd user socket + service on Linux, a
// launchd agent on macOS).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lwgw/environment.hpp"

namespace lwgw::daemon {

using Command = std::vector<std::string>;

struct ServiceFile {
  std::filesystem::path path;
  std::string content;
};

struct ServicePlan {
  bool macos = false;
  std::string manager;             // "systemd --user" | "launchd", for messages
  std::vector<ServiceFile> files;  // in the order they are written
  std::vector<Command> start;      // after writing the files
  std::vector<Command> restart;    // after rewriting them while installed (the address moved)
  std::vector<Command> stop;       // before removing them
  bool can_run = false;            // a user session manager is reachable from here
  std::string why_not;
};

/// The plan for the platform lwgw runs on: `exe up --foreground` on `listen` (host:port as
/// proxy.listen writes it). Reads PATH and the session bus from `env`; runs nothing.
ServicePlan service_plan(const Paths& paths, const Env& env, const std::string& exe,
                         const std::string& listen);

/// The path the login service should call lwgw by: one that survives upgrades. Homebrew's
/// versioned `…/Cellar/lwgw/<version>/bin/lwgw` becomes `…/bin/lwgw`; otherwise the `lwgw` on
/// PATH when it is this binary (its PATH entry, a symlink kept as such); else `self_exe`.
std::string stable_exe(const std::string& self_exe, const Env& env);

}  // namespace lwgw::daemon
