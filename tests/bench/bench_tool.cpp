// lwgw-bench-tool: the measuring half of tests/bench/run.sh (Linux only: epoll, /proc).
//
//   serve       the upstream every target reaches: an instant JSON 200 on any path, and a paced SSE
//               stream on /v1/messages?events=N&interval_us=I. One thread, epoll, TCP_NODELAY. Each
//               event is one write() carrying the CLOCK_MONOTONIC time taken just before it, so a
//               client on this machine can tell how long that event took to reach it.
//   freeport    prints a free loopback TCP port
//   latency, ttfb, pace, concurrent, idle, body, upready, procstat
//               one measurement each, printed as one JSON line; targets are NAME=PORT[:PID] and are
//               visited in rotating order, round after round, so machine noise hits all alike
//   report      the table and the JSON document from those lines (exit 1 when a target is missed)
//
// Every wait has a deadline; nothing here retries forever.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <queue>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

using json = nlohmann::json;

namespace {

int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

[[noreturn]] void die(const std::string& msg) {
  std::cerr << "lwgw-bench-tool: " << msg << "\n";
  std::exit(2);
}

void sleep_ms(int64_t ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

double round1(double v) {
  return std::round(v * 10.0) / 10.0;
}

// Nearest-rank percentiles of values in microseconds.
json stats(std::vector<double> v) {
  json j;
  j["n"] = v.size();
  if (v.empty()) return j;
  std::sort(v.begin(), v.end());
  auto q = [&](double p) {
    auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
    return round1(v[std::clamp<size_t>(rank, 1, v.size()) - 1]);
  };
  double sum = 0;
  for (double x : v) sum += x;
  j["min"] = round1(v.front());
  j["p50"] = q(0.50);
  j["p90"] = q(0.90);
  j["p99"] = q(0.99);
  j["max"] = round1(v.back());
  j["mean"] = round1(sum / static_cast<double>(v.size()));
  return j;
}

// Per-round samples: each percentile is the median over the rounds of that round's percentile,
// so one round hit by a burst of machine noise cannot decide a tail. "pooled" has all samples.
json by_rounds(const std::vector<std::vector<double>>& rounds) {
  std::vector<double> all;
  std::map<std::string, std::vector<double>> per;
  for (auto& r : rounds) {
    if (r.empty()) continue;
    all.insert(all.end(), r.begin(), r.end());
    json s = stats(r);
    for (const char* k : {"p50", "p90", "p99"}) per[k].push_back(s[k].get<double>());
  }
  json j = stats(all);
  j["pooled"] = stats(all);
  for (auto& [k, v] : per) {
    j["rounds_" + k] = v;
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    j[k] = round1(n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
  }
  return j;
}

struct Target {
  std::string name;
  int port = 0;
  int pid = 0;
};

Target parse_target(const std::string& s) {
  Target t;
  auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0) die("target must be NAME=PORT[:PID], got " + s);
  t.name = s.substr(0, eq);
  auto colon = s.find(':', eq);
  t.port = std::atoi(s.substr(eq + 1, colon - eq - 1).c_str());
  if (colon != std::string::npos) t.pid = std::atoi(s.substr(colon + 1).c_str());
  if (t.port <= 0 || t.port > 65535) die("bad port in " + s);
  return t;
}

std::vector<Target> parse_targets(const std::vector<std::string>& in) {
  std::vector<Target> out;
  for (auto& s : in) out.push_back(parse_target(s));
  if (out.empty()) die("no --target given");
  return out;
}

// Round r visits the targets starting at a different one each time.
std::vector<Target> rotated(const std::vector<Target>& t, size_t round) {
  std::vector<Target> out;
  for (size_t i = 0; i < t.size(); ++i) out.push_back(t[(i + round) % t.size()]);
  return out;
}

// ---- /proc ---------------------------------------------------------------------------------

std::optional<long> status_field(const std::string& file, const std::string& field) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return std::nullopt;
}

struct ProcSample {
  bool alive = false;
  long rss_kib = 0, hwm_kib = 0, threads = 0;
  long voluntary = 0, involuntary = 0;  // summed over the threads alive now
};

ProcSample proc_sample(int pid, bool with_switches) {
  ProcSample s;
  std::string base = "/proc/" + std::to_string(pid);
  auto rss = status_field(base + "/status", "VmRSS");
  if (!rss) return s;
  s.alive = true;
  s.rss_kib = *rss;
  s.hwm_kib = status_field(base + "/status", "VmHWM").value_or(0);
  s.threads = status_field(base + "/status", "Threads").value_or(0);
  if (!with_switches) return s;
  if (DIR* d = ::opendir((base + "/task").c_str())) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      std::string f = base + "/task/" + e->d_name + "/status";
      s.voluntary += status_field(f, "voluntary_ctxt_switches").value_or(0);
      s.involuntary += status_field(f, "nonvoluntary_ctxt_switches").value_or(0);
    }
    ::closedir(d);
  }
  return s;
}

