// The login service for this platform: file, content, start and stop commands.
#include "lwgw/daemon/service_plan.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include "lwgw/daemon/service_files.hpp"
#include "lwgw/process.hpp"

namespace lwgw::daemon {

namespace {

bool on_macos() {
  utsname u{};
  return ::uname(&u) == 0 && std::string(u.sysname) == "Darwin";
}

ServicePlan launchd_plan(const Paths& paths, const Env& env, const std::string& exe) {
  ServicePlan p;
  p.macos = true;
  const std::string domain = "gui/" + std::to_string(::getuid());
  p.file = paths.home / "Library/LaunchAgents/ai.langwatch.lwgw.plist";
  p.content = launchd_plist(exe, paths);
  p.start = {{"launchctl", "bootstrap", domain, p.file.string()}};
  p.stop = {{"launchctl", "bootout", domain + "/ai.langwatch.lwgw"}};
  p.can_run = process::find_in_path("launchctl", env).has_value();
  if (!p.can_run) p.why_not = "launchctl is not on PATH";
  return p;
}

ServicePlan systemd_plan(const Paths& paths, const Env& env, const std::string& exe) {
  ServicePlan p;
  p.file = paths.xdg_config_home / "systemd/user/lwgw.service";
  p.content = systemd_unit(exe, env);
  p.start = {{"systemctl", "--user", "daemon-reload"},
             {"systemctl", "--user", "enable", "--now", "lwgw.service"}};
  p.stop = {{"systemctl", "--user", "disable", "--now", "lwgw.service"},
            {"systemctl", "--user", "daemon-reload"}};
  auto runtime = env.get_or("XDG_RUNTIME_DIR", "");
  bool bus = !env.get_or("DBUS_SESSION_BUS_ADDRESS", "").empty() ||
             (!runtime.empty() && std::filesystem::exists(std::filesystem::path(runtime) / "bus"));
  bool systemctl = process::find_in_path("systemctl", env).has_value();
  p.can_run = bus && systemctl;
  if (!systemctl)
    p.why_not = "systemctl is not on PATH";
  else if (!bus)
    p.why_not = "there is no user session bus here (no logged-in systemd session)";
  return p;
}

}  // namespace

ServicePlan service_plan(const Paths& paths, const Env& env, const std::string& exe) {
  return on_macos() ? launchd_plan(paths, env, exe) : systemd_plan(paths, env, exe);
}

}  // namespace lwgw::daemon
