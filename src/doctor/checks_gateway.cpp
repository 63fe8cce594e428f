// doctor's gateway.* checks: gateway.url's shape, GET /health, GET /v1/models with the key (each
// answer mapped to a sentence and who can fix it), the budget warning, and the models the
// configured CLIs ask for against the served list.
#include <nlohmann/json.hpp>

#include "clis.hpp"
#include "groups.hpp"
#include "lwgw/doctor/net.hpp"
#include "lwgw/doctor/support.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/http_client.hpp"

namespace lwgw::doctor {

namespace {

http::Response get(const Facts& f, const std::string& path, const std::string& key = "") {
  http::Request req;
  req.url = http::join_url(f.gateway, path);
  if (!key.empty()) req.headers.push_back({"Authorization", "Bearer " + key});
  req.connect_timeout_s = req.timeout_s = std::max(1L, static_cast<long>(f.seconds_left()));
  req.ca_file = f.ca_file;
  return http::send(req, f.env);
}

Result url(const Facts& f, const Done&) {
  const std::string origin = f.config.setting("gateway.url").origin;
  auto u = net::parse_url(f.gateway);
  const Fix set{"set the gateway's root URL",
                "lwgw config set gateway.url https://gateway.example.com"};
  if (!u || (u->scheme != "http" && u->scheme != "https"))
    return fail("gateway.url " + net::safe_url(f.gateway) + " is not an http(s) URL", set);
  if (u->path == "/v1" || u->path == "/v1/") {
    const std::string shown = net::safe_url(f.gateway);
    const std::string fixed = shown.substr(0, shown.size() - u->path.size());
    return fail("gateway.url ends in /v1: the CLIs would ask for /v1/v1/…",
                {"drop the /v1", "lwgw config set gateway.url " + fixed});
  }
  if (u->has_userinfo || u->has_query)
    return warn("gateway.url carries credentials or a query string (not shown)",
                {"keep only scheme, host and port",
                 "lwgw config set gateway.url " + net::safe_url(f.gateway)});
  return ok(net::safe_url(f.gateway) + " (from " + origin + ")");
}

Result health(const Facts& f, const Done&) {
  http::Response res = get(f, "/health");
  Result r;
  if (res.status == 0)
    return fail("GET /health: no answer (" + res.error + ")",
                {"check the network (VPN?) and gateway.url", "lwgw config get gateway.url"});
  if (res.status == 404) {
    r = skip("the gateway's ingress does not publish /health");
  } else if (res.status == 200) {
    r = ok("GET /health: 200 in " + std::to_string(static_cast<long>(res.seconds * 1000)) + " ms");
  } else if (res.status == 503) {
    r = warn("GET /health: 503, the gateway reports itself degraded",
             {"not your laptop: tell the gateway's operators", ""});
  } else {
    r = warn("GET /health: unexpected HTTP " + std::to_string(res.status),
             {"check gateway.url points at the gateway", "lwgw config get gateway.url"});
  }
  r.with("http_status", res.status);
  if (auto d = res.header("Date")) r.with("date", *d);
  return r;
}

std::string error_type(const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("error") || !doc["error"].is_object()) return "";
  const auto& e = doc["error"];
  return e.contains("type") && e["type"].is_string() ? e["type"].get<std::string>() : "";
}

/// An answer to GET /v1/models with the key: what it means and who can fix it.
Result judge_models(const http::Response& res) {
  const std::string status = std::to_string(res.status);
  const std::string type = error_type(res.body);
  const std::string msg = envelope_message(res.body).value_or("HTTP " + status);
  const std::string head = "GET /v1/models: " + status + (type.empty() ? "" : " " + type) + ", ";
  const Fix admin{"ask your gateway admin for a new key, then log in with it", "lwgw login"};
  switch (res.status) {
    case 401:
      return fail(head + "the gateway does not know this key",
                  {"log in with a valid key", "lwgw login"})
          .with("who", "you");
    case 402:
      return fail(head + "the budget is exhausted (" + msg + ")",
                  {"ask your gateway admin to raise the budget, or wait for the next window", ""})
          .with("who", "gateway admin");
    case 403:
      return fail(head + "the key is revoked, disabled or expired (" + msg + ")", admin)
          .with("who", "gateway admin");
    case 429:
      return warn(head + "rate limited (" + msg + ")",
                  {"wait a minute; ask your gateway admin if it persists", ""})
          .with("who", "gateway admin");
    case 503:
      return fail(head + "the gateway cannot reach its control plane (not your laptop)",
                  {"tell the gateway's operators; nothing to change here", ""})
          .with("who", "gateway operators");
    default:
      break;
  }
  return fail(head + "unexpected (" + msg + ")",
              {"check gateway.url", "lwgw config get gateway.url"})
      .with("who", "unknown");
}

Result auth(const Facts& f, const Done&) {
  if (!f.key) return skip("no key");
  http::Response res = get(f, "/v1/models", f.key->key);
  if (res.status == 0)
    return fail("GET /v1/models: no answer (" + res.error + ")",
                {"check the network (VPN?) and gateway.url", "lwgw config get gateway.url"});
  Result r = res.status == 200 ? ok("") : judge_models(res);
  r.with("http_status", res.status);
  if (auto w = res.header("X-LangWatch-Budget-Warning")) r.with("budget_warning", *w);
  if (res.status != 200) return r;
  std::vector<std::string> ids;
  auto doc = nlohmann::json::parse(res.body, nullptr, false);
  if (doc.is_object() && doc.contains("data") && doc["data"].is_array())
    for (const auto& m : doc["data"])
      if (m.is_object() && m.contains("id") && m["id"].is_string()) ids.push_back(m["id"]);
  r.summary = "the gateway accepts the key (GET /v1/models: 200, " + std::to_string(ids.size()) +
              " models)";
  return r.with("models", ids);
}

Result budget(const Facts&, const Done& done) {
  const Result* a = done.find("gateway.auth");
  if (a && a->details.value("http_status", 0) == 402)
    return skip("gateway.auth reports the exhausted budget");
  std::string w = a ? a->details.value("budget_warning", "") : "";
  if (w.empty())
    if (const Result* p = done.find("proxy.last_error")) w = p->details.value("budget_warning", "");
  if (w.empty()) {
    if (!a || a->status != Status::kOk) return skip("the gateway did not answer with the key");
    return ok("no budget warning");
  }
  return warn("budget warning " + w + " (a budget is past 80%; at 100% every CLI gets 402)",
              {"ask your gateway admin before it runs out", ""})
      .with("budget_warning", w);
}

Result models(const Facts& f, const Done& done) {
  const Result* a = done.find("gateway.auth");
  std::vector<std::string> served =
      a ? a->details.value("models", std::vector<std::string>{}) : std::vector<std::string>{};
  std::vector<std::string> asked;
  for (const auto& [cli, mode] : f.clis) {
    const CliDoctor* d = cli_doctor(cli);
    if (!d || !d->models) continue;
    for (const auto& m : d->models(f)) {
      const std::string entry = cli + ": " + m.value;  // main and background often agree
      if (std::find(asked.begin(), asked.end(), entry) == asked.end()) asked.push_back(entry);
      if (std::find(served.begin(), served.end(), m.value) == served.end())
        return fail(cli + " asks for " + m.value + ", which the gateway does not serve",
                    {"pick one it serves", "lwgw setup " + cli + " --model " +
                                               (served.empty() ? "<model>" : served.front())})
            .at(f.show(m.file), m.line)
            .with("served", served);
    }
  }
  if (asked.empty())
    return ok("no CLI pins a model (each uses its default)").with("served", served);
  std::string list;
  for (const auto& s : asked) list += (list.empty() ? "" : "; ") + s;
  return ok(list + ": served").with("served", served);
}

}  // namespace

std::vector<Check> gateway_checks() {
  return {{.id = "gateway.url",
           .group = "gateway",
           .title = "gateway.url is the gateway's root (http(s), no /v1, no credentials)",
           .run = url},
          {.id = "gateway.health",
           .group = "gateway",
           .title = "GET /health (skipped when the ingress does not publish it)",
           .needs = {"gateway.url", "network.tls"},
           .slow = true,
           .run = health},
          {.id = "gateway.auth",
           .group = "gateway",
           .title = "GET /v1/models with the key: 401, 402, 403, 429, 503 explained",
           .needs = {"key.present", "gateway.health"},
           .slow = true,
           .run = auth},
          {.id = "gateway.budget",
           .group = "gateway",
           .title = "X-LangWatch-Budget-Warning from the gateway or the proxy",
           .after = {"gateway.auth", "proxy.last_error"},
           .run = budget},
          {.id = "gateway.models",
           .group = "gateway",
           .title = "the models the configured CLIs ask for are served",
           .needs = {"gateway.auth"},
           .run = models}};
}

}  // namespace lwgw::doctor