// Resets VmHWM to the current RSS (Linux >= 4.0); false when not allowed.
bool reset_peak(int pid) {
  std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
  if (!out) return false;
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

// ---- client side ---------------------------------------------------------------------------

int dial(int port, int timeout_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::send(fd, p, n, MSG_NOSIGNAL);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

std::string http_request(const std::string& method, const std::string& target, int port,
                         const std::string& token, size_t body_len,
                         const std::string& ctype = "application/json") {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                  "\r\nUser-Agent: lwgw-bench-tool\r\nAccept: */*\r\n";
  if (!token.empty()) r += "Authorization: Bearer " + token + "\r\n";
  r += "Content-Type: " + ctype + "\r\nContent-Length: " + std::to_string(body_len) + "\r\n\r\n";
  return r;
}

const std::string kChatBody = R"({"model":"bench","messages":[{"role":"user","content":"hi"}]})";
const std::string kStreamBody = R"({"model":"bench","stream":true,"max_tokens":16})";

// Incremental HTTP/1.1 response parser: decodes the body (chunked, Content-Length or until
// close) and skips 1xx interim responses.
class ResponseParser {
 public:
  bool feed(const char* p, size_t n, std::string& body) {
    size_t i = 0;
    while (i < n && s_ != S::kDone) {
      switch (s_) {
        case S::kHead: {
          line_.append(p + i, n - i);
          i = n;
          auto end = line_.find("\r\n\r\n");
          if (end == std::string::npos) {
            if (line_.size() > 65536) return fail("response head too long");
            break;
          }
          std::string rest = line_.substr(end + 4);
          std::string head = line_.substr(0, end);
          line_.clear();
          if (!parse_head(head)) return false;
          if (!rest.empty()) return feed(rest.data(), rest.size(), body);
          break;
        }
        case S::kLength:
        case S::kChunkData: {
          size_t take = static_cast<size_t>(std::min<uint64_t>(n - i, left_));
          body.append(p + i, take);
          i += take;
          left_ -= take;
          if (left_ == 0) {
            if (s_ == S::kLength) {
              s_ = S::kDone;
            } else {
              s_ = S::kChunkEnd;
              left_ = 2;
            }
          }
          break;
        }
        case S::kChunkEnd: {
          size_t take = static_cast<size_t>(std::min<uint64_t>(n - i, left_));
          i += take;
          left_ -= take;
          if (left_ == 0) s_ = S::kChunkSize;
          break;
        }
        case S::kChunkSize:
        case S::kTrailer: {
          const char* nl = static_cast<const char*>(std::memchr(p + i, '\n', n - i));
          if (!nl) {
            line_.append(p + i, n - i);
            i = n;
            if (line_.size() > 4096) return fail("chunk line too long");
            break;
          }
          line_.append(p + i, static_cast<size_t>(nl - (p + i)));
          i = static_cast<size_t>(nl - p) + 1;
          if (!line_.empty() && line_.back() == '\r') line_.pop_back();
          if (s_ == S::kChunkSize) {
            if (line_.empty() || !std::isxdigit(static_cast<unsigned char>(line_[0])))
              return fail("bad chunk size line");
            uint64_t size = std::strtoull(line_.c_str(), nullptr, 16);
            line_.clear();
            if (size == 0) {
              s_ = S::kTrailer;
            } else {
              left_ = size;
              s_ = S::kChunkData;
            }
          } else {
            bool empty = line_.empty();
            line_.clear();
            if (empty) s_ = S::kDone;
          }
          break;
        }
        case S::kUntilClose:
          body.append(p + i, n - i);
          i = n;
          break;
        case S::kDone:
          break;
      }
    }
    return true;
  }
  // The peer closed: fine only for a body that runs until close.
  bool eof() {
    if (s_ == S::kUntilClose) {
      s_ = S::kDone;
      return true;
    }
    return s_ == S::kDone;
  }
  bool done() const { return s_ == S::kDone; }
  bool head_done() const { return s_ != S::kHead; }
  int status() const { return status_; }
  bool keep_alive() const { return !close_ && s_ == S::kDone; }
  const std::string& error() const { return error_; }

 private:
  enum class S { kHead, kLength, kChunkSize, kChunkData, kChunkEnd, kTrailer, kUntilClose, kDone };
  bool fail(const std::string& e) {
    error_ = e;
    return false;
  }
  bool parse_head(const std::string& head) {
    std::istringstream in(head);
    std::string line;
    std::getline(in, line);
    if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12) return fail("bad status line");
    status_ = std::atoi(line.c_str() + 9);
    bool chunked = false;
    int64_t length = -1;
    close_ = line.rfind("HTTP/1.0", 0) == 0;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon), value = line.substr(colon + 1);
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      std::transform(value.begin(), value.end(), value.begin(), ::tolower);
      if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked = true;
      if (name == "content-length") length = std::atoll(value.c_str());
      if (name == "connection" && value.find("close") != std::string::npos) close_ = true;
    }
    if (status_ >= 100 && status_ < 200) {
      s_ = S::kHead;  // interim response; the real one follows
    } else if (chunked) {
      s_ = S::kChunkSize;
    } else if (length >= 0) {
      left_ = static_cast<uint64_t>(length);
      s_ = length == 0 ? S::kDone : S::kLength;
    } else if (status_ == 204 || status_ == 304) {
      s_ = S::kDone;
    } else {
      s_ = S::kUntilClose;
      close_ = true;
    }
    return true;
  }

  S s_ = S::kHead;
  std::string line_, error_;
  uint64_t left_ = 0;
  int status_ = 0;
  bool close_ = false;
};

// The SSE events the upstream writes: `event: bench\ndata: {"seq":I,"w":W,"t":NS}\n\n`.
struct EventScan {
  size_t pos = 0;
  long events = 0, last_seq = -1, writes = 0;
  bool in_order = true;
  std::vector<double> delays_us;  // every event but the first (that one is the ttfb row's)

  // Returns how many events this read completed.
  int scan(const std::string& body, int64_t t_read) {
    int completed = 0;
    for (;;) {
      auto end = body.find("\n\n", pos);
      if (end == std::string::npos) break;
      std::string_view ev(body.data() + pos, end - pos);
      pos = end + 2;
      auto num = [&](std::string_view key) -> int64_t {
        auto k = ev.find(key);
        if (k == std::string_view::npos) return -1;
        return std::atoll(std::string(ev.substr(k + key.size(), 24)).c_str());
      };
      int64_t seq = num("\"seq\":"), w = num("\"w\":"), t = num("\"t\":");
      if (seq < 0 || t < 0) continue;  // not one of ours
      ++completed;
      ++events;
      if (seq != last_seq + 1) in_order = false;
      last_seq = seq;
      writes = std::max<long>(writes, w);
      if (seq > 0) delays_us.push_back(static_cast<double>(t_read - t) / 1000.0);
    }
    return completed;
  }
};

struct Exchange {
  bool ok = false;
  int status = 0;
  bool keep_alive = false;
  int64_t t_sent = 0, t_first_body = 0, t_done = 0;
  long body_reads = 0, coalesced_reads = 0;
  std::string body, error;
  EventScan events;
};

