// doctor's human and JSON output, and the filter that makes it safe to paste.
#include "lwgw/doctor/report.hpp"

#include <algorithm>
#include <cmath>
#include <regex>

#include "lwgw/clis/profile.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::doctor {

namespace {

using ojson = nlohmann::ordered_json;

const char* symbol(Status s, bool ascii) {
  switch (s) {
    case Status::kOk:
      return ascii ? "[ok]" : "✓";
    case Status::kWarn:
      return ascii ? "[!!]" : "!";
    case Status::kFail:
      return ascii ? "[XX]" : "✗";
    case Status::kSkip:
      break;
  }
  return ascii ? "[--]" : "–";
}

int colour(Status s) {
  switch (s) {
    case Status::kOk:
      return 32;
    case Status::kWarn:
      return 33;
    case Status::kFail:
      return 31;
    case Status::kSkip:
      break;
  }
  return 2;
}

std::string paint(const std::string& text, int code, bool color) {
  return color ? "\033[" + std::to_string(code) + "m" + text + "\033[0m" : text;
}

std::string fix_text(const Fix& f) {
  if (f.command.empty()) return f.text;
  if (f.text.empty()) return f.command;
  return f.text + ": " + f.command;
}

std::string detail_text(const ojson& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string source_text(const Source& s) {
  return s.line > 0 ? s.file + ":" + std::to_string(s.line) : s.file;
}

/// One check: its line, the fix for ! and ✗, and with -v what was measured.
void check_lines(std::string& out, const Ran& r, size_t width, const RenderOptions& o) {
  const Result& res = r.result;
  const std::string id = r.check->id;
  std::string summary = res.summary;
  if (res.status == Status::kSkip) summary = "skipped: " + summary;
  out += "  " + paint(symbol(res.status, o.ascii), colour(res.status), o.color) + " " + id +
         std::string(width > id.size() ? width - id.size() : 1, ' ') + summary + "\n";
  const std::string indent = "      ";
  if (res.fix && (res.status == Status::kWarn || res.status == Status::kFail))
    out += indent + (o.ascii ? "-> " : "→ ") + fix_text(*res.fix) + "\n";
  if (o.verbose <= 0) return;
  if (res.source) out += indent + "source: " + source_text(*res.source) + "\n";
  for (const auto& [k, v] : res.details.items()) out += indent + k + ": " + detail_text(v) + "\n";
  out += indent + "duration: " + std::to_string(std::lround(res.duration_ms)) + " ms\n";
}

/// A coding CLI's group where every check was skipped because lwgw did not set the CLI up becomes
/// one line, unless -v; returns whether it did.
bool collapse_group(std::string& out, const std::vector<Ran>& results, size_t begin, size_t end,
                    const RenderOptions& o) {
  if (o.verbose > 0 || end - begin < 2 || !clis::find(results[begin].check->group)) return false;
  const Ran* reason = nullptr;
  for (size_t i = begin; i < end; ++i) {
    const Result& r = results[i].result;
    if (r.status != Status::kSkip) return false;
    const bool configured = results[i].check->id.find(".configured") != std::string::npos;
    if (configured && !r.blocked) reason = &results[i];
  }
  if (!reason) return false;
  out += "  " + paint(symbol(Status::kSkip, o.ascii), colour(Status::kSkip), o.color) + " " +
         reason->check->group + ".*  skipped: " + reason->result.summary + " (" +
         std::to_string(end - begin) + " checks; -v lists them)\n";
  return true;
}

std::string header_line(const Header& h, bool ascii) {
  const std::string dot = ascii ? " - " : " · ";
  return "lwgw doctor" + dot + "lwgw " + h.version + " (" + h.commit + ")" + dot + h.os + dot +
         "gateway " + h.gateway + dot + "mode " + h.mode + "\n";
}

std::string summary_line(const Counts& c, bool ascii) {
  const std::string dot = ascii ? ", " : " · ";
  return std::to_string(c.ok) + " ok" + dot + std::to_string(c.warn) + " warn" + dot +
         std::to_string(c.fail) + " fail" + dot + std::to_string(c.skip) + " skipped\n";
}

}  // namespace

Counts count(const std::vector<Ran>& results) {
  Counts c;
  for (const auto& r : results) {
    c.ok += r.result.status == Status::kOk;
    c.warn += r.result.status == Status::kWarn;
    c.fail += r.result.status == Status::kFail;
    c.skip += r.result.status == Status::kSkip;
  }
  return c;
}

std::string overall(const Counts& c) {
  return c.fail ? "fail" : c.warn ? "warn" : "ok";
}

int exit_code(const Counts& c, bool strict) {
  return c.fail || (strict && c.warn) ? 1 : 0;
}

std::string group_title(const std::string& group) {
  if (const clis::CliProfile* p = clis::find(group))
    return std::string(p->title) + " (" + std::string(p->name) + ")";
  if (group == "key") return "Key";
  if (group == "proxy") return "Local proxy";
  if (group == "network") return "Network";
  if (group == "gateway") return "Gateway";
  if (group == "stream") return "Streams (--deep)";
  return group;
}

std::string render_human(const Header& h, const std::vector<Ran>& results, const RenderOptions& o) {
  size_t width = 0;
  for (const auto& r : results) width = std::max(width, r.check->id.size());
  width += 2;
  std::string out = header_line(h, o.ascii);
  std::vector<const Ran*> attention;
  for (Status s : {Status::kFail, Status::kWarn})
    for (const auto& r : results)
      if (r.result.status == s) attention.push_back(&r);
  RenderOptions brief = o;
  brief.verbose = 0;
  if (!attention.empty()) {
    out += "\nNeeds attention\n";
    for (const Ran* r : attention) check_lines(out, *r, width, brief);
  }
  for (size_t i = 0; i < results.size();) {
    const std::string& group = results[i].check->group;
    size_t end = i;
    while (end < results.size() && results[end].check->group == group) ++end;
    out += "\n" + group_title(group) + "\n";
    if (!collapse_group(out, results, i, end, o))
      for (; i < end; ++i) check_lines(out, results[i], width, o);
    i = end;
  }
  out += "\n" + summary_line(count(results), o.ascii);
  return o.ascii ? to_ascii(out) : out;
}

ojson render_json(const Header& h, const std::vector<Ran>& results, bool strict) {
  const Counts c = count(results);
  ojson checks = ojson::array();
  for (const auto& r : results) {
    const Result& res = r.result;
    ojson j = {{"id", r.check->id},
               {"group", r.check->group},
               {"status", status_name(res.status)},
               {"summary", res.summary},
               {"details", res.details}};
    if (res.source) j["source"] = {{"file", res.source->file}, {"line", res.source->line}};
    if (res.fix) j["fix"] = {{"text", res.fix->text}, {"command", res.fix->command}};
    j["duration_ms"] = std::lround(res.duration_ms);
    checks.push_back(std::move(j));
  }
  return {{"schema", 1},
          {"lwgw", {{"version", h.version}, {"commit", h.commit}, {"os", h.os}}},
          {"gateway", h.gateway},
          {"mode", h.mode},
          {"overall", overall(c)},
          {"strict", strict},
          {"exit", exit_code(c, strict)},
          {"counts", {{"ok", c.ok}, {"warn", c.warn}, {"fail", c.fail}, {"skip", c.skip}}},
          {"checks", checks}};
}

std::string render_list(const std::vector<Check>& checks) {
  size_t width = 0, gwidth = 0;
  for (const auto& c : checks) {
    width = std::max(width, c.id.size());
    gwidth = std::max(gwidth, c.group.size());
  }
  std::string out;
  for (const auto& c : checks)
    out += c.id + std::string(width + 2 - c.id.size(), ' ') + c.group +
           std::string(gwidth + 2 - c.group.size(), ' ') + c.title + "\n";
  return out;
}

std::string scrub(std::string text, const std::vector<std::string>& secrets,
                  const std::string& home) {
  text = redact(text);
  for (const auto& s : secrets) {
    if (s.size() < 4) continue;
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos))
      text.replace(pos, s.size(), "…");
  }
  std::string h = util::trim_trailing_slashes(home);
  if (h.size() < 2) return text;
  for (size_t pos = text.find(h); pos != std::string::npos; pos = text.find(h, pos + 1)) {
    const size_t end = pos + h.size();
    const bool boundary = end == text.size() || text[end] == '/' ||
                          std::string(" \t\n\"',:;)]}").find(text[end]) != std::string::npos;
    if (boundary) text.replace(pos, h.size(), "~");
  }
  return text;
}

