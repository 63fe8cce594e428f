// Blocking libcurl client with the proxy, CA and timeout policy every control-plane call shares.
#include "lwgw/http_client.hpp"

#include <curl/curl.h>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>

#include "lwgw/util/clock.hpp"
#include "lwgw/util/text.hpp"
#include "util/curl.hpp"

namespace lwgw::http {

namespace {

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<Response*>(user);
  HeaderLine line = parse_header_line(std::string_view(data, size * n));
  if (line.kind == HeaderLine::Kind::kStatus) {  // a new response (after 1xx or a redirect)
    r->status_line = std::string(line.text);
    r->headers.clear();
  } else if (line.kind == HeaderLine::Kind::kField) {
    r->headers.push_back({std::string(line.name), std::string(line.value)});
  }
  return size * n;
}

std::string scheme_proxy(const std::string& url, const Env& env) {
  auto pick = [&](std::initializer_list<const char*> names) -> std::string {
    for (const char* n : names)
      if (auto v = env.get(n); v && !v->empty()) return *v;
    return "";
  };
  std::string p = url.rfind("https://", 0) == 0 ? pick({"HTTPS_PROXY", "https_proxy"})
                                                : pick({"http_proxy", "HTTP_PROXY"});
  if (p.empty()) p = pick({"ALL_PROXY", "all_proxy"});
  return p;
}
}  // namespace

std::optional<std::string> Response::header(const std::string& name) const {
  for (const auto& h : headers)
    if (util::iequals(h.name, name)) return h.value;
  return std::nullopt;
}

HeaderLine parse_header_line(std::string_view raw) {
  HeaderLine h;
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
  h.text = raw;
  if (raw.empty()) {
    h.kind = HeaderLine::Kind::kEnd;
  } else if (raw.rfind("HTTP/", 0) == 0) {
    h.kind = HeaderLine::Kind::kStatus;
    size_t sp = raw.find(' ');
    h.status = sp == std::string_view::npos ? 0 : std::strtol(raw.data() + sp + 1, nullptr, 10);
    size_t sp2 = sp == std::string_view::npos ? sp : raw.find(' ', sp + 1);
    if (sp2 != std::string_view::npos) h.reason = raw.substr(sp2 + 1);
  } else if (size_t colon = raw.find(':'); colon != std::string_view::npos) {
    h.kind = HeaderLine::Kind::kField;
    h.name = raw.substr(0, colon);
    h.value = raw.substr(colon + 1);
    while (!h.value.empty() && (h.value.front() == ' ' || h.value.front() == '\t'))
      h.value.remove_prefix(1);
  }
  return h;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string no_proxy_with_loopback(const std::string& current) {
  std::string out = current;
  auto has = [&](const std::string& host) {
    return ("," + out + ",").find("," + host + ",") != std::string::npos;
  };
  for (const char* host : {"127.0.0.1", "localhost", "::1"})
    if (!has(host)) out += (out.empty() ? "" : ",") + std::string(host);
  return out;
}

std::string join_url(const std::string& base, const std::string& path) {
  std::string b = base;
  while (!b.empty() && b.back() == '/') b.pop_back();
  if (path.empty()) return b;
  return path.front() == '/' ? b + path : b + "/" + path;
}

void apply_proxy_settings(void* handle, const std::string& url, const Env& env) {
  CURL* c = static_cast<CURL*>(handle);
  // An explicit value (possibly empty) stops libcurl from reading the real environment itself.
  curl_easy_setopt(c, CURLOPT_PROXY, scheme_proxy(url, env).c_str());
  const std::string no_proxy =
      no_proxy_with_loopback(env.get_or("NO_PROXY", env.get_or("no_proxy", "")));
  curl_easy_setopt(c, CURLOPT_NOPROXY, no_proxy.c_str());
}

void apply_ca_file(void* handle, const std::string& ca_file) {
  CURL* c = static_cast<CURL*>(handle);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (ca_file.empty()) return;
  curl_easy_setopt(c, CURLOPT_CAINFO, ca_file.c_str());
  // OpenSSL consults CAPATH as well, so the system store stays trusted beside the extra bundle.
  std::error_code ec;
  if (std::filesystem::is_directory("/etc/ssl/certs", ec))
    curl_easy_setopt(c, CURLOPT_CAPATH, "/etc/ssl/certs");
}

void configure_easy(void* curl_easy, const Request& req, const Env& env, curl_slist* headers,
                    char* errbuf) {
  CURL* h = curl_easy;
  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  if (req.method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, req.connect_timeout_s);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, req.timeout_s);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "lwgw");
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  apply_proxy_settings(h, req.url, env);
  apply_ca_file(h, req.ca_file);
}

Response send(const Request& req, const Env& env) {
  global_init();
  Response r;
  util::CurlEasy c(curl_easy_init());
  if (!c) {
    r.error = "could not initialise libcurl";
    return r;
  }
  util::CurlSlist headers;
  curl_slist* list = curl_slist_append(nullptr, "Expect:");
  for (const auto& h : req.headers)
    list = curl_slist_append(list, (h.name + ": " + h.value).c_str());
  headers.reset(list);
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* h = c.get();
  configure_easy(h, req, env, list, errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);

  auto start = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(h);
  r.seconds = util::seconds_since(start);
  if (rc != CURLE_OK) {
    r.status = 0;
    r.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    r.couldnt_connect = rc == CURLE_COULDNT_CONNECT;
    return r;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

}  // namespace lwgw::http
