// doctor's network.* checks: HTTP proxy variables (case variants, NO_PROXY and the loopback host
// each CLI uses), DNS, TCP, TLS (chain, issuer, expiry, interception and the CA variables each
// CLI runtime reads), and the clock against the gateway's.
#include <ctime>
#include <sstream>

#include "clis.hpp"
#include "groups.hpp"
#include "lwgw/doctor/net.hpp"
#include "lwgw/doctor/support.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::doctor {

namespace {

const char* const kProxyVars[][2] = {{"HTTPS_PROXY", "https_proxy"},
                                     {"HTTP_PROXY", "http_proxy"},
                                     {"ALL_PROXY", "all_proxy"},
                                     {"NO_PROXY", "no_proxy"}};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = util::trim(item);
    if (!item.empty()) out.push_back(util::lower(item));
  }
  return out;
}

/// Whether a NO_PROXY value exempts `host` (exact, a domain suffix, `*`, 127.x for loopback).
bool exempts(const std::string& no_proxy, const std::string& host) {
  const std::string h = util::lower(host);
  for (std::string e : split(no_proxy)) {
    if (e == "*" || e == h) return true;
    if (e.front() == '.') e = e.substr(1);
    if (h.size() > e.size() && h.compare(h.size() - e.size(), e.size(), e) == 0 &&
        h[h.size() - e.size() - 1] == '.')
      return true;
    if ((e == "127.0.0.0/8" || e == "127.0.0.1/8") && h.rfind("127.", 0) == 0) return true;
  }
  return false;
}

/// The HTTP proxy the environment sends `url` through (as lwgw's libcurl does), or "".
std::string proxy_for(const Env& env, const std::string& url) {
  auto u = net::parse_url(url);
  if (!u) return "";
  auto pick = [&](const char* a, const char* b) { return env.get_or(a, env.get_or(b, "")); };
  std::string p =
      u->scheme == "https" ? pick("HTTPS_PROXY", "https_proxy") : pick("http_proxy", "HTTP_PROXY");
  if (p.empty()) p = pick("ALL_PROXY", "all_proxy");
  if (p.empty() || is_loopback_host(u->host)) return "";
  const std::string no_proxy = env.get_or("NO_PROXY", env.get_or("no_proxy", ""));
  return exempts(no_proxy, u->host) ? "" : p;
}

/// Any variable that makes some runtime send every request, loopback included, to a proxy.
std::string any_proxy(const Env& env) {
  for (int i = 0; i < 3; ++i)
    for (const char* n : kProxyVars[i])
      if (env.get_or(n, "") != "") return n;
  return "";
}

Result proxy_env(const Facts& f, const Done&) {
  ojson seen = ojson::object();
  for (const auto& pair : kProxyVars) {
    for (const char* n : pair)
      if (f.env.get(n)) seen[n] = shown_env(f.env, n);
    auto upper = f.env.get(pair[0]), lower = f.env.get(pair[1]);
    if (upper && lower && *upper != *lower)
      return warn(std::string(pair[1]) + " and " + pair[0] +
                      " differ: curl and Python read one, Node and Go the other, so tools "
                      "disagree on the route",
                  {"give both the same value",
                   std::string("export ") + pair[0] + "=\"$" + pair[1] + "\""})
          .with("variables", seen);
  }
  const std::string gw = proxy_for(f.env, f.gateway);
  if (seen.empty()) return ok("no HTTP proxy variable set");
  return ok(gw.empty() ? "the gateway is reached directly"
                       : "the gateway is reached through " + net::safe_url(gw))
      .with("variables", seen);
}

/// The NO_PROXY values a CLI sees: Claude Code's settings file `env` wins over the shell.
std::vector<std::pair<std::string, std::string>> no_proxy_seen(const Facts& f,
                                                               const std::string& cli) {
  if (cli == "claude-code")
    if (auto v = json_at(f.paths.claude_config_dir / "settings.json", {"env", "NO_PROXY"}))
      return {{"NO_PROXY in settings.json", v->value}};
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* n : kProxyVars[3])
    if (auto v = f.env.get(n)) out.emplace_back(n, *v);
  return out;
}

