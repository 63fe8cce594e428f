// The local side of the path the CLIs use: setup's manifest, the listener on proxy.listen, the
// holder of a port, and a one-minute cache of whether the gateway answers.
#include "lwgw/probe/local.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "../setup/manifest.hpp"
#include "lwgw/daemon/port_holder.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/util/clock.hpp"
#include "lwgw/util/text.hpp"
#include "lwgw/verification.hpp"

namespace lwgw::probe {

namespace {

std::filesystem::path reach_file(const Paths& paths) {
  return paths.state_dir / "gateway-check.json";
}

std::optional<Reach> cached_reach(const Paths& paths, const std::string& gateway,
                                  double max_age_s) {
  std::optional<std::string> text;
  try {
    text = fs::read_file(reach_file(paths));
  } catch (...) {
    return std::nullopt;
  }
  if (!text) return std::nullopt;
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("gateway", "") != gateway)
    return std::nullopt;
  Reach r;
  r.gateway = gateway;
  r.checked_at = doc.value("checked_at", "");
  auto age = seconds_since_iso(r.checked_at);
  // Timestamps have whole seconds: an answer from the same second as `max_age_s` is not newer.
  if (!age || *age >= std::min(max_age_s, 60.0)) return std::nullopt;
  r.reachable = doc.value("reachable", false);
  r.http_status = doc.value("http_status", 0L);
  r.error = doc.value("error", "");
  r.seconds = doc.value("seconds", 0.0);
  r.age_s = *age;
  r.cached = true;
  return r;
}

void record_reach(const Paths& paths, const Reach& r) {
  nlohmann::ordered_json doc = {{"gateway", r.gateway},     {"checked_at", r.checked_at},
                                {"reachable", r.reachable}, {"http_status", r.http_status},
                                {"error", r.error},         {"seconds", r.seconds}};
  try {
    fs::ensure_private_dir(paths.state_dir);
    fs::atomic_write(reach_file(paths), doc.dump(2) + "\n", 0600);
  } catch (const std::exception&) {
    // A cache: status still answers when the state directory cannot be written.
  }
}

}  // namespace

std::vector<CliSetup> clis_set_up(const Paths& paths) {
  std::vector<CliSetup> out;
  for (const auto& [cli, info] : setup::Manifest::load(paths).clis)
    out.push_back({cli, info.is_object() ? info.value("mode", "proxy") : "proxy"});
  return out;
}

bool any_proxy_mode(const std::vector<CliSetup>& clis) {
  return std::any_of(clis.begin(), clis.end(), [](const CliSetup& c) { return c.mode == "proxy"; });
}

Listener judge_listener(const http::Response& r) {
  Listener l;
  if (r.status == 0) {
    const bool refused = r.couldnt_connect || util::icontains(r.error, "refused") ||
                         util::icontains(r.error, "couldn't connect") ||
                         util::icontains(r.error, "failed to connect");
    l.kind = refused ? Listener::Kind::kNothing : Listener::Kind::kForeign;
    l.answer = "no HTTP answer (" + r.error + ")";
    return l;
  }
  std::string type = r.header("Content-Type").value_or("none");
  l.kind = Listener::Kind::kForeign;
  l.answer = "HTTP " + std::to_string(r.status) + " (" + type.substr(0, type.find(';')) + ")";
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status != 200 || doc.is_discarded() || !doc.is_object()) return l;
  const std::string state =
      doc.contains("status") && doc["status"].is_string() ? doc["status"].get<std::string>() : "";
  const bool shaped = doc.contains("version") && doc["version"].is_string() &&
                      doc.contains("uptime_s") && doc["uptime_s"].is_number() &&
                      doc.contains("gateway") && doc["gateway"].is_string();
  if (!shaped || (state != "ok" && state != "draining")) return l;
  l.kind = state == "ok" ? Listener::Kind::kLwgw : Listener::Kind::kDraining;
  l.version = doc["version"].get<std::string>();
  l.gateway = doc["gateway"].get<std::string>();
  l.answer.clear();
  return l;
}

Listener identify_listener(const std::string& listen, const Env& env) {
  http::Request req;
  req.url = "http://" + listen + "/_lwgw/healthz";
  req.connect_timeout_s = 2;
  req.timeout_s = 3;
  Listener l = judge_listener(http::send(req, env));
  l.listen = listen;
  if (l.kind == Listener::Kind::kForeign) l.holder = describe_port_holder(port_of(listen));
  return l;
}

int port_of(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 >= listen.size()) return 0;
  const std::string digits = listen.substr(colon + 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 5) return 0;
  const int port = std::stoi(digits);
  return port <= 65535 ? port : 0;
}

std::string describe_port_holder(int port) {
  if (port <= 0) return "";
  if (auto h = daemon::port_holder(port))
    return (h->program.empty() ? "pid " + std::to_string(h->pid)
                               : h->program + " (pid " + std::to_string(h->pid) + ")");
  return daemon::port_listening(port) ? "a process of another user" : "";
}

Reach gateway_reach(const Paths& paths, const std::string& gateway, const std::string& ca_file,
                    const Env& env, double max_age_s) {
  if (auto cached = cached_reach(paths, gateway, max_age_s)) return *cached;
  http::Request req;
  req.url = http::join_url(gateway, "/health");
  req.connect_timeout_s = 2;
  req.timeout_s = 2;
  req.ca_file = ca_file;
  const http::Response res = http::send(req, env);
  Reach r;
  r.gateway = gateway;
  r.reachable = res.status != 0;
  r.http_status = res.status;
  r.error = res.error;
  r.seconds = res.seconds;
  r.checked_at = util::utc_now_iso();
  record_reach(paths, r);
  return r;
}

}  // namespace lwgw::probe
