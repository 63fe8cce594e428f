// `lwgw logs` for a person: JSON log lines as readable lines, and the --since / --grep filters.
#include "lwgw/logview.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

namespace lwgw::logview {

namespace {

using nlohmann::json;

constexpr int kYellow = 33;
constexpr int kRed = 31;
constexpr int kDim = 2;

std::string paint(const std::string& text, int code, bool color) {
  if (!color || text.empty()) return text;
  return "\033[" + std::to_string(code) + "m" + text + "\033[0m";
}

// Reads `width` digits at `pos` (advancing it); -1 when they are not there.
int digits(std::string_view s, std::size_t& pos, std::size_t width) {
  if (pos + width > s.size()) return -1;
  int v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  pos += width;
  return v;
}

bool take(std::string_view s, std::size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

// `YYYY-MM-DD[(T|t| )HH:MM[:SS[.fraction]]][Z|±HH:MM]`; without a zone, local time.
std::optional<std::time_t> parse_time(std::string_view s) {
  std::size_t pos = 0;
  std::tm tm{};
  int y = digits(s, pos, 4);
  if (y < 0 || !take(s, pos, '-')) return std::nullopt;
  int mo = digits(s, pos, 2);
  if (mo < 1 || mo > 12 || !take(s, pos, '-')) return std::nullopt;
  int d = digits(s, pos, 2);
  if (d < 1 || d > 31) return std::nullopt;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    ++pos;
    int h = digits(s, pos, 2);
    if (h < 0 || h > 23 || !take(s, pos, ':')) return std::nullopt;
    int mi = digits(s, pos, 2);
    if (mi < 0 || mi > 59) return std::nullopt;
    tm.tm_hour = h;
    tm.tm_min = mi;
    if (take(s, pos, ':')) {
      int sec = digits(s, pos, 2);
      if (sec < 0 || sec > 60) return std::nullopt;
      tm.tm_sec = sec;
      if (take(s, pos, '.')) {
        std::size_t start = pos;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
        if (pos == start) return std::nullopt;
      }
    }
  }
  if (pos == s.size()) {
    tm.tm_isdst = -1;
    std::time_t t = std::mktime(&tm);
    if (t == static_cast<std::time_t>(-1)) return std::nullopt;
    return t;
  }
  long offset = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = digits(s, pos, 2);
    take(s, pos, ':');
    int om = digits(s, pos, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
    offset = sign * (oh * 3600L + om * 60L);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  std::time_t t = ::timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return t - offset;
}

// `30s`, `10m`, `2h`, `1d`, `1w`, or several of them (`1h30m`); seconds.
std::optional<long long> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  long long total = 0;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t start = pos;
    long long n = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (pos - start >= 9) return std::nullopt;
      n = n * 10 + (s[pos] - '0');
      ++pos;
    }
    if (pos == start || pos == s.size()) return std::nullopt;
    switch (s[pos]) {
      case 's':
        break;
      case 'm':
        n *= 60;
        break;
      case 'h':
        n *= 3600;
        break;
      case 'd':
        n *= 86400;
        break;
      case 'w':
        n *= 7 * 86400;
        break;
      default:
        return std::nullopt;
    }
    ++pos;
    total += n;
  }
  return total;
}

std::optional<json> parse_object(std::string_view line) {
  if (line.empty() || line.front() != '{') return std::nullopt;
  json doc = json::parse(line, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

std::string str(const json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_null()) return "";
  return it->dump(-1, ' ', false, json::error_handler_t::replace);
}

long long num(const json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_number()) return -1;
  return it->is_number_float() ? static_cast<long long>(it->get<double>()) : it->get<long long>();
}

std::string clock_text(const json& doc, std::time_t now) {
  std::string ts = str(doc, "ts");
  auto t = parse_time(ts);
  if (!t) return ts;
  std::tm local{};
  localtime_r(&*t, &local);
  bool other_day = false;
  if (now != 0) {
    std::tm today{};
    localtime_r(&now, &today);
    other_day = today.tm_year != local.tm_year || today.tm_yday != local.tm_yday;
  }
  char buf[32];
  std::strftime(buf, sizeof buf, other_day ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &local);
  return buf;
}

void add(std::string& out, const std::string& word) {
  if (word.empty()) return;
  if (!out.empty()) out += ' ';
  out += word;
}

std::string short_id(const std::string& id) {
  constexpr std::size_t kShown = 8;
  if (id.size() <= kShown + 1) return id;
  return id.substr(0, kShown) + "\xe2\x80\xa6";  // …
}