Result no_proxy(const Facts& f, const Done&) {
  if (f.mode != "proxy") return skip("no CLI is set up in proxy mode");
  const std::string var = any_proxy(f.env);
  if (var.empty()) return ok("no HTTP proxy set: loopback requests go straight to lwgw");
  std::vector<std::string> uncovered;
  std::string host;
  for (const auto& [cli, mode] : f.clis) {
    const CliDoctor* d = cli_doctor(cli);
    auto url = d && d->base_url && mode == "proxy" ? d->base_url(f) : std::nullopt;
    auto u = url ? net::parse_url(url->value) : std::nullopt;
    if (!u) continue;
    auto seen = no_proxy_seen(f, cli);
    bool covered = !seen.empty();
    for (const auto& [name, value] : seen) covered = covered && exempts(value, u->host);
    if (!covered) {
      uncovered.push_back(cli);
      host = u->host;
    }
  }
  if (uncovered.empty())
    return ok(var + " is set, and NO_PROXY covers the loopback address each CLI uses");
  std::string list;
  for (const auto& c : uncovered) list += (list.empty() ? "" : ", ") + c;
  if (uncovered.size() == 1 && uncovered[0] == "claude-code")
    return fail(var + " is set and the NO_PROXY in Claude Code's settings.json lacks " + host +
                    ": its requests to lwgw go to that proxy",
                {"set it up again (it adds loopback)", "lwgw setup claude-code"});
  const std::string head = var + " is set and NO_PROXY does not cover " + host + ": " + list +
                           " send their requests to lwgw through that proxy";
  auto env_file = read_text(f.paths.config_dir / "env.sh");
  if (env_file && env_file->find("127.0.0.1,localhost,::1") == std::string::npos)
    return fail(head + ", and lwgw's env file does not add loopback",
                {"set up again (the env file then adds loopback), and open a new terminal",
                 "lwgw setup"})
        .at(f.show(f.paths.config_dir / "env.sh"))
        .with("clis", uncovered);
  return fail(head, {"open a new terminal (lwgw's env file adds loopback), or in this one",
                     "export NO_PROXY=\"${NO_PROXY:+$NO_PROXY,}127.0.0.1,localhost,::1\" "
                     "no_proxy=\"${no_proxy:+$no_proxy,}127.0.0.1,localhost,::1\""})
      .with("clis", uncovered);
}

const Fix kNetworkFix{"check the network (VPN?) and gateway.url", "lwgw config get gateway.url"};

Result dns(const Facts& f, const Done&) {
  auto u = net::parse_url(f.gateway);
  if (!u) return skip("gateway.url is not a URL (gateway.url)");
  const std::string via = proxy_for(f.env, f.gateway);
  if (!via.empty())
    return skip("the HTTP proxy " + net::safe_url(via) + " resolves the gateway's name");
  if (is_loopback_host(u->host) || u->host.find_first_not_of("0123456789.") == std::string::npos ||
      u->host.find(':') != std::string::npos)
    if (u->host != "localhost") return ok(u->host + " is an address: nothing to resolve");
  net::Resolved r = net::resolve(u->host, f.seconds_left());
  if (r.addresses.empty()) return fail("cannot resolve " + u->host + ": " + r.error, kNetworkFix);
  std::string list;
  for (const auto& a : r.addresses) list += (list.empty() ? "" : ", ") + a;
  return ok(u->host + " is " + list).with("ms", static_cast<long>(r.ms));
}

