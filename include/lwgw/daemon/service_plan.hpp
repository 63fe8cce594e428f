// The login service for this platform: which file starts the proxy at login, its content, and the
// commands that start and stop it (a systemd user unit on Linux, a launchd agent on macOS).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lwgw/environment.hpp"

namespace lwgw::daemon {

using Command = std::vector<std::string>;

struct ServicePlan {
  bool macos = false;
  std::filesystem::path file;
  std::string content;
  std::vector<Command> start;  // after writing the file
  std::vector<Command> stop;   // before removing it
  bool can_run = false;        // a user session manager is reachable from here
  std::string why_not;
};

/// The plan for the platform lwgw runs on, starting `exe up --foreground`. Reads PATH and the
/// session bus from `env`; runs nothing.
ServicePlan service_plan(const Paths& paths, const Env& env, const std::string& exe);

}  // namespace lwgw::daemon