std::string to_ascii(std::string text) {
  static const std::pair<const char*, const char*> kMap[] = {
      {"✓", "[ok]"}, {"✗", "[XX]"}, {"–", "-"}, {"→", "->"},
      {"…", "..."},  {"·", "-"},    {"—", "-"}, {"’", "'"}};
  for (const auto& [from, to] : kMap) {
    const std::string f = from;
    for (size_t pos = text.find(f); pos != std::string::npos; pos = text.find(f, pos))
      text.replace(pos, f.size(), to);
  }
  return text;
}

LogTail log_tail(const std::string& log_text, size_t n) {
  static const std::regex query(R"((/[^\s"?]*)\?[^\s"]*)");
  std::vector<std::string> all;
  size_t start = 0;
  while (start < log_text.size()) {
    size_t end = log_text.find('\n', start);
    if (end == std::string::npos) end = log_text.size();
    if (end > start) all.push_back(log_text.substr(start, end - start));
    start = end + 1;
  }
  LogTail t;
  for (size_t i = all.size() > n ? all.size() - n : 0; i < all.size(); ++i) {
    t.lines.push_back(std::regex_replace(all[i], query, "$1"));
    auto doc = ojson::parse(all[i], nullptr, false);
    if (doc.is_object() && doc.contains("request_id") && doc["request_id"].is_string()) {
      const std::string id = doc["request_id"].get<std::string>();
      if (std::find(t.request_ids.begin(), t.request_ids.end(), id) == t.request_ids.end())
        t.request_ids.push_back(id);
    }
  }
  return t;
}