// One request on a connected blocking socket; reads until the response is complete.
Exchange exchange(int fd, const std::string& head, const std::string& body, bool scan_events) {
  Exchange x;
  ResponseParser parser;
  static thread_local std::vector<char> buf(256 * 1024);
  x.t_sent = now_ns();
  if (!send_all(fd, head.data(), head.size()) || !send_all(fd, body.data(), body.size())) {
    x.error = "send failed";
    return x;
  }
  for (;;) {
    ssize_t r = ::recv(fd, buf.data(), buf.size(), 0);
    int64_t t = now_ns();
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      x.error = errno == EAGAIN ? "timeout" : std::string("recv: ") + std::strerror(errno);
      return x;
    }
    if (r == 0) {
      if (!parser.eof()) {
        x.error = "connection closed mid-response";
        return x;
      }
      x.t_done = t;
      break;
    }
    size_t before = x.body.size();
    if (!parser.feed(buf.data(), static_cast<size_t>(r), x.body)) {
      x.error = parser.error();
      return x;
    }
    if (x.body.size() > before) {
      if (x.t_first_body == 0) x.t_first_body = t;
      ++x.body_reads;
      if (scan_events && x.events.scan(x.body, t) > 1) ++x.coalesced_reads;
    }
    if (parser.done()) {
      x.t_done = t;
      break;
    }
  }
  x.status = parser.status();
  x.keep_alive = parser.keep_alive();
  x.ok = x.status == 200;
  if (!x.ok) x.error = "status " + std::to_string(x.status);
  return x;
}

