// The login-service files: a systemd user unit, a launchd agent.
#pragma once

#include <string>

#include "lwgw/environment.hpp"

namespace lwgw::daemon {

/// The systemd user unit that starts `exe up --foreground` at login.
std::string systemd_unit(const std::string& exe, const Env& env);
/// The launchd agent (ai.langwatch.lwgw) that does the same on macOS.
std::string launchd_plist(const std::string& exe, const Paths& paths);

}  // namespace lwgw::daemon
