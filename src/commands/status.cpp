// `lwgw status`: is the local proxy running and what is it doing (asked of the proxy itself), does
// the gateway answer, does it accept the key (the last verification), which CLIs use what.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lwgw/commands/table.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/error.hpp"
#include "lwgw/probe/local.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/verification.hpp"

namespace lwgw {

namespace {

using json = nlohmann::json;

std::string duration(double s) {
  auto total = static_cast<long long>(s);
  long long d = total / 86400, h = total % 86400 / 3600, m = total % 3600 / 60, sec = total % 60;
  std::string out;
  if (d) out += std::to_string(d) + "d ";
  if (d || h) out += std::to_string(h) + "h ";
  if (d || h || m) out += std::to_string(m) + "m ";
  return out + std::to_string(sec) + "s";
}

json opt_number(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

/// The key in use and what its last verification said.
struct KeyState {
  std::string state;  // ok rejected unreachable unexpected unverified not_logged_in unreadable
  std::string key;    // masked
  std::string verified_at, by, message;
  long http_status = 0;
  std::optional<double> age_s;
};

KeyState key_state(Context& ctx, const std::string& gateway) {
  KeyState k;
  std::optional<ResolvedKey> key;
  try {
    key = resolve_vk(ctx.credentials(), ctx.env);
  } catch (const Error& e) {
    k.state = "unreadable";
    k.message = e.what();
    return k;
  }
  if (!key) {
    k.state = "not_logged_in";
    return k;
  }
  k.key = mask_key(key->key);
  auto v = load_verification(ctx.paths());
  if (!v || !verification_applies(*v, gateway, key->key)) {
    k.state = "unverified";
    return k;
  }
  k.state = v->result;
  k.verified_at = v->at;
  k.by = v->by;
  k.message = v->message;
  k.http_status = v->http_status;
  k.age_s = seconds_since_iso(v->at);
  return k;
}

/// The proxy's "last error" ("2026-11-27T06:30:00Z 502 lwgw_gateway_unreachable"), split.
struct LastError {
  std::string text;  // "502 lwgw_gateway_unreachable"
  std::optional<double> age_s;
  long status = 0;
};

LastError last_error(const std::string& s) {
  LastError e;
  auto space = s.find(' ');
  e.age_s = space == std::string::npos ? std::nullopt : seconds_since_iso(s.substr(0, space));
  e.text = e.age_s ? s.substr(space + 1) : s;
  e.status = std::strtol(e.text.c_str(), nullptr, 10);
  return e;
}

/// What the running proxy says about itself (GET /_lwgw/status).
struct ProxyStatus {
  int pid = 0;
  bool draining = false;
  double uptime_s = 0;
  std::uint64_t requests = 0, inflight = 0;
  std::optional<std::string> last_error, budget_warning;
};

ProxyStatus proxy_status(const json& doc, const daemon::State& state) {
  auto text = [&doc](const char* k) {
    return doc.contains(k) && doc[k].is_string() ? std::optional(doc[k].get<std::string>())
                                                 : std::nullopt;
  };
  ProxyStatus p;
  p.pid = doc.value("pid", state.pid);
  p.draining = doc.value("status", "") == "draining";
  p.uptime_s = doc.value("uptime_s", 0.0);
  p.requests = doc.value("requests", std::uint64_t{0});
  p.inflight = doc.value("inflight", std::uint64_t{0});
  p.last_error = text("last_error");
  p.budget_warning = text("budget_warning");
  return p;
}

/// Everything status reports, running or not.
struct Report {
  bool running = false;
  ProxyStatus proxy;  // running
  std::string listen, gateway;
  probe::Reach reach;
  KeyState key;
  std::vector<probe::CliSetup> clis;
  std::string clis_error;
  std::string port_holder;          // not running: who holds proxy.listen ("" = free)
  std::string runtime_dir_problem;  // the state file's directory is not trusted
  std::optional<LastError> error;
  std::vector<std::string> problems;
};

void find_problems(Report& r) {
  if (!r.reach.reachable)
    r.problems.push_back("the gateway at " + r.gateway + " does not answer (" + r.reach.error +
                         ")");
  if (r.key.state == "rejected")
    r.problems.push_back("the gateway rejected the key (HTTP " + std::to_string(r.key.http_status) +
                         ": " + r.key.message + ")");
  if (r.key.state == "not_logged_in") r.problems.push_back("not logged in");
  if (r.key.state == "unreadable") r.problems.push_back(r.key.message);
  if (!r.runtime_dir_problem.empty()) r.problems.push_back(r.runtime_dir_problem);
  if (!r.running && !r.port_holder.empty())
    r.problems.push_back(r.listen + " is held by " + r.port_holder + ", not lwgw");
}

Report gather(Context& ctx) {
  Report r;
  Config& cfg = ctx.config();
  r.runtime_dir_problem = daemon::runtime_dir_refusal(ctx.paths()).value_or("");
  auto live = daemon::find_running(ctx.paths(), ctx.env);
  r.running = live.has_value();
  r.listen = cfg.get_string("proxy.listen");
  r.gateway = cfg.get_string("gateway.url");
  double max_age = 60;
  if (live) {
    const json doc = json::parse(live->status_json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      throw failure("the proxy answered /_lwgw/status with something unreadable");
    r.proxy = proxy_status(doc, live->state);
    r.listen = doc.value("listen", live->state.listen);
    r.gateway = doc.value("gateway", live->state.gateway);
    if (r.proxy.last_error) r.error = last_error(*r.proxy.last_error);
    // A gateway failure the proxy met after the last check makes that check stale.
    if (r.error && r.error->age_s && (r.error->status == 502 || r.error->status == 504))
      max_age = std::min(max_age, *r.error->age_s);
  } else {
    r.port_holder = probe::describe_port_holder(probe::port_of(r.listen));
  }
  r.reach = probe::gateway_reach(ctx.paths(), r.gateway, cfg.get_string("gateway.ca_file"), ctx.env,
                                 max_age);
  r.key = key_state(ctx, r.gateway);
  try {
    r.clis = probe::clis_set_up(ctx.paths());
  } catch (const Error& e) {
    r.clis_error = e.what();
  }
  find_problems(r);
  return r;
}

json reach_json(const probe::Reach& reach) {
  return {{"checked_at", reach.checked_at},   {"age_s", reach.age_s},
          {"http_status", reach.http_status}, {"error", reach.error},
          {"seconds", reach.seconds},         {"cached", reach.cached}};
}

json key_json(const KeyState& k) {
  return {{"state", k.state},
          {"key", k.key},
          {"verified_at", k.verified_at},
          {"age_s", opt_number(k.age_s)},
          {"by", k.by},
          {"http_status", k.http_status},
          {"message", k.message}};
}

json report_json(const Report& r) {
  json clis = json::object();
  for (const auto& c : r.clis) clis[c.cli] = c.mode;
  json doc = {{"running", r.running},
              {"listen", r.listen},
              {"gateway", r.gateway},
              {"gateway_reachable", r.reach.reachable},
              {"gateway_check", reach_json(r.reach)},
              {"key", key_json(r.key)},
              {"clis", clis},
              {"port_holder", r.port_holder.empty() ? json(nullptr) : json(r.port_holder)},
              {"problems", r.problems}};
  if (!r.clis_error.empty()) doc["clis_error"] = r.clis_error;
  if (!r.running) return doc;
  const ProxyStatus& p = r.proxy;
  auto text = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  doc["pid"] = p.pid;
  doc["uptime_s"] = p.uptime_s;
  doc["requests"] = p.requests;
  doc["inflight"] = p.inflight;
  doc["last_error"] = text(p.last_error);
  doc["last_error_age_s"] = r.error ? opt_number(r.error->age_s) : json(nullptr);
  doc["budget_warning"] = text(p.budget_warning);
  doc["draining"] = p.draining;
  return doc;
}

std::string reach_text(Context& ctx, const probe::Reach& r) {
  const std::string when = r.cached ? "checked " + age_text(r.age_s) : "checked just now";
  if (!r.reachable)
    return ctx.paint("UNREACHABLE", 31) + ": " + r.error + " (" + when +
           "); check the network, or `lwgw config get gateway.url`";
  std::string text = ctx.paint("reachable", 32) + " (HTTP " + std::to_string(r.http_status) +
                     " to GET /health in " + std::to_string(static_cast<long>(r.seconds * 1000)) +
                     " ms, " + when + ")";
  return text;
}

std::string key_text(Context& ctx, const KeyState& k) {
  const std::string age = k.age_s ? age_text(*k.age_s) : "at " + k.verified_at;
  if (k.state == "not_logged_in") return ctx.paint("not logged in", 31) + ": run `lwgw login`";
  if (k.state == "unreadable") return ctx.paint("unreadable", 31) + ": " + k.message;
  if (k.state == "unverified")
    return k.key + " " + ctx.paint("not verified", 33) + " (`lwgw whoami` asks the gateway)";
  if (k.state == "ok")
    return k.key + " " + ctx.paint("ok", 32) + " (verified " + age + " by " + k.by + ")";
  const std::string when = "checked " + age + " by " + k.by;
  if (k.state == "rejected")
    return k.key + " " + ctx.paint("REJECTED", 31) + " (HTTP " + std::to_string(k.http_status) +
           ": " + k.message + ", " + when + "); log in with a new key: `lwgw login`";
  const std::string why = k.state == "unreachable" ? "the gateway did not answer: " + k.message
                                                   : "the gateway answered " + k.message;
  return k.key + " " + ctx.paint("NOT verified", 33) + " (" + why + ", " + when +
         "); `lwgw whoami` asks again";
}

std::string clis_text(const Report& r) {
  if (!r.clis_error.empty()) return "unknown: " + r.clis_error;
  if (r.clis.empty()) return "none set up (`lwgw setup --all`)";
  std::string out;
  for (const auto& c : r.clis) out += (out.empty() ? "" : ", ") + c.cli + " (" + c.mode + ")";
  return out;
}

void print_proxy(Context& ctx, const Report& r) {
  auto& o = *ctx.io.out;
  const ProxyStatus& p = r.proxy;
  o << "uptime:         " << duration(p.uptime_s) << "\n";
  o << "requests:       " << p.requests << " (" << p.inflight << " in flight)\n";
  std::string err = "none";
  if (r.error)
    err = ctx.paint(r.error->text, 31) +
          (r.error->age_s ? " (" + age_text(*r.error->age_s) + ")" : "");
  o << "last error:     " << err << "\n";
  o << "budget warning: "
    << (p.budget_warning ? ctx.paint(*p.budget_warning, 33) : std::string("none")) << "\n";
}

void print_report(Context& ctx, const Report& r) {
  auto& o = *ctx.io.out;
  if (r.running) {
    o << "proxy:          " << ctx.paint(r.proxy.draining ? "draining" : "running", 32) << " (pid "
      << r.proxy.pid << ")\n";
    o << "listen:         http://" << r.listen << "\n";
  } else if (!r.runtime_dir_problem.empty()) {
    o << "proxy:          " << ctx.paint("unknown", 31) << ": " << r.runtime_dir_problem << "\n";
  } else {
    o << "proxy:          " << ctx.paint("not running", 31)
      << (r.port_holder.empty() ? " (start it with `lwgw up`)"
                                : ", and another program holds its address: the CLIs set up "
                                  "for it send that program their requests")
      << "\n";
    o << "listen:         " << r.listen << " ("
      << (r.port_holder.empty()
              ? std::string(probe::port_of(r.listen) ? "free" : "any free port")
              : ctx.paint("held by " + r.port_holder, 31) +
                    ": `lwgw up` cannot listen there; stop it, or `lwgw config set " +
                    "proxy.listen 127.0.0.1:PORT`")
      << ")\n";
  }
  o << "gateway:        " << r.gateway << " " << reach_text(ctx, r.reach) << "\n";
  o << "key:            " << key_text(ctx, r.key) << "\n";
  o << "clis:           " << clis_text(r) << "\n";
  if (r.running) print_proxy(ctx, r);
  if (!r.problems.empty() || (!r.running && probe::any_proxy_mode(r.clis)))
    o << "next:           `lwgw doctor` finds the cause and names the fix\n";
}

int status(Context& ctx) {
  const Report r = gather(ctx);
  if (ctx.opts.json)
    *ctx.io.out << report_json(r).dump(2) << "\n";
  else
    print_report(ctx, r);
  // Another program on proxy.listen is worse than no proxy: the CLIs send it their requests.
  // So is a state directory lwgw cannot trust: whether a proxy runs is then unknown.
  if (!r.running && r.port_holder.empty() && r.runtime_dir_problem.empty())
    return static_cast<int>(Exit::kNotRunning);
  return r.problems.empty() ? 0 : static_cast<int>(Exit::kFailed);
}

}  // namespace

void configure_status(CLI::App& cmd, Context& ctx, Action& action) {
  cmd.footer(
      "Exit 0 when the proxy runs and nothing is wrong; 1 when it runs but the gateway does not\n"
      "answer (GET /health, 2 s, cached for 60 s) or rejected the key at its last verification\n"
      "(by login or whoami) or no key is stored; 4 when the proxy does not run.\n"
      "--json keys: running, pid, listen, gateway, uptime_s, requests, inflight, last_error,\n"
      "last_error_age_s, budget_warning, draining, gateway_reachable, gateway_check, key, clis,\n"
      "port_holder, problems.");
  cmd.callback([&ctx, &action] { action = [&ctx] { return status(ctx); }; });
}

}  // namespace lwgw