// A keep-alive connection that redials when the server closed it.
class Client {
 public:
  explicit Client(int port) : port_(port) {}
  ~Client() { reset(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Exchange run(const std::string& head, const std::string& body, bool scan_events) {
    if (fd_ < 0) {
      fd_ = dial(port_, 10000);
      if (fd_ < 0) {
        Exchange x;
        x.error = std::string("connect: ") + std::strerror(errno);
        return x;
      }
      ++dials_;
    }
    Exchange x = exchange(fd_, head, body, scan_events);
    if (!x.keep_alive) reset();
    return x;
  }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }
  long dials() const { return dials_; }

 private:
  int port_;
  int fd_ = -1;
  long dials_ = 0;
};

void note_error(json& j, const std::string& e) {
  j["errors"] = j.value("errors", 0) + 1;
  if (!j.contains("first_error")) j["first_error"] = e;
}

std::string stream_target(long events, long interval_us) {
  return "/v1/messages?events=" + std::to_string(events) +
         "&interval_us=" + std::to_string(interval_us);
}

// ---- latency / ttfb / pace -----------------------------------------------------------------

struct Common {
  std::vector<std::string> targets;
  std::string token;
  int rounds = 3;
};

void add_common(CLI::App* c, Common& o) {
  c->add_option("--target", o.targets, "NAME=PORT[:PID], repeatable")->required();
  c->add_option("--token", o.token, "sent as Authorization: Bearer to every target");
  c->add_option("--rounds", o.rounds, "rounds; each visits every target once")
      ->check(CLI::Range(1, 1000));
}

// Sequential requests on one keep-alive connection per target and round. ttfb: streamed
// responses, timed to their first body byte.
int cmd_sequential(const Common& o, int n, int warmup, bool ttfb) {
  auto targets = parse_targets(o.targets);
  std::map<std::string, std::vector<std::vector<double>>> samples, totals;
  std::map<std::string, json> info;
  for (auto& t : targets) info[t.name] = json{{"errors", 0}};
  const std::string path = ttfb ? stream_target(1, 0) : "/v1/chat/completions";
  const std::string& body = ttfb ? kStreamBody : kChatBody;
  for (int r = 0; r < o.rounds; ++r) {
    for (auto& t : rotated(targets, static_cast<size_t>(r))) {
      std::string head = http_request("POST", path, t.port, o.token, body.size());
      Client c(t.port);
      auto& sample = samples[t.name].emplace_back();
      auto& total = totals[t.name].emplace_back();
      int round_errors = 0;
      for (int i = 0; i < warmup + n; ++i) {
        Exchange x = c.run(head, body, false);
        if (!x.ok) {
          note_error(info[t.name], x.error);
          if (++round_errors >= 10) break;  // a broken target: on to the next one
          continue;
        }
        if (i < warmup) continue;
        if (ttfb) {
          sample.push_back(static_cast<double>(x.t_first_body - x.t_sent) / 1000.0);
          total.push_back(static_cast<double>(x.t_done - x.t_sent) / 1000.0);
        } else {
          sample.push_back(static_cast<double>(x.t_done - x.t_sent) / 1000.0);
        }
      }
      info[t.name]["connections"] = info[t.name].value("connections", 0) + c.dials();
    }
  }
  json out{{"phase", ttfb ? "ttfb" : "latency"}, {"rounds", o.rounds}, {"n", n}};
  for (auto& t : targets) {
    json j = by_rounds(samples[t.name]);
    j.update(info[t.name]);
    if (ttfb) j["total_us"] = by_rounds(totals[t.name]);
    out["targets"][t.name] = j;
  }
  std::cout << out.dump() << std::endl;
  return 0;
}

// Paced streams, one at a time: per-event delay (upstream write -> client read) and whether a
// read ever carried more than the upstream wrote in one go.
int cmd_pace(const Common& o, long events, long interval_us) {
  auto targets = parse_targets(o.targets);
  std::map<std::string, json> info;
  std::map<std::string, std::vector<std::vector<double>>> delays;
  for (auto& t : targets)
    info[t.name] = json{{"errors", 0}, {"streams", 0},         {"reads", 0},
                        {"writes", 0}, {"coalesced_reads", 0}, {"events", 0}};
  for (int r = 0; r < o.rounds; ++r) {
    for (auto& t : rotated(targets, static_cast<size_t>(r))) {
      json& j = info[t.name];
      std::string path = stream_target(events, interval_us);
      Client c(t.port);
      Exchange x =
          c.run(http_request("POST", path, t.port, o.token, kStreamBody.size()), kStreamBody, true);
      j["streams"] = j["streams"].get<long>() + 1;
      if (!x.ok || x.events.events != events || !x.events.in_order) {
        note_error(j, x.ok ? "got " + std::to_string(x.events.events) + " of " +
                                 std::to_string(events) + " events"
                           : x.error);
        continue;
      }
      j["reads"] = j["reads"].get<long>() + x.body_reads;
      j["writes"] = j["writes"].get<long>() + x.events.writes;
      j["events"] = j["events"].get<long>() + x.events.events;
      j["coalesced_reads"] = j["coalesced_reads"].get<long>() + x.coalesced_reads;
      auto& d = delays[t.name].emplace_back();
      d.insert(d.end(), x.events.delays_us.begin(), x.events.delays_us.end());
    }
  }
  json out{
      {"phase", "pace"}, {"rounds", o.rounds}, {"events", events}, {"interval_us", interval_us}};
  for (auto& t : targets) {
    json j = info[t.name];
    j["delay_us"] = by_rounds(delays[t.name]);
    out["targets"][t.name] = j;
  }
  std::cout << out.dump() << std::endl;
  return 0;
}

// ---- concurrent streams --------------------------------------------------------------------

struct Stream {
  int fd = -1;
  int64_t start_at = 0;
  enum class St { kPending, kConnecting, kSending, kReading, kDone, kFailed } st = St::kPending;
  std::string out, body, error;
  size_t sent = 0;
  ResponseParser parser;
  EventScan scan;
};

json run_concurrent(const Target& t, const std::string& token, int streams, long events,
                    long interval_us, int64_t deadline_ns) {
  json j{{"streams", streams}};
  bool peak_reset = t.pid > 0 && reset_peak(t.pid);
  j["peak_reset"] = peak_reset;
  long rss_max = 0, threads_max = 0;
  std::vector<Stream> ss(static_cast<size_t>(streams));
  std::string req =
      http_request("POST", stream_target(events, interval_us), t.port, token, kStreamBody.size()) +
      kStreamBody;
  // Starts are spread over one interval: real streams are not phase-locked, and a burst of 256
  // events in the same microsecond would measure the client more than the proxy.
  const int64_t t_begin = now_ns();
  for (size_t i = 0; i < ss.size(); ++i)
    ss[i].start_at = t_begin + interval_us * 1000 * static_cast<int64_t>(i) / streams;
  auto start = [&](Stream& s) {
    s.st = Stream::St::kConnecting;
    s.out = req;
    s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    ::setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(t.port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s.fd < 0 ||
        (::connect(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS)) {
      s.st = Stream::St::kFailed;
      s.error = std::string("connect: ") + std::strerror(errno);
    }
  };
  std::vector<char> buf(64 * 1024);
  std::vector<pollfd> pfds;
  std::vector<size_t> idx;
  int64_t next_sample = 0;
  for (;;) {
    int64_t t_now = now_ns();
    if (t.pid > 0 && t_now >= next_sample) {
      ProcSample p = proc_sample(t.pid, false);
      rss_max = std::max(rss_max, p.rss_kib);
      threads_max = std::max(threads_max, p.threads);
      next_sample = t_now + 20'000'000;
    }
    pfds.clear();
    idx.clear();
    bool pending = false;
    for (size_t i = 0; i < ss.size(); ++i) {
      auto& s = ss[i];
      if (s.st == Stream::St::kPending && s.start_at <= t_now) start(s);
      if (s.st == Stream::St::kPending) pending = true;
      if (s.st == Stream::St::kPending || s.st == Stream::St::kDone || s.st == Stream::St::kFailed)
        continue;
      short ev = s.st == Stream::St::kReading ? POLLIN : POLLOUT;
      pfds.push_back({s.fd, ev, 0});
      idx.push_back(i);
    }
    if (pfds.empty() && !pending) break;
    if (t_now > deadline_ns) {
      for (size_t i : idx) {
        ss[i].st = Stream::St::kFailed;
        ss[i].error = "timeout";
      }
      break;
    }
    int n = ::poll(pfds.data(), pfds.size(), pending ? 1 : 20);
    if (n < 0 && errno != EINTR) die(std::string("poll: ") + std::strerror(errno));
    for (size_t k = 0; n > 0 && k < pfds.size(); ++k) {
      if (pfds[k].revents == 0) continue;
      auto& s = ss[idx[k]];
      if (s.st == Stream::St::kConnecting) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          s.st = Stream::St::kFailed;
          s.error = std::string("connect: ") + std::strerror(err);
          continue;
        }
        s.st = Stream::St::kSending;
      }
      if (s.st == Stream::St::kSending) {
        ssize_t w = ::send(s.fd, s.out.data() + s.sent, s.out.size() - s.sent, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
          s.st = Stream::St::kFailed;
          s.error = std::string("send: ") + std::strerror(errno);
        } else if (w > 0) {
          s.sent += static_cast<size_t>(w);
          if (s.sent == s.out.size()) s.st = Stream::St::kReading;
        }
        continue;
      }
      ssize_t r = ::recv(s.fd, buf.data(), buf.size(), 0);
      int64_t tr = now_ns();
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r <= 0) {
        bool fine = r == 0 && s.parser.eof();
        s.st = fine ? Stream::St::kDone : Stream::St::kFailed;
        if (!fine) s.error = r == 0 ? "closed mid-response" : std::strerror(errno);
        continue;
      }
      if (!s.parser.feed(buf.data(), static_cast<size_t>(r), s.body)) {
        s.st = Stream::St::kFailed;
        s.error = s.parser.error();
        continue;
      }
      s.scan.scan(s.body, tr);
      if (s.parser.done()) s.st = Stream::St::kDone;
    }
  }
  std::vector<double> delays;
  long ok = 0;
  for (auto& s : ss) {
    if (s.fd >= 0) ::close(s.fd);
    std::string why = s.error;
    if (s.st == Stream::St::kDone && s.parser.status() != 200)
      why = "status " + std::to_string(s.parser.status());
    else if (s.st == Stream::St::kDone && (s.scan.events != events || !s.scan.in_order))
      why = "got " + std::to_string(s.scan.events) + " of " + std::to_string(events) + " events";
    if (why.empty()) {
      ++ok;
      delays.insert(delays.end(), s.scan.delays_us.begin(), s.scan.delays_us.end());
    } else {
      note_error(j, why);
    }
  }
  j["ok"] = ok;
  if (!j.contains("errors")) j["errors"] = 0;
  j["delay_us"] = stats(delays);
  if (t.pid > 0) {
    ProcSample p = proc_sample(t.pid, false);
    j["rss_max_kib"] = std::max(rss_max, p.rss_kib);
    j["threads_max"] = std::max(threads_max, p.threads);
    j["hwm_kib"] = p.hwm_kib;  // since the reset above when peak_reset
  }
  return j;
}

int cmd_concurrent(const Common& o, int streams, long events, long interval_us) {
  auto targets = parse_targets(o.targets);
  json out{{"phase", "concurrent"},
           {"streams", streams},
           {"events", events},
           {"interval_us", interval_us},
           {"rounds", o.rounds}};
  const int64_t budget_ns = events * interval_us * 1000 + 30'000'000'000LL;
  for (int r = 0; r < o.rounds; ++r) {
    for (auto& t : rotated(targets, static_cast<size_t>(r))) {
      json j = run_concurrent(t, o.token, streams, events, interval_us, now_ns() + budget_ns);
      json& acc = out["targets"][t.name];
      // Keep the worst round: most errors, highest peak.
      if (acc.is_null() || j["errors"].get<long>() > acc["errors"].get<long>() ||
          (j["errors"] == acc["errors"] && j.value("hwm_kib", 0L) > acc.value("hwm_kib", 0L)))
        acc = j;
      sleep_ms(200);  // let the proxies close their upstream connections
    }
  }
  std::cout << out.dump() << std::endl;
  return 0;
}