Result tcp(const Facts& f, const Done&) {
  auto u = net::parse_url(f.gateway);
  if (!u) return skip("gateway.url is not a URL");
  std::string host = u->host;
  int port = u->port;
  const std::string via = proxy_for(f.env, f.gateway);
  auto p = via.empty()
               ? std::nullopt
               : net::parse_url(via.find("://") == std::string::npos ? "http://" + via : via);
  if (p) host = p->host, port = p->port;
  net::Connected c = net::connect_tcp(host, port, f.seconds_left());
  const std::string what = (p ? "the HTTP proxy " : "") + host + ":" + std::to_string(port);
  if (!c.ok) return fail("cannot connect to " + what + ": " + c.error, kNetworkFix);
  return ok("connected to " + what + " in " + std::to_string(static_cast<long>(c.ms)) + " ms")
      .with("ms", static_cast<long>(c.ms));
}

std::string days_text(double days) {
  return std::to_string(static_cast<long>(days)) + " days";
}

Result untrusted(const Facts& f, const net::Tls& t) {
  const std::string issuer = t.chain.empty() ? "unknown" : t.chain.back().issuer;
  Result r;
  if (util::icontains(t.error, "expired"))
    r = fail("the gateway's certificate expired (" + t.error + ")",
             {"tell the gateway's operators (nothing to change here)", ""});
  else if (util::icontains(t.error, "subject name") || util::icontains(t.error, "does not match"))
    r = fail("the certificate is not for this host (" + t.error +
                 "): a TLS-intercepting proxy, or the wrong gateway.url",
             {"check gateway.url", "lwgw config get gateway.url"});
  else if (!f.ca_file.empty())
    r = fail("the certificate's issuer \"" + issuer +
                 "\" is neither in the system store nor in gateway.ca_file " + f.ca_file,
             {"put that CA's PEM into the file gateway.ca_file names", ""});
  else
    r = fail(
        "the certificate's issuer \"" + issuer +
            "\" is not in the system trust store: a TLS-intercepting proxy (corporate, antivirus)?",
        {"save that CA as PEM (ask IT for it) and trust it for the gateway",
         "lwgw config set gateway.ca_file /path/to/corporate-ca.pem"});
  r.with("issuer", issuer).with("error", t.error).with("untrusted_issuer", issuer);
  return r;
}

Result tls(const Facts& f, const Done&) {
  auto u = net::parse_url(f.gateway);
  if (!u) return skip("gateway.url is not a URL");
  if (u->scheme != "https") return skip("gateway.url is plain http (no TLS)");
  net::Tls t = net::handshake(f.gateway, f.ca_file, f.env, f.seconds_left());
  if (!t.verified && !t.chain.empty()) return untrusted(f, t);
  if (!t.verified) return fail("no TLS handshake with " + u->host + ": " + t.error, kNetworkFix);
  const net::Cert& leaf = t.chain.empty() ? net::Cert{} : t.chain.front();
  const std::string issuer = t.chain.empty() ? "" : t.chain.back().issuer;
  Result r = ok("issued by \"" + (t.chain.empty() ? std::string("?") : leaf.issuer) + "\", valid " +
                days_text(leaf.days_left) + " more, for " + u->host);
  r.with("issuer", issuer)
      .with("subject", leaf.subject)
      .with("days_left", static_cast<long>(leaf.days_left));
  if (!f.ca_file.empty()) {
    net::Tls sys = net::handshake(f.gateway, "", f.env, f.seconds_left());
    if (!sys.verified) {
      r.summary += " (trusted through gateway.ca_file: its issuer is not in the system store)";
      r.with("untrusted_issuer", issuer);
    }
  }
  if (leaf.days_left < 14)
    return warn("the gateway's certificate expires in " + days_text(leaf.days_left),
                {"tell the gateway's operators", ""});
  return r;
}

/// Whether a CA bundle holds a certificate whose subject is `issuer`.
bool holds(const net::Bundle& b, const std::string& issuer) {
  return std::any_of(b.certs.begin(), b.certs.end(),
                     [&](const net::Cert& c) { return c.subject == issuer; });
}

