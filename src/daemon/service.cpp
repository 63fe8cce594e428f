// The login service: install, refresh, uninstall, and what the service manager says.
#include "lwgw/daemon/service.hpp"

#include <chrono>
#include <map>
#include <ostream>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include "lwgw/daemon/start.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/daemon/stop.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/probe/local.hpp"
#include "lwgw/process.hpp"
#include "lwgw/setup/edits.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::daemon {

namespace {

std::filesystem::path record_file(Context& ctx) {
  return ctx.paths().state_dir / "service.json";
}

// path -> sha256 of what install wrote. The first release recorded one file as
// {"file","sha256"}.
std::map<std::string, std::string> load_record(Context& ctx) {
  std::map<std::string, std::string> out;
  auto text = fs::read_file(record_file(ctx));
  auto doc = text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
  if (!doc.is_object()) return out;
  if (doc.contains("files") && doc["files"].is_object()) {
    for (const auto& [path, sha] : doc["files"].items())
      if (sha.is_string()) out[path] = sha.get<std::string>();
  } else if (doc.contains("file") && doc["file"].is_string()) {
    out[doc["file"].get<std::string>()] = doc.value("sha256", "");
  }
  return out;
}

void save_record(Context& ctx, const std::map<std::string, std::string>& rec) {
  fs::ensure_private_dir(ctx.paths().state_dir);
  fs::atomic_write(record_file(ctx), nlohmann::json{{"files", rec}}.dump(2) + "\n", 0600);
}

// Runs the commands; throws on the first that fails.
void run_all(Context& ctx, const std::vector<Command>& cmds) {
  for (const auto& c : cmds) {
    auto r = process::run(c, "", ctx.env);
    if (r.exit_code != 0)
      throw failure("`" + command_line(c) + "` failed" + (r.err.empty() ? "" : ": " + r.err));
  }
}

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

// A file lwgw is about to write must be missing, lwgw's (as recorded), or already identical.
void refuse_foreign(Context& ctx, const ServicePlan& p,
                    const std::map<std::string, std::string>& rec) {
  for (const auto& f : p.files) {
    auto current = fs::read_file(f.path);
    if (!current || *current == f.content) continue;
    auto it = rec.find(f.path.string());
    if (it != rec.end() && it->second == setup::sha256_hex(*current)) continue;
    throw failure(display_path(f.path, ctx.paths().home) +
                  " exists and was not written by lwgw; move it away, or keep it and use "
                  "`lwgw setup --no-service`");
  }
}

// Writes the files that differ; true when one did.
bool write_files(Context& ctx, const ServicePlan& p) {
  auto rec = load_record(ctx);
  refuse_foreign(ctx, p, rec);
  bool changed = false;
  for (const auto& f : p.files) {
    auto current = fs::read_file(f.path);
    if (!current || *current != f.content) {
      fs::ensure_dir(f.path.parent_path(), 0755);
      fs::atomic_write(f.path, f.content, 0644);
      changed = true;
    }
    rec[f.path.string()] = setup::sha256_hex(f.content);
  }
  save_record(ctx, rec);
  return changed;
}

bool is_active(const ServiceState& s, const ServicePlan& p) {
  return (p.macos ? s.service : s.socket) == "active";
}

// A proxy started by `lwgw up` holds the port the service needs: it drains and stops.
void make_way(Context& ctx) {
  auto target = find_stop_target(ctx.paths(), ctx.env);
  if (!target) return;
  *ctx.io.err << "lwgw: stopping the proxy started by `lwgw up` (pid " << target->pid
              << ") so that the login service runs it from now on\n";
  stop(target->pid, std::chrono::seconds(60));
  remove_state(ctx.paths(), target->pid);
}

}  // namespace

std::string command_line(const Command& c) {
  return util::join(c, " ");
}

ServicePlan plan_service(Context& ctx) {
  return service_plan(ctx.paths(), ctx.env, stable_exe(ctx.self_exe, ctx.env),
                      ctx.config().get_string("proxy.listen"));
}