// ---- idle ----------------------------------------------------------------------------------

int cmd_idle(const Common& o, double seconds, int conns, int settle_ms) {
  auto targets = parse_targets(o.targets);
  for (auto& t : targets)
    if (t.pid <= 0) die("idle needs NAME=PORT:PID targets");
  auto one_request = [&](Client& c, const Target& t) {
    std::string h = http_request("POST", "/v1/chat/completions", t.port, o.token, kChatBody.size());
    return c.run(h, kChatBody, false);
  };
  json out{{"phase", "idle"}, {"seconds", seconds}, {"conns", conns}};
  // One request through each so everything lazy is initialised, then nothing.
  for (auto& t : targets) {
    Client c(t.port);
    Exchange x = one_request(c, t);
    if (!x.ok) note_error(out["targets"][t.name], "warm-up: " + x.error);
  }
  auto window = [&](const char* key) {
    sleep_ms(settle_ms);
    std::map<std::string, ProcSample> a, b;
    for (auto& t : targets) a[t.name] = proc_sample(t.pid, true);
    int64_t t0 = now_ns();
    sleep_ms(static_cast<int64_t>(seconds * 1000));
    double secs = static_cast<double>(now_ns() - t0) / 1e9;
    for (auto& t : targets) b[t.name] = proc_sample(t.pid, true);
    for (auto& t : targets) {
      json& j = out["targets"][t.name];
      j[std::string(key) + "_wakeups"] = b[t.name].voluntary - a[t.name].voluntary;
      j[std::string(key) + "_involuntary"] = b[t.name].involuntary - a[t.name].involuntary;
      j[std::string(key) + "_wakeups_per_s"] =
          round1(static_cast<double>(b[t.name].voluntary - a[t.name].voluntary) / secs);
      j[std::string(key) + "_threads"] = b[t.name].threads;
      j[std::string(key) + "_rss_kib"] = b[t.name].rss_kib;
    }
  };
  window("none");
  std::map<std::string, std::vector<std::unique_ptr<Client>>> held;
  for (auto& t : targets) {
    for (int i = 0; i < conns; ++i) {
      auto c = std::make_unique<Client>(t.port);
      Exchange x = one_request(*c, t);
      if (!x.ok) note_error(out["targets"][t.name], "keep-alive request: " + x.error);
      held[t.name].push_back(std::move(c));
    }
  }
  window("conns");
  for (auto& t : targets) {
    json& j = out["targets"][t.name];
    long open = 0;
    for (auto& c : held[t.name]) {
      if (c->fd() < 0) continue;
      pollfd p{c->fd(), POLLIN | POLLRDHUP, 0};
      if (::poll(&p, 1, 0) == 0) ++open;  // nothing to read, no hang-up: still open
    }
    j["conns_open_at_end"] = open;
    double per = (j["conns_wakeups_per_s"].get<double>() - j["none_wakeups_per_s"].get<double>()) /
                 std::max(1, conns);
    j["wakeups_per_s_per_conn"] = round1(std::max(0.0, per));
    if (!j.contains("errors")) j["errors"] = 0;
  }
  std::cout << out.dump() << std::endl;
  return 0;
}

// ---- body ----------------------------------------------------------------------------------

int cmd_body(const Common& o, long mib) {
  auto targets = parse_targets(o.targets);
  json out{{"phase", "body"}, {"mib", mib}};
  const size_t size = static_cast<size_t>(mib) * 1024 * 1024;
  std::string block(1024 * 1024, 'a');
  for (auto& t : targets) {
    json j{{"errors", 0}};
    if (t.pid > 0) {
      j["peak_reset"] = reset_peak(t.pid);
      j["rss_before_kib"] = proc_sample(t.pid, false).rss_kib;
    }
    int fd = dial(t.port, 30000);
    if (fd < 0) {
      note_error(j, "connect failed");
      out["targets"][t.name] = j;
      continue;
    }
    std::string head =
        http_request("POST", "/v1/chat/completions", t.port, o.token, size, "application/json");
    int64_t t0 = now_ns();
    bool sent = send_all(fd, head.data(), head.size());
    for (size_t left = size; sent && left > 0;) {
      size_t n = std::min(left, block.size());
      sent = send_all(fd, block.data(), n);
      left -= n;
    }
    Exchange x = sent ? exchange(fd, "", "", false) : Exchange{};
    ::close(fd);
    j["seconds"] = round1(static_cast<double>(now_ns() - t0) / 1e8) / 10.0;
    if (!sent) {
      note_error(j, "send failed");
    } else if (!x.ok) {
      note_error(j, x.error);
    } else {
      // The upstream answers {"received":N}: the whole body must have reached it.
      auto k = x.body.find("\"received\":");
      long long got = k == std::string::npos ? -1 : std::atoll(x.body.c_str() + k + 11);
      j["received"] = got;
      if (got != static_cast<long long>(size))
        note_error(j, "upstream received " + std::to_string(got) + " bytes");
    }
    if (t.pid > 0) j["hwm_kib"] = proc_sample(t.pid, false).hwm_kib;
    out["targets"][t.name] = j;
  }
  std::cout << out.dump() << std::endl;
  return 0;
}

// One plain request and one short stream per target, so a misconfigured target stops the run
// before anything is measured.
int cmd_probe(const Common& o) {
  int bad = 0;
  for (auto& t : parse_targets(o.targets)) {
    Client c(t.port);
    Exchange a =
        c.run(http_request("POST", "/v1/chat/completions", t.port, o.token, kChatBody.size()),
              kChatBody, false);
    Exchange b =
        c.run(http_request("POST", stream_target(3, 1000), t.port, o.token, kStreamBody.size()),
              kStreamBody, true);
    bool ok =
        a.ok &&
        a.body.find("\"received\":" + std::to_string(kChatBody.size())) != std::string::npos &&
        b.ok && b.events.events == 3 && b.events.in_order;
    std::cerr << (ok ? "ok   " : "FAIL ") << t.name << " 127.0.0.1:" << t.port << ": request "
              << (a.ok ? "200" : a.error) << ", stream "
              << (b.ok ? std::to_string(b.events.events) + "/3 events" : b.error);
    if (!ok) std::cerr << "\n     " << a.body.substr(0, 300) << "\n     " << b.body.substr(0, 300);
    std::cerr << "\n";
    bad += ok ? 0 : 1;
  }
  return bad ? 1 : 0;
}