Result ca_vars(const Facts& f, const Done& done) {
  for (const char* n :
       {"NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "CODEX_CA_CERTIFICATE", "REQUESTS_CA_BUNDLE"})
    if (auto v = f.env.get(n); v && !v->empty()) {
      net::Bundle b = net::read_bundle(*v);
      if (!b.error.empty())
        return warn(
            std::string(n) + ": " + b.error + " (the runtimes that read it ignore it or fail)",
            {"point it at a readable PEM file", std::string("unset ") + n});
    }
  const Result* t = done.find("network.tls");
  if (!t || t->status == Status::kSkip)
    return skip("no TLS to the gateway was checked (network.tls)");
  const std::string issuer = t->details.value("untrusted_issuer", "");
  if (issuer.empty())
    return t->status == Status::kOk
               ? ok("no CA variable needed: the system store trusts the gateway")
               : skip("network.tls failed before the issuer was known");
  for (const auto& [cli, mode] : f.clis) {
    const CliDoctor* d = cli_doctor(cli);
    if (mode != "direct" || !d || d->ca_vars.empty()) continue;
    bool ok_var = false;
    for (auto var : d->ca_vars)
      if (auto v = f.env.get(std::string(var)))
        ok_var = ok_var || holds(net::read_bundle(*v), issuer);
    if (!ok_var)
      return fail(cli + " is set up direct and makes its own TLS connections, but " +
                      std::string(d->ca_vars.front()) + " holds no certificate of \"" + issuer +
                      "\"",
                  {"point it at that CA (or use proxy mode: lwgw setup " + cli + ")",
                   "export " + std::string(d->ca_vars.front()) + "=" +
                       (f.ca_file.empty() ? "/path/to/corporate-ca.pem" : f.ca_file)});
  }
  return ok("the CLIs reach the gateway through lwgw, which trusts \"" + issuer + "\"");
}

Result clock(const Facts&, const Done& done) {
  const Result* h = done.find("gateway.health");
  const std::string date = h ? h->details.value("date", "") : "";
  if (date.empty()) return skip("the gateway sent no Date header");
  std::tm tm{};
  std::istringstream in(date);
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
  if (in.fail()) return skip("the gateway's Date header is unreadable");
  const double skew = std::difftime(std::time(nullptr), ::timegm(&tm));
  const long s = static_cast<long>(skew < 0 ? -skew : skew);
  const std::string text = "this clock is " + std::to_string(s) + " s " +
                           (skew < 0 ? "behind" : "ahead of") + " the gateway's";
  if (s < 60) return ok(text).with("skew_s", static_cast<long>(skew));
  const Fix sync{"synchronise the clock", "sudo timedatectl set-ntp true"};
  if (s < 300) return warn(text, sync).with("skew_s", static_cast<long>(skew));
  return fail(text + ": TLS and token checks fail", sync).with("skew_s", static_cast<long>(skew));
}

}  // namespace

std::vector<Check> network_checks() {
  return {{.id = "network.proxy_env",
           .group = "network",
           .title = "HTTP(S)_PROXY/NO_PROXY: lower- and upper-case forms agree",
           .run = proxy_env},
          {.id = "network.no_proxy",
           .group = "network",
           .title = "with an HTTP proxy set, NO_PROXY covers the loopback host each CLI uses",
           .run = no_proxy},
          {.id = "network.dns",
           .group = "network",
           .title = "the gateway's name resolves",
           .slow = true,
           .run = dns},
          {.id = "network.tcp",
           .group = "network",
           .title = "a TCP connection to the gateway (or the HTTP proxy), and how long it takes",
           .needs = {"network.dns"},
           .slow = true,
           .run = tcp},
          {.id = "network.tls",
           .group = "network",
           .title = "TLS: chain, issuer, expiry, host name; a TLS-intercepting proxy",
           .needs = {"network.tcp"},
           .slow = true,
           .run = tls},
          {.id = "network.ca_vars",
           .group = "network",
           .title = "CA variables (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, CODEX_CA_CERTIFICATE) hold "
                    "the issuer",
           .after = {"network.tls"},
           .run = ca_vars},
          {.id = "network.clock",
           .group = "network",
           .title = "this clock against the gateway's Date header",
           .after = {"gateway.health"},
           .run = clock}};
}

}  // namespace lwgw::doctor
