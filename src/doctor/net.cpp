// Bounded network measurements for doctor: getaddrinfo on a helper thread, a non-blocking
// connect, TLS handshakes through libcurl (CONNECT_ONLY: nothing is sent), PEM parsing by OpenSSL.
#include "lwgw/doctor/net.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "../util/curl.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/http_client.hpp"
#include "lwgw/util/clock.hpp"

namespace lwgw::doctor::net {

namespace {

int default_port(const std::string& scheme) {
  return scheme == "https" ? 443 : 80;
}

std::string name_text(X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

Cert describe(X509* x) {
  Cert c;
  c.subject = name_text(X509_get_subject_name(x));
  c.issuer = name_text(X509_get_issuer_name(x));
  int days = 0, secs = 0;
  if (ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(x)))
    c.days_left = days + secs / 86400.0;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  c.pem.assign(data, static_cast<size_t>(n));
  BIO_free(bio);
  return c;
}

std::vector<Cert> parse_pem(const std::string& text) {
  std::vector<Cert> out;
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    out.push_back(describe(x));
    X509_free(x);
  }
  BIO_free(bio);
  return out;
}

/// The chain libcurl collected (CURLOPT_CERTINFO), parsed from each certificate's PEM.
std::vector<Cert> chain_of(CURL* h) {
  std::vector<Cert> out;
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &info) != CURLE_OK || !info) return out;
  for (int i = 0; i < info->num_of_certs; ++i)
    for (curl_slist* s = info->certinfo[i]; s; s = s->next)
      if (std::strncmp(s->data, "Cert:", 5) == 0) {
        auto certs = parse_pem(s->data + 5);
        out.insert(out.end(), certs.begin(), certs.end());
      }
  return out;
}

struct Attempt {
  CURLcode rc = CURLE_OK;
  std::string error;
  std::vector<Cert> chain;
};

Attempt connect_only(const std::string& url, const std::string& ca_file, const Env& env,
                     double timeout_s, bool verify) {
  Attempt a;
  util::CurlEasy c(curl_easy_init());
  CURL* h = c.get();
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  const long ms = static_cast<long>(timeout_s * 1000);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
  http::apply_proxy_settings(h, url, env);
  http::apply_ca_file(h, ca_file);
  if (!verify) {
    // Only to show the chain that failed verification: the connection carries no request.
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  a.rc = curl_easy_perform(h);
  if (a.rc != CURLE_OK) a.error = errbuf[0] ? errbuf : curl_easy_strerror(a.rc);
  a.chain = chain_of(h);
  return a;
}

bool tls_problem(CURLcode rc) {
  return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
         rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CACERT_BADFILE;
}

}  // namespace

std::optional<Url> parse_url(const std::string& url) {
  Url u;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  u.scheme = url.substr(0, scheme_end);
  size_t start = scheme_end + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? end : end - start);
  if (auto at = authority.rfind('@'); at != std::string::npos) {
    u.has_userinfo = true;
    authority = authority.substr(at + 1);
  }
  std::string rest = end == std::string::npos ? "" : url.substr(end);
  const size_t q = rest.find_first_of("?#");
  if (q != std::string::npos) {
    u.has_query = rest[q] == '?';
    rest = rest.substr(0, q);
  }
  u.path = rest == "/" ? "" : rest;
  std::string port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port = authority.substr(close + 2);
  } else if (auto colon = authority.rfind(':'); colon != std::string::npos) {
    u.host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  } else {
    u.host = authority;
  }
  if (u.host.empty()) return std::nullopt;
  if (port.empty()) {
    u.port = default_port(u.scheme);
  } else {
    if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5)
      return std::nullopt;
    u.port = std::stoi(port);
  }
  return u;
}

std::string safe_url(const std::string& url) {
  auto u = parse_url(url);
  if (!u) return url.substr(0, url.find_first_of("?#@"));
  const std::string host = u->host.find(':') != std::string::npos ? "[" + u->host + "]" : u->host;
  const bool default_p = u->port == default_port(u->scheme);
  return u->scheme + "://" + host + (default_p ? "" : ":" + std::to_string(u->port)) + u->path;
}

Resolved resolve(const std::string& host, double timeout_s) {
  Resolved r;
  const auto start = util::MonoClock::now();
  // getaddrinfo has no timeout: it runs on a thread this call stops waiting for.
  auto task = std::make_shared<std::packaged_task<Resolved()>>([host] {
    Resolved out;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
    if (rc != 0) {
      out.error = ::gai_strerror(rc);
      return out;
    }
    for (addrinfo* a = res; a; a = a->ai_next) {
      char buf[INET6_ADDRSTRLEN] = {0};
      const void* addr =
          a->ai_family == AF_INET
              ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
              : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
      if (::inet_ntop(a->ai_family, addr, buf, sizeof buf)) {
        std::string s = buf;
        if (std::find(out.addresses.begin(), out.addresses.end(), s) == out.addresses.end())
          out.addresses.push_back(s);
      }
    }
    ::freeaddrinfo(res);
    return out;
  });
  auto future = task->get_future();
  std::thread([task] { (*task)(); }).detach();
  if (future.wait_for(std::chrono::duration<double>(timeout_s)) == std::future_status::ready)
    r = future.get();
  else
    r.error = "no answer within " + std::to_string(static_cast<int>(timeout_s)) + " s";
  r.ms = util::ms_since(start);
  return r;
}