int cmd_procstat(const Common& o, const std::string& phase) {
  auto targets = parse_targets(o.targets);
  json out{{"phase", phase}};
  for (auto& t : targets) {
    if (t.pid <= 0) continue;
    ProcSample p = proc_sample(t.pid, false);
    out["targets"][t.name] = {
        {"alive", p.alive}, {"rss_kib", p.rss_kib}, {"hwm_kib", p.hwm_kib}, {"threads", p.threads}};
  }
  std::cout << out.dump() << std::endl;
  return 0;
}

// ---- lwgw up readiness ---------------------------------------------------------------------

struct RunOut {
  int code = -1;
  std::string err;
  double ms = 0;
};

// Runs argv (inheriting the environment) with stderr captured; kills it after timeout_ms.
RunOut run_cmd(const std::vector<std::string>& argv, int timeout_ms) {
  RunOut r;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) die("pipe");
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int64_t t0 = now_ns();
  pid_t pid = ::fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    ::dup2(p[1], 2);
    int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::execv(args[0], args.data());
    _exit(127);
  }
  ::close(p[1]);
  ::fcntl(p[0], F_SETFL, O_NONBLOCK);
  int status = 0;
  char buf[4096];
  for (int64_t deadline = t0 + int64_t{timeout_ms} * 1'000'000;;) {
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (now_ns() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      r.err += "(killed after " + std::to_string(timeout_ms) + " ms)";
      break;
    }
    pollfd pf{p[0], POLLIN, 0};
    ::poll(&pf, 1, 1);
    ssize_t n = ::read(p[0], buf, sizeof buf);
    if (n > 0) r.err.append(buf, static_cast<size_t>(n));
  }
  r.ms = static_cast<double>(now_ns() - t0) / 1e6;
  for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;)
    r.err.append(buf, static_cast<size_t>(n));
  ::close(p[0]);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

int cmd_upready(const std::string& lwgw, int reps) {
  json out{{"phase", "upready"}, {"errors", 0}};
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    RunOut up = run_cmd({lwgw, "up", "--listen", "127.0.0.1:0"}, 20000);
    auto k = up.err.find("(pid ");
    int pid = k == std::string::npos ? 0 : std::atoi(up.err.c_str() + k + 5);
    if (up.code != 0 || pid <= 0) {
      note_error(out, "lwgw up exit " + std::to_string(up.code) + ": " + up.err);
    } else {
      ms.push_back(up.ms);
    }
    RunOut down = run_cmd({lwgw, "down"}, 20000);
    if (pid > 0 && ::kill(pid, 0) == 0) {
      for (int w = 0; w < 100 && ::kill(pid, 0) == 0; ++w) sleep_ms(20);
      if (::kill(pid, 0) == 0) {
        ::kill(pid, SIGKILL);
        note_error(out, "lwgw down left pid " + std::to_string(pid) + " running (exit " +
                            std::to_string(down.code) + ")");
      }
    }
    sleep_ms(50);
  }
  out["ms"] = stats(ms);
  std::vector<double> raw;
  for (double v : ms) raw.push_back(round1(v));
  out["runs_ms"] = raw;
  std::cout << out.dump() << std::endl;
  return 0;
}

// ---- the upstream --------------------------------------------------------------------------

