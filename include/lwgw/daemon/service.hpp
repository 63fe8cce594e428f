// Installing, refreshing and removing the login service (what `lwgw service` and `lwgw setup` do
// with the plan of service_plan.hpp), and asking the service manager what runs.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "lwgw/context.hpp"
#include "lwgw/daemon/service_plan.hpp"

namespace lwgw::daemon {

/// The plan for this machine, for proxy.listen and stable_exe(ctx.self_exe).
ServicePlan plan_service(Context& ctx);

/// What install_service() did.
struct Installed {
  std::vector<std::filesystem::path> files;
  bool changed = false;          // a file was written (it was missing or different)
  bool started = false;          // the service manager runs it now
  std::string why_not;           // !started: why no service manager could start it
  std::vector<Command> by_hand;  // !started: the commands that would
};

/// Writes the service files (refusing to replace ones lwgw did not write) and, where a session
/// manager is reachable, enables and starts the service. A proxy started by `lwgw up` gives way
/// to it (stopped, draining). Throws Error when a file cannot be written or a command fails.
Installed install_service(Context& ctx);

/// Whether the files lwgw recorded at install are there.
bool service_installed(Context& ctx);

/// After proxy.listen changed: rewrites an installed service for the new address and restarts
/// it. Returns false (doing nothing) when no service is installed.
bool refresh_service(Context& ctx, std::ostream& err);

/// Stops and removes exactly what install_service() wrote. Throws Error when a file was changed
/// since. Prints what it did to `err`.
void uninstall_service(Context& ctx, std::ostream& err);

/// What the service manager says: "active", "inactive", "failed", … per unit; empty when it
/// cannot be asked (no session manager, not installed).
struct ServiceState {
  std::string service;  // the proxy: systemd lwgw.service, launchd's agent
  std::string socket;   // systemd lwgw.socket; empty on macOS
};
ServiceState service_state(Context& ctx, const ServicePlan& plan);

/// "cmd arg arg"
std::string command_line(const Command& c);

}  // namespace lwgw::daemon
