// The login-service files: a systemd user socket + service, a launchd agent.
#pragma once

#include <string>

#include "lwgw/environment.hpp"

namespace lwgw::daemon {

/// The systemd user service that runs `exe up --foreground` on lwgw.socket's listening socket.
std::string systemd_unit(const std::string& exe, const Env& env);
/// The systemd user socket (enabled at login) holding `listen` (host:port, IPv6 in brackets):
/// the first connection starts lwgw.service, which adopts it (LISTEN_FDS).
std::string systemd_socket(const std::string& listen);
/// The launchd agent (ai.langwatch.lwgw) that does the same on macOS.
std::string launchd_plist(const std::string& exe, const Paths& paths);

}  // namespace lwgw::daemon