class Upstream {
 public:
  int bind(int port) {
    lfd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    ::setsockopt(lfd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(lfd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(lfd_, 4096) != 0)
      die(std::string("upstream cannot listen: ") + std::strerror(errno));
    socklen_t len = sizeof a;
    ::getsockname(lfd_, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
  }

  void run() {
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigprocmask(SIG_BLOCK, &sigs, nullptr);
    int sfd = ::signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
    ep_ = ::epoll_create1(EPOLL_CLOEXEC);
    add(lfd_, EPOLLIN);
    add(sfd, EPOLLIN);
    std::vector<epoll_event> evs(512);
    for (;;) {
      int timeout = -1;
      if (!timers_.empty()) {
        int64_t wait = timers_.top().due - now_ns();
        timeout = wait <= 0 ? 0 : static_cast<int>((wait + 999'999) / 1'000'000);
      }
      int n = ::epoll_wait(ep_, evs.data(), static_cast<int>(evs.size()), timeout);
      if (n < 0 && errno != EINTR) die(std::string("epoll_wait: ") + std::strerror(errno));
      for (int i = 0; i < n; ++i) {
        int fd = evs[static_cast<size_t>(i)].data.fd;
        uint32_t e = evs[static_cast<size_t>(i)].events;
        if (fd == sfd) {
          std::cerr << "lwgw-bench-tool serve: " << requests_ << " requests, " << streams_
                    << " streams, " << partial_writes_ << " partial stream writes\n";
          return;
        }
        if (fd == lfd_) {
          accept_all();
          continue;
        }
        auto it = conns_.find(fd);
        if (it == conns_.end()) continue;
        Conn& c = *it->second;
        if (e & (EPOLLERR | EPOLLHUP)) {
          close_conn(c);
          continue;
        }
        if ((e & EPOLLOUT) && !flush(c)) continue;
        if (e & EPOLLIN) on_readable(c);
      }
      fire_timers();
    }
  }

 private:
  struct Conn {
    int fd = -1;
    uint64_t gen = 0;
    enum class St { kHead, kLength, kChunkSize, kChunkData, kChunkEnd, kTrailer, kStreaming };
    St st = St::kHead;
    std::string in, out;
    uint64_t left = 0, received = 0;
    bool close_after = false, want_out = false;
    std::string target;
    // streaming
    long events = 0, sent = 0, writes = 0;
    int64_t interval_ns = 0, start = 0;
  };
  struct Timer {
    int64_t due;
    int fd;
    uint64_t gen;
    bool operator>(const Timer& o) const { return due > o.due; }
  };

  void add(int fd, uint32_t ev) {
    epoll_event e{};
    e.events = ev;
    e.data.fd = fd;
    ::epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &e);
  }
  void mod(Conn& c, bool want_out) {
    if (c.want_out == want_out) return;
    c.want_out = want_out;
    epoll_event e{};
    e.events = want_out ? EPOLLIN | EPOLLOUT : EPOLLIN;
    e.data.fd = c.fd;
    ::epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &e);
  }

  void accept_all() {
    for (;;) {
      int fd = ::accept4(lfd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto c = std::make_unique<Conn>();
      c->fd = fd;
      c->gen = ++gen_;
      add(fd, EPOLLIN);
      conns_[fd] = std::move(c);
    }
  }

  void close_conn(Conn& c) {
    int fd = c.fd;
    ::epoll_ctl(ep_, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    conns_.erase(fd);  // destroys c
  }

  // Sends what is pending; false when the connection was closed.
  bool flush(Conn& c) {
    while (!c.out.empty()) {
      ssize_t w = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (c.st == Conn::St::kStreaming) ++c.writes;
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) {
        mod(c, true);
        return true;
      }
      if (w <= 0) {
        close_conn(c);
        return false;
      }
      c.out.erase(0, static_cast<size_t>(w));
    }
    mod(c, false);
    if (c.close_after && c.st == Conn::St::kHead) {
      close_conn(c);
      return false;
    }
    return true;
  }

  // Appends and sends; counts a partial write of a stream event.
  bool send(Conn& c, std::string data) {
    if (!c.out.empty()) {
      c.out += data;
      return true;
    }
    c.out = std::move(data);
    size_t before = c.out.size();
    bool alive = flush(c);
    if (alive && !c.out.empty() && c.out.size() < before) ++partial_writes_;
    return alive;
  }

  void on_readable(Conn& c) {
    static std::vector<char> buf(256 * 1024);
    ssize_t r = ::recv(c.fd, buf.data(), buf.size(), 0);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (r <= 0) {
      close_conn(c);
      return;
    }
    c.in.append(buf.data(), static_cast<size_t>(r));
    process(c);
  }

  static std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    return s;
  }

  // Consumes requests from c.in; stops while a stream is being written.
  void process(Conn& c) {
    for (;;) {
      switch (c.st) {
        case Conn::St::kStreaming:
          return;
        case Conn::St::kHead: {
          auto end = c.in.find("\r\n\r\n");
          if (end == std::string::npos) {
            if (c.in.size() > 65536) close_conn(c);
            return;
          }
          std::istringstream head(c.in.substr(0, end));
          c.in.erase(0, end + 4);
          std::string line, method, version;
          std::getline(head, line);
          std::istringstream rl(line);
          rl >> method >> c.target >> version;
          int64_t length = 0;
          bool chunked = false, expect = false;
          c.close_after = version != "HTTP/1.1";
          while (std::getline(head, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string name = lower(line.substr(0, colon));
            std::string value = lower(line.substr(colon + 1));
            if (name == "content-length") length = std::atoll(value.c_str());
            if (name == "transfer-encoding" && value.find("chunked") != std::string::npos)
              chunked = true;
            if (name == "connection" && value.find("close") != std::string::npos)
              c.close_after = true;
            if (name == "expect" && value.find("100-continue") != std::string::npos) expect = true;
          }
          ++requests_;
          c.received = 0;
          if (chunked) {
            c.st = Conn::St::kChunkSize;
          } else if (length > 0) {
            c.left = static_cast<uint64_t>(length);
            c.st = Conn::St::kLength;
          } else {
            if (!respond(c)) return;
            break;
          }
          // curl sends large bodies only after this (or after waiting a second for it).
          if (expect && !send(c, "HTTP/1.1 100 Continue\r\n\r\n")) return;
          break;
        }
        case Conn::St::kLength:
        case Conn::St::kChunkData: {
          if (c.in.empty()) return;
          size_t take = static_cast<size_t>(std::min<uint64_t>(c.in.size(), c.left));
          if (take == c.in.size())
            c.in.clear();
          else
            c.in.erase(0, take);
          c.left -= take;
          c.received += take;
          if (c.left > 0) return;
          if (c.st == Conn::St::kChunkData) {
            c.st = Conn::St::kChunkEnd;
          } else if (!respond(c)) {
            return;
          }
          break;
        }
        case Conn::St::kChunkEnd:
          if (c.in.size() < 2) return;
          c.in.erase(0, 2);
          c.st = Conn::St::kChunkSize;
          break;
        case Conn::St::kChunkSize:
        case Conn::St::kTrailer: {
          auto nl = c.in.find("\r\n");
          if (nl == std::string::npos) return;
          std::string line = c.in.substr(0, nl);
          c.in.erase(0, nl + 2);
          if (c.st == Conn::St::kChunkSize) {
            uint64_t size = std::strtoull(line.c_str(), nullptr, 16);
            if (size == 0) {
              c.st = Conn::St::kTrailer;
            } else {
              c.left = size;
              c.st = Conn::St::kChunkData;
            }
          } else if (line.empty() && !respond(c)) {
            return;
          }
          break;
        }
      }
    }
  }

  static long query_int(const std::string& target, const std::string& key, long def, long max) {
    auto q = target.find('?');
    if (q == std::string::npos) return def;
    for (size_t p = q + 1; p < target.size();) {
      auto amp = target.find('&', p);
      std::string kv = target.substr(p, amp == std::string::npos ? std::string::npos : amp - p);
      if (kv.rfind(key + "=", 0) == 0)
        return std::clamp(std::atol(kv.c_str() + key.size() + 1), 0L, max);
      if (amp == std::string::npos) break;
      p = amp + 1;
    }
    return def;
  }

  // A complete request is in: answer it. False when the connection was closed.
  bool respond(Conn& c) {
    std::string path = c.target.substr(0, c.target.find('?'));
    if (path == "/v1/messages") {
      ++streams_;
      c.st = Conn::St::kStreaming;
      c.events = std::max(1L, query_int(c.target, "events", 1, 1'000'000));
      c.interval_ns = query_int(c.target, "interval_us", 0, 10'000'000) * 1000;
      c.sent = 0;
      c.writes = 0;
      c.start = now_ns();
      return write_event(c);
    }
    std::string body = "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"received\":" +
                       std::to_string(c.received) + "}";
    std::string res = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n" +
                      (c.close_after ? "Connection: close\r\n" : "") + "\r\n" + body;
    c.st = Conn::St::kHead;
    return send(c, std::move(res));
  }

  // One event per write(); the first carries the response head, the last the final chunk.
  bool write_event(Conn& c) {
    std::string data;
    if (c.sent == 0)
      data =
          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
          "Transfer-Encoding: chunked\r\n" +
          std::string(c.close_after ? "Connection: close\r\n" : "") + "\r\n";
    int64_t t = now_ns();
    std::string ev = "event: bench\ndata: {\"seq\":" + std::to_string(c.sent) +
                     ",\"w\":" + std::to_string(c.writes + 1) + ",\"t\":" + std::to_string(t) +
                     "}\n\n";
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", ev.size());
    data += size + ev + "\r\n";
    ++c.sent;
    bool last = c.sent >= c.events;
    if (last) {
      data += "0\r\n\r\n";
      c.st = Conn::St::kHead;
    }
    int fd = c.fd;
    uint64_t gen = c.gen;
    if (!send_event(c, std::move(data))) return false;
    if (!last) {
      timers_.push({c.start + c.sent * c.interval_ns, fd, gen});
      return true;
    }
    if (c.close_after && c.out.empty()) {
      close_conn(c);
      return false;
    }
    return true;
  }

  bool send_event(Conn& c, std::string data) {
    if (!c.out.empty()) {
      c.out += data;
      return true;
    }
    c.out = std::move(data);
    size_t before = c.out.size();
    ssize_t w = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    ++c.writes;  // flush() counts the retries of a write that did not go out whole
    if (w < 0 && errno != EAGAIN && errno != EINTR) {
      close_conn(c);
      return false;
    }
    if (w > 0) c.out.erase(0, static_cast<size_t>(w));
    if (!c.out.empty()) {
      if (c.out.size() < before || w <= 0) ++partial_writes_;
      mod(c, true);
    }
    return true;
  }

  void fire_timers() {
    int64_t t = now_ns();
    while (!timers_.empty() && timers_.top().due <= t) {
      Timer tm = timers_.top();
      timers_.pop();
      auto it = conns_.find(tm.fd);
      if (it == conns_.end() || it->second->gen != tm.gen) continue;
      Conn& c = *it->second;
      if (!write_event(c)) continue;
      if (c.st == Conn::St::kHead && !c.in.empty()) process(c);  // a pipelined next request
    }
  }

  int lfd_ = -1, ep_ = -1;
  uint64_t gen_ = 0;
  long requests_ = 0, streams_ = 0, partial_writes_ = 0;
  std::unordered_map<int, std::unique_ptr<Conn>> conns_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
};

int cmd_serve(int port) {
  ::signal(SIGPIPE, SIG_IGN);
  Upstream up;
  int p = up.bind(port);
  std::cout << "listening 127.0.0.1:" << p << std::endl;
  up.run();
  return 0;
}

int cmd_freeport() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    die("no free port");
  std::cout << ntohs(a.sin_port) << "\n";
  ::close(fd);
  return 0;
}

}  // namespace

int cmd_report(const std::string& in, const std::string& json_out);

int main(int argc, char** argv) {
  CLI::App app{"lwgw-bench-tool: the measuring half of tests/bench/run.sh"};
  app.require_subcommand(1);
  Common o;
  int port = 0, n = 2000, warmup = 50, streams = 256, conns = 8, settle_ms = 300, reps = 5;
  long events = 100, interval_us = 10000, mib = 32;
  double seconds = 5;
  std::string lwgw, in, json_out, phase = "after";

  auto* serve = app.add_subcommand("serve", "the upstream (prints `listening 127.0.0.1:PORT`)");
  serve->add_option("--port", port, "0 = OS-chosen");
  app.add_subcommand("freeport", "print a free loopback TCP port");
  auto* latency = app.add_subcommand("latency", "sequential requests on keep-alive, 1 connection");
  auto* ttfb = app.add_subcommand("ttfb", "time to the first streamed body byte, 1 connection");
  for (auto* c : {latency, ttfb}) {
    add_common(c, o);
    c->add_option("-n", n, "timed requests per target and round");
    c->add_option("--warmup", warmup, "untimed requests first, per target and round");
  }
  auto* pace = app.add_subcommand("pace", "paced SSE streams one at a time: per-event delay");
  auto* concurrent = app.add_subcommand("concurrent", "many paced streams at once");
  for (auto* c : {pace, concurrent}) {
    add_common(c, o);
    c->add_option("--events", events, "events per stream");
    c->add_option("--interval-us", interval_us, "pause between events");
  }
  concurrent->add_option("--streams", streams, "concurrent streams per target");
  auto* idle = app.add_subcommand("idle", "threads, RSS and wakeups with no and with idle conns");
  add_common(idle, o);
  idle->add_option("--seconds", seconds, "length of each window");
  idle->add_option("--conns", conns, "idle keep-alive connections in the second window");
  idle->add_option("--settle-ms", settle_ms, "pause before each window");
  auto* body = app.add_subcommand("body", "one large request body; peak RSS (VmHWM)");
  add_common(body, o);
  body->add_option("--mib", mib, "body size in MiB");
  auto* probe = app.add_subcommand("probe", "one request and one stream per target (exit 1: bad)");
  add_common(probe, o);
  auto* procstat = app.add_subcommand("procstat", "RSS and threads of the targets' processes");
  add_common(procstat, o);
  procstat->add_option("--phase", phase, "phase name in the JSON line");
  auto* upready = app.add_subcommand("upready", "time `lwgw up` (background) until it returns");
  upready->add_option("--lwgw", lwgw, "the lwgw binary")->required();
  upready->add_option("--reps", reps, "runs (lwgw down after each)");
  auto* report = app.add_subcommand("report", "table and JSON from the phases' JSON lines");
  report->add_option("file", in, "JSON lines the phases printed")->required();
  report->add_option("--json", json_out, "write the JSON document here");
  CLI11_PARSE(app, argc, argv);

  if (*serve) return cmd_serve(port);
  if (app.got_subcommand("freeport")) return cmd_freeport();
  if (*latency) return cmd_sequential(o, n, warmup, false);
  if (*ttfb) return cmd_sequential(o, n, warmup, true);
  if (*pace) return cmd_pace(o, events, interval_us);
  if (*concurrent) return cmd_concurrent(o, streams, events, interval_us);
  if (*idle) return cmd_idle(o, seconds, conns, settle_ms);
  if (*body) return cmd_body(o, mib);
  if (*probe) return cmd_probe(o);
  if (*procstat) return cmd_procstat(o, phase);
  if (*upready) return cmd_upready(lwgw, reps);
  if (*report) return cmd_report(in, json_out);
  return 2;
}
