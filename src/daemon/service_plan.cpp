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
  p.manager = "launchd";
  const std::string domain = "gui/" + std::to_string(::getuid());
  const auto file = paths.home / "Library/LaunchAgents/ai.langwatch.lwgw.plist";
  p.files = {{file, launchd_plist(exe, paths)}};
  p.start = {{"launchctl", "bootstrap", domain, file.string()}};
  p.restart = {{"launchctl", "kickstart", "-k", domain + "/ai.langwatch.lwgw"}};
  p.stop = {{"launchctl", "bootout", domain + "/ai.langwatch.lwgw"}};
  p.can_run = process::find_in_path("launchctl", env).has_value();
  if (!p.can_run) p.why_not = "launchctl is not on PATH";
  return p;
}

ServicePlan systemd_plan(const Paths& paths, const Env& env, const std::string& exe,
                         const std::string& listen) {
  ServicePlan p;
  p.manager = "systemd --user";
  const auto dir = paths.xdg_config_home / "systemd/user";
  p.files = {{dir / "lwgw.socket", systemd_socket(listen)},
             {dir / "lwgw.service", systemd_unit(exe, env)}};
  p.start = {{"systemctl", "--user", "daemon-reload"},
             {"systemctl", "--user", "enable", "--now", "lwgw.socket"}};
  p.restart = {{"systemctl", "--user", "daemon-reload"},
               {"systemctl", "--user", "stop", "lwgw.service"},
               {"systemctl", "--user", "restart", "lwgw.socket"}};
  p.stop = {{"systemctl", "--user", "disable", "--now", "lwgw.socket"},
            {"systemctl", "--user", "stop", "lwgw.service"},
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

ServicePlan service_plan(const Paths& paths, const Env& env, const std::string& exe,
                         const std::string& listen) {
  return on_macos() ? launchd_plan(paths, env, exe) : systemd_plan(paths, env, exe, listen);
}

std::string stable_exe(const std::string& self_exe, const Env& env) {
  namespace stdfs = std::filesystem;
  std::error_code ec;
  const auto cellar = self_exe.find("/Cellar/lwgw/");
  if (cellar != std::string::npos) {
    stdfs::path linked = stdfs::path(self_exe.substr(0, cellar)) / "bin" / "lwgw";
    if (stdfs::exists(linked, ec)) return linked.string();
  }
  if (auto on_path = process::find_in_path("lwgw", env)) {
    auto a = stdfs::canonical(*on_path, ec);
    std::error_code ec2;
    auto b = stdfs::canonical(self_exe, ec2);
    if (!ec && !ec2 && a == b) return on_path->string();
  }
  return self_exe;
}

}  // namespace lwgw::daemon