ServiceState service_state(Context& ctx, const ServicePlan& p) {
  ServiceState s;
  if (!p.can_run) return s;
  if (p.macos) {
    auto r = process::run(
        {"launchctl", "print", "gui/" + std::to_string(::getuid()) + "/ai.langwatch.lwgw"}, "",
        ctx.env);
    if (r.exit_code != 0) return {"inactive", ""};
    s.service = r.out.find("state = running") != std::string::npos ? "active" : "inactive";
    return s;
  }
  auto ask = [&](const char* unit) {
    auto r = process::run({"systemctl", "--user", "is-active", unit}, "", ctx.env);
    return r.out.empty() ? std::string("unknown") : first_line(r.out);
  };
  s.socket = ask("lwgw.socket");
  s.service = ask("lwgw.service");
  return s;
}

Installed install_service(Context& ctx) {
  const ServicePlan p = plan_service(ctx);
  Installed out;
  for (const auto& f : p.files) out.files.push_back(f.path);
  const bool active = is_active(service_state(ctx, p), p);
  out.changed = write_files(ctx, p);
  if (!p.can_run) {
    out.why_not = p.why_not;
    out.by_hand = p.start;
    return out;
  }
  if (active && !out.changed) {
    out.started = true;
    return out;
  }
  if (!active) make_way(ctx);
  run_all(ctx, active ? p.restart : p.start);
  out.started = true;
  // Start the proxy now (a connection to the socket does), so that `lwgw status` shows it.
  probe::identify_listener(ctx.config().get_string("proxy.listen"), ctx.env);
  return out;
}

bool service_installed(Context& ctx) {
  for (const auto& [path, sha] : load_record(ctx))
    if (fs::read_file(path)) return true;
  return false;
}

bool refresh_service(Context& ctx, std::ostream& err) {
  if (!service_installed(ctx)) return false;
  const ServicePlan p = plan_service(ctx);
  if (!write_files(ctx, p)) return true;
  for (const auto& f : p.files)
    err << "lwgw: updated " << display_path(f.path, ctx.paths().home) << "\n";
  if (!p.can_run) {
    err << "lwgw: " << p.why_not << "; to apply it, run:\n";
    for (const auto& c : p.restart) err << "  " << command_line(c) << "\n";
    return true;
  }
  run_all(ctx, p.restart);
  err << "lwgw: the login service now listens on " << ctx.config().get_string("proxy.listen")
      << "\n";
  return true;
}

void uninstall_service(Context& ctx, std::ostream& err) {
  const ServicePlan p = plan_service(ctx);
  auto rec = load_record(ctx);
  std::map<std::string, std::string> candidates = rec;
  for (const auto& f : p.files) candidates.emplace(f.path.string(), "");
  std::vector<std::filesystem::path> present;
  for (const auto& [path, sha] : candidates) {
    auto current = fs::read_file(path);
    if (!current) continue;
    if (sha != setup::sha256_hex(*current))
      throw failure(display_path(path, ctx.paths().home) +
                    (sha.empty() ? " was not written by lwgw" : " changed since lwgw wrote it") +
                    "; remove it by hand");
    present.emplace_back(path);
  }
  if (present.empty()) {
    err << "lwgw: no login service is installed\n";
    fs::remove_file(record_file(ctx));
    return;
  }
  if (p.can_run) {
    try {
      run_all(ctx, {p.stop.front()});
    } catch (const Error& e) {
      ctx.log().warn(e.what());
    }
  }
  for (const auto& f : present) {
    fs::remove_file(f);
    err << "lwgw: removed " << display_path(f, ctx.paths().home) << "\n";
  }
  fs::remove_file(record_file(ctx));
  if (p.can_run) {
    for (auto it = p.stop.begin() + 1; it != p.stop.end(); ++it)
      process::run(*it, "", ctx.env);  // best effort: the files are gone already
  }
}

}  // namespace lwgw::daemon