std::string request_text(const json& doc) {
  const std::string error = str(doc, "error");
  const std::string outcome = str(doc, "outcome");
  const long long status = num(doc, "status");
  std::string out;
  const std::string client = str(doc, "client");
  if (client != "other") add(out, client);
  add(out, str(doc, "method"));
  add(out, str(doc, "path"));
  add(out, status >= 0 ? std::to_string(status) : "-");
  if (long long ms = num(doc, "duration_ms"); ms >= 0) add(out, std::to_string(ms) + " ms");
  if (doc.value("stream", false)) add(out, "stream");
  add(out, str(doc, "model"));
  add(out, short_id(str(doc, "request_id")));
  add(out, error);
  add(out, outcome);
  if (std::string budget = str(doc, "budget_warning"); !budget.empty())
    add(out, "budget " + budget);
  return out;
}

// The colour of a request line: red for 5xx, lwgw's own errors and broken streams; yellow for the
// other 4xx and requests that ended early or warned about a budget.
int request_color(const json& doc) {
  const long long status = num(doc, "status");
  const std::string error = str(doc, "error");
  const std::string outcome = str(doc, "outcome");
  if (status >= 500 || error.rfind("lwgw_", 0) == 0 || outcome == "upstream_interrupted" ||
      outcome == "internal_error")
    return kRed;
  if (status >= 400 || !outcome.empty() || doc.contains("budget_warning")) return kYellow;
  return 0;
}

std::string event_text(const json& doc) {
  const std::string msg = str(doc, "msg");
  if (msg == "lwgw_listening") {
    std::string out = "proxy listening on http://" + str(doc, "listen");
    if (doc.contains("gateway")) out += ", gateway " + str(doc, "gateway");
    if (doc.contains("pid")) out += " (pid " + str(doc, "pid") + ")";
    return out;
  }
  if (msg == "lwgw_stopped") return "proxy stopped after " + str(doc, "requests") + " requests";
  if (msg == "lwgw_draining")
    return "proxy draining: " + str(doc, "inflight") + " in flight, waiting up to " +
           str(doc, "drain_timeout_s") + " s";
  std::string out = msg == "budget_warning" ? "budget warning: " + str(doc, "budget") : msg;
  for (const auto& [key, value] : doc.items()) {
    if (key == "ts" || key == "level" || key == "msg" ||
        (msg == "budget_warning" && key == "budget"))
      continue;
    std::string text = value.is_string()
                           ? value.get<std::string>()
                           : value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (!value.is_string() || text.empty() || text.find_first_of(" \"=") != std::string::npos)
      text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    out += " " + key + "=" + text;
  }
  return out;
}

}  // namespace

std::optional<std::time_t> parse_since(std::string_view text, std::time_t now) {
  if (auto secs = parse_duration(text)) return now - static_cast<std::time_t>(*secs);
  return parse_time(text);
}

std::optional<std::time_t> line_time(std::string_view line) {
  auto doc = parse_object(line);
  if (!doc) return std::nullopt;
  return parse_time(str(*doc, "ts"));
}

std::string to_text(std::string_view line, const TextStyle& style) {
  auto doc = parse_object(line);
  if (!doc || !doc->contains("msg")) return std::string(line);
  std::string out = paint(clock_text(*doc, style.now), kDim, style.color);
  std::string body;
  int color = 0;
  if (str(*doc, "msg") == "request") {
    body = request_text(*doc);
    color = request_color(*doc);
  } else {
    const std::string level = str(*doc, "level");
    body = event_text(*doc);
    if (level == "error") {
      body = "error: " + body;
      color = kRed;
    } else if (level == "warn") {
      body = "warning: " + body;
      color = kYellow;
    }
  }
  if (!out.empty()) out += ' ';
  out += color != 0 ? paint(body, color, style.color) : body;
  return out;
}

Filter::Filter(std::optional<std::time_t> since, std::string grep, std::time_t now)
    : since_(since), grep_(std::move(grep)), now_(now) {}

bool Filter::keep(std::string_view line) {
  if (since_) {
    if (auto t = line_time(line)) previous_in_range_ = *t >= *since_;
    if (!previous_in_range_) return false;
  }
  if (grep_.empty() || line.find(grep_) != std::string_view::npos) return true;
  return to_text(line, TextStyle{false, now_}).find(grep_) != std::string::npos;
}

}  // namespace lwgw::logview
