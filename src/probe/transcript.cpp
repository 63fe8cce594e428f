// Transcripts: capture from a response, the `HTTP/1.1 …` text format, normalisation,
// classification.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "lwgw/error.hpp"
#include "lwgw/probe/probe.hpp"
#include "lwgw/proxy/http1.hpp"
#include "lwgw/util/diff.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::probe {

namespace {

using json = nlohmann::ordered_json;

/// Go's canonical header form: `x-langwatch-request-id` → `X-Langwatch-Request-Id`.
std::string canonical(const std::string& name) {
  std::string s = util::lower(name);
  bool up = true;
  for (auto& c : s) {
    if (up && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    up = c == '-';
  }
  return s;
}

bool transport_header(const std::string& name) {
  static const std::set<std::string> kDrop = {"date",       "content-length",    "connection",
                                              "keep-alive", "transfer-encoding", "accept-ranges"};
  return kDrop.count(util::lower(name)) > 0;
}

const char* reason_phrase(long code) {
  // The proxy's table; an unknown code shows no phrase in a transcript.
  std::string_view r = proxy::http1::reason_phrase(static_cast<int>(code));
  return r == "Unknown" ? "" : r.data();
}

std::optional<json> parse_json(const std::string& body) {
  std::string b = util::trim(body);
  if (b.empty() || (b.front() != '{' && b.front() != '[')) return std::nullopt;
  auto j = json::parse(b, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

void normalise_json(json& j, const std::string& key) {
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) normalise_json(v, k);
  } else if (j.is_array()) {
    for (auto& v : j) normalise_json(v, key);
  } else if (key == "uptime_s" && j.is_number()) {
    j = "<float>";
  } else if (key == "version" && j.is_string()) {
    j = "<version>";
  } else if (j.is_string()) {
    j = normalise_value(j.get<std::string>());
  }
}

std::string media_type(const std::string& content_type) {
  return util::lower(util::trim(content_type.substr(0, content_type.find(';'))));
}

const char* type_name(const json& j) {
  if (j.is_object()) return "an object";
  if (j.is_array()) return "an array";
  if (j.is_string()) return "a string";
  if (j.is_number()) return "a number";
  if (j.is_boolean()) return "a boolean";
  return "null";
}

std::string short_value(const json& j) {
  std::string s = j.dump();
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

void compare_json(const json& base, const json& cur, const std::string& path,
                  std::vector<Difference>& out) {
  const std::string where = path.empty() ? "the body" : path;
  bool same_kind = (base.is_number() && cur.is_number()) || base.type() == cur.type();
  if (!same_kind) {
    out.push_back({Severity::kBreaking, "field-type",
                   where + " is " + type_name(cur) + ", was " + type_name(base)});
    return;
  }
  if (base.is_object()) {
    for (auto& [k, v] : base.items()) {
      std::string p = path.empty() ? k : path + "." + k;
      if (!cur.contains(k))
        out.push_back({Severity::kBreaking, "field-missing", "field " + p + " is missing"});
      else
        compare_json(v, cur.at(k), p, out);
    }
    for (auto& [k, v] : cur.items())
      if (!base.contains(k))
        out.push_back(
            {Severity::kDrift, "extra-field",
             "extra field " + (path.empty() ? k : path + "." + k) + " = " + short_value(v)});
    return;
  }
  if (base.is_array()) {
    size_t n = std::min(base.size(), cur.size());
    for (size_t i = 0; i < n; ++i)
      compare_json(base[i], cur[i], path + "[" + std::to_string(i) + "]", out);
    if (base.size() != cur.size())
      out.push_back({Severity::kDrift, "value-changed",
                     where + " has " + std::to_string(cur.size()) + " elements, was " +
                         std::to_string(base.size())});
    return;
  }
  const std::string leaf =
      path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
  if (base.is_number() && leaf == "uptime_s") return;
  if (base.is_string()) {
    std::string b = leaf == "version" ? "<version>" : normalise_value(base.get<std::string>());
    std::string c = leaf == "version" ? "<version>" : normalise_value(cur.get<std::string>());
    if (b == c) return;
    if (path == "error.type" || (leaf == "type" && path.rfind("error.", 0) == 0))
      out.push_back({Severity::kBreaking, "error-type",
                     "error type changed: " + base.dump() + " → " + cur.dump()});
    else if (leaf == "message")
      out.push_back({Severity::kDrift, "message-changed",
                     path + " changed: " + base.dump() + " → " + cur.dump()});
    else
      out.push_back({Severity::kDrift, "value-changed",
                     path + " changed: " + base.dump() + " → " + cur.dump()});
    return;
  }
  if (base != cur)
    out.push_back({Severity::kDrift, "value-changed",
                   where + " changed: " + base.dump() + " → " + cur.dump()});
}

}  // namespace

const char* to_string(Severity s) {
  return s == Severity::kBreaking ? "breaking" : "drift";
}

Transcript from_response(const http::Response& r) {
  Transcript t;
  t.status = r.status;
  t.status_line = r.status_line.empty()
                      ? "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status)
                      : r.status_line;
  for (const auto& h : r.headers)
    if (!transport_header(h.name)) t.headers.push_back(h);
  t.body = r.body;
  t.body = util::trim_right(t.body, "\r\n");
  return t;
}

std::string format_transcript(const Transcript& t) {
  std::string s = t.status_line + "\n";
  if (t.headers_pinned) {
    for (const auto& h : t.headers) s += h.name + ": " + h.value + "\n";
    s += "\n";
  }
  return s + t.body;
}

Transcript parse_transcript(const std::string& text) {
  Transcript t;
  size_t pos = text.find('\n');
  t.status_line = util::trim(text.substr(0, pos));
  static const std::regex kStatus(R"(HTTP/[0-9.]+ ([0-9]{3})( .*)?)");
  std::smatch m;
  if (!std::regex_match(t.status_line, m, kStatus))
    throw config_error("a transcript must start with a status line like `HTTP/1.1 200 OK`, not `" +
                       t.status_line + "`");
  t.status = std::stol(m[1]);
  if (pos == std::string::npos) return t;
  std::string rest = text.substr(pos + 1);
  static const std::regex kHeader(R"([A-Za-z0-9!#$%&'*+.^_`|~-]+:.*)");
  size_t nl = rest.find('\n');
  std::string first = rest.substr(0, nl);
  if (!first.empty() &&
      !std::regex_match(first, kHeader)) {  // no headers shown (the 2026-04-19 /startupz)
    t.headers_pinned = false;
    t.body = rest;
  } else {
    size_t p = 0;
    while (p < rest.size()) {
      size_t e = rest.find('\n', p);
      std::string line = rest.substr(p, e == std::string::npos ? std::string::npos : e - p);
      p = e == std::string::npos ? rest.size() : e + 1;
      if (util::trim(line).empty()) break;
      auto colon = line.find(':');
      if (colon == std::string::npos)
        throw config_error("transcript header line without `:`: " + line);
      if (!std::regex_match(line, kHeader))  // else printing it again would read as the body
        throw config_error(
            "transcript header line is not `Name: value` (a name is letters, "
            "digits and !#$%&'*+.^_`|~-): " +
            line);
      t.headers.push_back({line.substr(0, colon), util::trim(line.substr(colon + 1))});
    }
    t.body = p < rest.size() ? rest.substr(p) : "";
  }
  t.body = util::trim_right(t.body, "\r\n");
  return t;
}

std::string normalise_value(const std::string& value) {
  static const std::regex kRfc1123(
      R"([A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT)");
  static const std::regex kIso(
      R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?)");
  static const std::regex kTraceparent(R"(\b[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}\b)");
  static const std::regex kReq(R"(\breq_([0-9a-f]+)\b)");
  static const std::regex kHex(R"(\b[0-9a-f]{12,}\b)");
  std::string s = std::regex_replace(value, kRfc1123, "<date>");
  s = std::regex_replace(s, kIso, "<date>");
  s = std::regex_replace(s, kTraceparent, "00-<32 hex>-<16 hex>-<2 hex>");
  std::string out;
  auto typed = [](const std::string& in, const std::regex& re, const std::string& prefix,
                  int group) {
    std::string r;
    auto it = std::sregex_iterator(in.begin(), in.end(), re);
    size_t last = 0;
    for (; it != std::sregex_iterator(); ++it) {
      const auto& m = *it;
      r += in.substr(last, m.position(0) - last);
      r += prefix + "<" + std::to_string(m.length(group)) + " hex>";
      last = m.position(0) + m.length(0);
    }
    return r + in.substr(last);
  };
  s = typed(s, kReq, "req_", 1);
  return typed(s, kHex, "", 0);
}

Transcript normalise(const Transcript& t) {
  Transcript n;
  n.status = t.status;
  std::string code = std::to_string(t.status);  // three digits, as parse_transcript reads it
  if (code.size() < 3) code.insert(0, 3 - code.size(), '0');
  n.status_line = "HTTP/1.1 " + code;
  if (const char* r = reason_phrase(t.status); *r) n.status_line += std::string(" ") + r;
  n.headers_pinned = t.headers_pinned;
  for (const auto& h : t.headers) {
    if (transport_header(h.name)) continue;
    std::string name = canonical(h.name);
    std::string value =
        name == "X-Langwatch-Gateway-Version" ? "<version>" : normalise_value(h.value);
    n.headers.push_back({name, value});
  }
  std::stable_sort(n.headers.begin(), n.headers.end(),
                   [](const http::Header& a, const http::Header& b) { return a.name < b.name; });
  if (auto j = parse_json(t.body)) {
    normalise_json(*j, "");
    n.body = j->dump();
    // Placeholders for numbers read better unquoted.
    for (size_t p; (p = n.body.find("\"<float>\"")) != std::string::npos;)
      n.body.replace(p, 9, "<float>");
  } else {
    n.body = normalise_value(t.body);
    n.body = util::trim_right(n.body, "\r\n");
  }
  return n;
}

std::vector<Difference> compare(const Transcript& baseline, const Transcript& current) {
  std::vector<Difference> out;
  if (baseline.status != current.status)
    out.push_back(
        {Severity::kBreaking, "status",
         "status " + std::to_string(current.status) + ", was " + std::to_string(baseline.status)});

  if (baseline.headers_pinned) {
    auto find = [](const Transcript& t, const std::string& name) -> std::optional<std::string> {
      for (const auto& h : t.headers)
        if (util::iequals(h.name, name)) return h.value;
      return std::nullopt;
    };
    auto bct = find(baseline, "Content-Type"), cct = find(current, "Content-Type");
    if (bct && !cct) {
      out.push_back({Severity::kBreaking, "content-type", "Content-Type missing, was " + *bct});
    } else if (bct && cct && media_type(*bct) != media_type(*cct)) {
      out.push_back(
          {Severity::kBreaking, "content-type", "Content-Type " + *cct + ", was " + *bct});
    } else if (bct && cct && util::lower(util::trim(*bct)) != util::lower(util::trim(*cct))) {
      out.push_back({Severity::kDrift, "header-changed",
                     "Content-Type parameters: " + *cct + ", was " + *bct});
    } else if (!bct && cct) {
      out.push_back({Severity::kDrift, "header-added", "header added: Content-Type: " + *cct});
    }

    // A header sent more than once compares as its values joined in order (RFC 9110 5.3).
    auto grouped = [](const Transcript& n) {
      std::vector<http::Header> g;
      for (const auto& h : n.headers) {
        auto it = std::find_if(g.begin(), g.end(),
                               [&](const http::Header& x) { return x.name == h.name; });
        if (it == g.end())
          g.push_back(h);
        else
          it->value += ", " + h.value;
      }
      return g;
    };
    Transcript nb = normalise(baseline), nc = normalise(current);
    nb.headers = grouped(nb);
    nc.headers = grouped(nc);
    std::vector<http::Header> removed, added;
    for (const auto& h : nb.headers) {
      if (h.name == "Content-Type") continue;
      auto c = find(nc, h.name);
      if (!c)
        removed.push_back(h);
      else if (*c != h.value)
        out.push_back({Severity::kDrift, "header-changed",
                       "header " + h.name + ": " + *c + ", was " + h.value});
    }
    for (const auto& h : nc.headers)
      if (h.name != "Content-Type" && !find(nb, h.name)) added.push_back(h);
    for (const auto& r : removed) {
      auto a = std::find_if(added.begin(), added.end(),
                            [&](const http::Header& x) { return x.value == r.value; });
      if (a != added.end()) {
        out.push_back(
            {Severity::kDrift, "header-renamed", "header renamed: " + r.name + " → " + a->name});
        added.erase(a);
      } else {
        out.push_back({Severity::kDrift, "header-removed", "header removed: " + r.name});
      }
    }
    for (const auto& a : added)
      out.push_back({Severity::kDrift, "header-added", "header added: " + a.name + ": " + a.value});
  }

  auto bj = parse_json(baseline.body), cj = parse_json(current.body);
  if (bj && cj) {
    compare_json(*bj, *cj, "", out);
  } else if (bj && !cj) {
    out.push_back({Severity::kBreaking, "field-type", "the body is no longer JSON"});
  } else if (normalise_value(util::trim(baseline.body)) !=
             normalise_value(util::trim(current.body))) {
    out.push_back({Severity::kDrift, "body-changed", "the body text changed"});
  }
  return out;
}

std::vector<std::string> transcript_lines(const Transcript& n) {
  std::vector<std::string> lines{n.status_line};
  if (n.headers_pinned) {
    for (const auto& h : n.headers) lines.push_back(h.name + ": " + h.value);
    lines.push_back("");
  }
  size_t p = 0;
  while (p <= n.body.size()) {
    size_t e = n.body.find('\n', p);
    lines.push_back(n.body.substr(p, e == std::string::npos ? std::string::npos : e - p));
    if (e == std::string::npos) break;
    p = e + 1;
  }
  return lines;
}

}  // namespace lwgw::probe