Connected connect_tcp(const std::string& host, int port, double timeout_s) {
  Connected c;
  const auto start = util::MonoClock::now();
  Resolved r = resolve(host, timeout_s);
  if (r.addresses.empty()) {
    c.error = "cannot resolve " + host + ": " + r.error;
    return c;
  }
  for (const auto& address : r.addresses) {
    const double left = timeout_s - util::seconds_since(start);
    if (left <= 0) break;
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (address.find(':') == std::string::npos) {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_port = htons(static_cast<uint16_t>(port));
      ::inet_pton(AF_INET, address.c_str(), &a->sin_addr);
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(static_cast<uint16_t>(port));
      ::inet_pton(AF_INET6, address.c_str(), &a->sin6_addr);
      len = sizeof *a;
    }
    int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
    int err = rc == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int n = ::poll(&p, 1, static_cast<int>(left * 1000));
      socklen_t elen = sizeof err;
      if (n <= 0)
        err = ETIMEDOUT;
      else
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
    }
    ::close(fd);
    if (err == 0) {
      c.ok = true;
      c.address = address;
      break;
    }
    c.error = address + ": " + (err == ETIMEDOUT ? "no answer in time" : std::strerror(err));
  }
  c.ms = util::ms_since(start);
  return c;
}

Tls handshake(const std::string& url, const std::string& ca_file, const Env& env,
              double timeout_s) {
  Tls t;
  const auto start = util::MonoClock::now();
  Attempt a = connect_only(url, ca_file, env, timeout_s, true);
  t.connected = a.rc == CURLE_OK;
  t.verified = a.rc == CURLE_OK;
  t.error = a.error;
  t.chain = a.chain;
  const double left = timeout_s - util::seconds_since(start);
  if (!t.verified && tls_problem(a.rc) && left > 0.1) {
    Attempt b = connect_only(url, "", env, left, false);
    t.connected = b.rc == CURLE_OK;
    t.chain = b.chain;
  }
  t.ms = util::ms_since(start);
  return t;
}

namespace {

struct StreamState {
  Stream* s;
  util::MonoClock::time_point start, last;
};

size_t on_stream_body(char* data, size_t size, size_t n, void* user) {
  auto* st = static_cast<StreamState*>(user);
  const auto now = util::MonoClock::now();
  const double since_start = std::chrono::duration<double, std::milli>(now - st->start).count();
  if (st->s->pieces == 0)
    st->s->ttfb_ms = since_start;
  else
    st->s->max_gap_ms = std::max(st->s->max_gap_ms,
                                 std::chrono::duration<double, std::milli>(now - st->last).count());
  st->last = now;
  ++st->s->pieces;
  st->s->response.body.append(data, size * n);
  return size * n;
}

size_t on_stream_header(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<http::Response*>(user);
  http::HeaderLine line = http::parse_header_line(std::string_view(data, size * n));
  if (line.kind == http::HeaderLine::Kind::kStatus) r->headers.clear();
  if (line.kind == http::HeaderLine::Kind::kField)
    r->headers.push_back({std::string(line.name), std::string(line.value)});
  return size * n;
}

}  // namespace

Stream stream(const http::Request& req, const Env& env) {
  Stream s;
  util::CurlEasy c(curl_easy_init());
  CURL* h = c.get();
  util::CurlSlist list(curl_slist_append(nullptr, "Expect:"));
  for (const auto& hd : req.headers)
    list.reset(curl_slist_append(list.release(), (hd.name + ": " + hd.value).c_str()));
  char errbuf[CURL_ERROR_SIZE] = {0};
  StreamState st{&s, util::MonoClock::now(), util::MonoClock::now()};
  http::configure_easy(h, req, env, list.get(), errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_stream_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_stream_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &s.response);
  const CURLcode rc = curl_easy_perform(h);
  s.total_ms = util::ms_since(st.start);
  if (rc != CURLE_OK) {
    s.response.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    return s;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &s.response.status);
  return s;
}

Bundle read_bundle(const std::string& path) {
  Bundle b;
  std::optional<std::string> text;
  try {
    text = fs::read_file(path);
  } catch (const std::exception& e) {
    b.error = e.what();
    return b;
  }
  if (!text) {
    b.error = path + " does not exist";
    return b;
  }
  b.certs = parse_pem(*text);
  if (b.certs.empty()) b.error = path + " holds no PEM certificate";
  return b;
}

}  // namespace lwgw::doctor::net