std::string report_file(const std::string& report, const LogTail& tail) {
  std::string out = report + "\nProxy log (last " + std::to_string(tail.lines.size()) +
                    " lines, query strings removed)\n";
  for (const auto& l : tail.lines) out += "  " + l + "\n";
  out += "\nGateway request ids seen\n";
  for (const auto& id : tail.request_ids) out += "  " + id + "\n";
  if (tail.request_ids.empty()) out += "  (none)\n";
  return out;
}

std::string quote_line(const Header& h, const std::vector<Ran>& results, const std::string& file) {
  std::string fails, warns;
  for (const auto& r : results) {
    std::string& list = r.result.status == Status::kFail ? fails : warns;
    if (r.result.status == Status::kFail || r.result.status == Status::kWarn)
      list += (list.empty() ? "" : ",") + r.check->id;
  }
  return "lwgw-doctor: lwgw " + h.version + " (" + h.commit + ") " + h.os + ", mode " + h.mode +
         ", " + overall(count(results)) + (fails.empty() ? "" : "; fail: " + fails) +
         (warns.empty() ? "" : "; warn: " + warns) + "; report: " + file + "\n";
}

bool utf8_locale(const Env& env) {
  std::string locale;
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"})
    if (auto v = env.get(name); v && !v->empty()) {
      locale = *v;
      break;
    }
  return util::icontains(locale, "utf-8") || util::icontains(locale, "utf8");
}

}  // namespace lwgw::doctor
