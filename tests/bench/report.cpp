// `lwgw-bench-tool report FILE [--json OUT]`: the table and the JSON document from the JSON lines
// the phases printed. Targets are issue 13's, compared on this run's own numbers (nginx is the
// reference); nothing here is a stored result. Exit 1 when a target is missed or has no data.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using json = nlohmann::json;

namespace {

constexpr const char* kSubject = "lwgw";
constexpr const char* kReference = "nginx";
constexpr const char* kBase = "direct";

struct Row {
  explicit Row(std::string m) : metric(std::move(m)) {}
  std::string id, metric;
  std::map<std::string, std::string> cells;
  std::map<std::string, double> values;
  std::string target;  // e.g. "<= 1.5x nginx (73.5)"
  std::optional<double> limit;
  std::optional<bool> pass;  // empty: information only
  std::string note;
};

std::string fmt(double v, int decimals) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}
std::string signed_fmt(double v, int decimals) {
  return (v >= 0 ? "+" : "") + fmt(v, decimals);
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

const json* find(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object() || !cur->contains(k)) return nullptr;
    cur = &(*cur)[k];
  }
  return cur;
}

std::optional<double> num(const json& j, std::initializer_list<const char*> path) {
  const json* v = find(j, path);
  if (!v || !v->is_number()) return std::nullopt;
  return v->get<double>();
}

class Report {
 public:
  explicit Report(std::map<std::string, json> phases, std::vector<json> rps)
      : p_(std::move(phases)), rps_(std::move(rps)) {
    for (const char* t : {"direct", "nginx", "haproxy", "lwgw"})
      for (auto& [name, ph] : p_)
        if (find(ph, {"targets", t}) || std::any_of(rps_.begin(), rps_.end(), [&](auto& l) {
              return l.value("target", "") == t;
            })) {
          if (std::find(cols_.begin(), cols_.end(), t) == cols_.end()) cols_.push_back(t);
        }
    for (auto& l : rps_)
      if (auto t = l.value("target", ""); std::find(cols_.begin(), cols_.end(), t) == cols_.end())
        cols_.push_back(t);
  }

  // Rows in table order, each with a stable id for scripts comparing runs.
  std::vector<Row> rows() {
    std::vector<Row> out;
    auto ids = [&](std::initializer_list<std::string> names) {
      size_t i = out.size() - names.size();
      for (auto& n : names) out[i++].id = n;
    };
    added("latency", "added latency p50, 1 conn (us)", "p50", 1.5, out);
    added("latency", "added latency p99, 1 conn (us)", "p99", 2.0, out);
    ids({"latency_p50_added_us", "latency_p99_added_us"});
    for (int conns : conns_levels()) {
      out.push_back(rps(conns));
      ids({"rps_" + std::to_string(conns)});
    }
    out.push_back(ttfb());
    out.push_back(pace_delay());
    out.push_back(coalescing());
    ids({"ttfb_p50_added_us", "sse_event_delay_p99_added_us", "sse_reads_vs_writes"});
    concurrent(out);
    ids({"streams_failed", "streams_peak_rss_mib", "streams_event_delay_p99_us"});
    idle(out);
    ids({"idle_threads", "idle_rss_mib", "idle_wakeups_per_s", "idle_wakeups_per_s_per_conn"});
    out.push_back(upready());
    out.push_back(body());
    out.push_back(after());
    ids({"up_ready_ms", "body_peak_rss_mib", "after_run"});
    return out;
  }

  const std::vector<std::string>& cols() const { return cols_; }

 private:
  const json& phase(const std::string& name) {
    static const json empty = json::object();
    auto it = p_.find(name);
    return it == p_.end() ? empty : it->second;
  }

  // A p99 is only worth comparing when the baseline's and the reference's own tails are near
  // their medians; on a busy machine one of them is many times its p50 and the row is noise.
  static void flag_busy(Row& r, const json& j, std::initializer_list<const char*> sub) {
    for (const char* t : {kBase, kReference}) {
      const json* s = find(j, {"targets", t});
      for (const char* k : sub) s = s && s->contains(k) ? &(*s)[k] : nullptr;
      if (!s) continue;
      double p50 = s->value("p50", 0.0), p99 = s->value("p99", 0.0);
      if (p50 > 0 && p99 > 5 * p50 && p99 - p50 > 200) {
        r.note = std::string(t) + " p99 is " + fmt(p99 / p50, 0) + "x its p50: machine busy?";
        return;
      }
    }
  }

  static void gate(Row& r, std::optional<double> v, double limit, bool at_most,
                   const std::string& text) {
    r.limit = limit;
    r.target = text;
    if (!v || std::isnan(*v) || std::isnan(limit)) {
      r.pass = false;
      r.note = "no data";
      return;
    }
    r.pass = at_most ? *v <= limit : *v >= limit;
  }

  // Proxy minus direct, for a statistic of a phase; target relative to nginx's.
  void added(const std::string& ph, const std::string& metric, const char* stat, double factor,
             std::vector<Row>& out) {
    Row r{metric};
    const json& j = phase(ph);
    auto base = num(j, {"targets", kBase, stat});
    for (auto& c : cols_) {
      auto v = num(j, {"targets", c.c_str(), stat});
      if (!v) continue;
      long errors = static_cast<long>(num(j, {"targets", c.c_str(), "errors"}).value_or(0));
      std::string err = errors ? " (" + std::to_string(errors) + " err)" : "";
      if (c == kBase) {
        r.cells[c] = "[" + fmt(*v, 1) + "]" + err;
      } else if (base) {
        r.values[c] = *v - *base;
        r.cells[c] = signed_fmt(*v - *base, 1) + err;
      }
    }
    std::optional<double> subject, reference;
    if (r.values.count(kSubject)) subject = r.values[kSubject];
    double limit = r.values.count(kReference) ? factor * r.values[kReference] : NAN;
    gate(r, subject, limit, true,
         "<= " + fmt(factor, 1) + "x nginx (" + (std::isnan(limit) ? "?" : fmt(limit, 1)) + ")");
    if (num(j, {"targets", kSubject, "errors"}).value_or(0) > 0) r.pass = false;
    if (std::string(stat) == "p99") flag_busy(r, j, {});
    out.push_back(r);
  }

  std::vector<int> conns_levels() {
    std::vector<int> levels;
    for (auto& l : rps_) {
      int c = l.value("conns", 0);
      if (std::find(levels.begin(), levels.end(), c) == levels.end()) levels.push_back(c);
    }
    std::sort(levels.begin(), levels.end());
    if (levels.empty()) levels = {16, 64};
    return levels;
  }

  Row rps(int conns) {
    Row r{"requests/s, " + std::to_string(conns) + " conns (median of rounds)"};
    std::map<std::string, std::vector<double>> by;
    std::map<std::string, long> errors;
    for (auto& l : rps_) {
      if (l.value("conns", 0) != conns) continue;
      std::string t = l.value("target", "");
      if (l.contains("rps") && l["rps"].is_number()) by[t].push_back(l["rps"].get<double>());
      errors[t] += l.value("errors", 0L);
    }
    for (auto& [t, v] : by) {
      r.values[t] = median(v);
      r.cells[t] =
          fmt(r.values[t], 0) + (errors[t] ? " (" + std::to_string(errors[t]) + " err)" : "");
    }
    std::optional<double> subject;
    if (r.values.count(kSubject)) subject = r.values[kSubject];
    double limit = r.values.count(kReference) ? 0.8 * r.values[kReference] : NAN;
    gate(r, subject, limit, false,
         ">= 0.8x nginx (" + (std::isnan(limit) ? "?" : fmt(limit, 0)) + ")");
    if (errors[kSubject] > 0) {
      r.pass = false;
      r.note = "lwgw answered non-2xx or had socket errors";
    }
    return r;
  }

  // Absolute limit on proxy-minus-direct of a statistic.
  Row added_abs(const std::string& ph, std::initializer_list<const char*> stat_path,
                const std::string& metric, double limit) {
    Row r{metric};
    const json& j = phase(ph);
    auto get = [&](const std::string& t) -> std::optional<double> {
      const json* tj = find(j, {"targets", t.c_str()});
      if (!tj) return std::nullopt;
      const json* cur = tj;
      for (const char* k : stat_path) {
        if (!cur->contains(k)) return std::nullopt;
        cur = &(*cur)[k];
      }
      if (!cur->is_number()) return std::nullopt;
      return cur->get<double>();
    };
    auto base = get(kBase);
    for (auto& c : cols_) {
      auto v = get(c);
      if (!v) continue;
      long errors = static_cast<long>(num(j, {"targets", c.c_str(), "errors"}).value_or(0));
      std::string err = errors ? " (" + std::to_string(errors) + " err)" : "";
      if (c == kBase) {
        r.cells[c] = "[" + fmt(*v, 1) + "]" + err;
      } else if (base) {
        r.values[c] = *v - *base;
        r.cells[c] = signed_fmt(*v - *base, 1) + err;
      }
    }
    std::optional<double> subject;
    if (r.values.count(kSubject)) subject = r.values[kSubject];
    gate(r, subject, limit, true, "<= " + fmt(limit, 0));
    if (num(j, {"targets", kSubject, "errors"}).value_or(0) > 0) r.pass = false;
    return r;
  }

  Row ttfb() {
    return added_abs("ttfb", {"p50"}, "added time to first streamed byte p50 (us)", 500);
  }
  Row pace_delay() {
    Row r =
        added_abs("pace", {"delay_us", "p99"}, "added per-event delay p99, paced SSE (us)", 1000);
    flag_busy(r, phase("pace"), {"delay_us"});
    return r;
  }

  Row coalescing() {
    Row r{"SSE client reads / upstream writes"};
    const json& j = phase("pace");
    for (auto& c : cols_) {
      const json* t = find(j, {"targets", c.c_str()});
      if (!t) continue;
      long reads = t->value("reads", 0L), writes = t->value("writes", 0L);
      r.cells[c] = std::to_string(reads) + "/" + std::to_string(writes);
      if (t->value("errors", 0L))
        r.cells[c] += " (" + std::to_string(t->value("errors", 0L)) + " err)";
      r.values[c] = writes ? static_cast<double>(reads) / static_cast<double>(writes) : NAN;
    }
    const json* s = find(j, {"targets", kSubject});
    r.target = "reads >= writes";
    if (!s || s->value("writes", 0L) == 0) {
      r.pass = false;
      r.note = "no data";
    } else {
      r.pass = s->value("reads", 0L) >= s->value("writes", 0L) && s->value("errors", 0L) == 0;
    }
    // The upstream's events are 5-10 ms apart: two in one read mean a process waited that long
    // for a CPU. If the reference or the baseline shows it too, the machine was busy.
    for (const char* other : {kBase, kReference})
      if (const json* o = find(j, {"targets", other});
          o && o->value("reads", 0L) < o->value("writes", 0L))
        r.note = std::string(other) + " coalesced too: machine busy?";
    return r;
  }

  void concurrent(std::vector<Row>& out) {
    const json& j = phase("concurrent");
    std::string n = std::to_string(j.value("streams", 0));
    Row errs{n + " paced streams: failed"}, rss{n + " paced streams: peak RSS (MiB)"},
        delay{n + " paced streams: per-event delay p99 (us)"};
    for (auto& c : cols_) {
      const json* t = find(j, {"targets", c.c_str()});
      if (!t) continue;
      errs.values[c] = t->value("errors", 0.0);
      errs.cells[c] = std::to_string(t->value("errors", 0L)) + "/" + n;
      if (t->contains("hwm_kib")) {
        bool reset = t->value("peak_reset", false);
        double kib = reset ? t->value("hwm_kib", 0.0) : t->value("rss_max_kib", 0.0);
        rss.values[c] = kib / 1024.0;
        rss.cells[c] = fmt(kib / 1024.0, 1) + (reset ? "" : " (sampled)");
      }
      if (auto p = num(*t, {"delay_us", "p99"})) {
        delay.values[c] = *p;
        delay.cells[c] = fmt(*p, 1);
      }
    }
    const json* s = find(j, {"targets", kSubject});
    errs.target = "0";
    errs.pass = s && s->value("errors", 1L) == 0 && s->value("ok", 0L) == j.value("streams", -1L);
    if (!s) errs.note = "no data";
    if (s && s->contains("first_error")) errs.note = "first: " + s->value("first_error", "");
    gate(rss,
         rss.values.count(kSubject) ? std::optional<double>(rss.values[kSubject]) : std::nullopt,
         28.0, true, "<= 28");
    delay.target = "(information)";
    out.push_back(errs);
    out.push_back(rss);
    out.push_back(delay);
  }

  void idle(std::vector<Row>& out) {
    const json& j = phase("idle");
    Row threads{"idle: threads"}, rss{"idle: RSS (MiB)"}, none{"idle: wakeups/s, no connections"},
        conn{"idle: wakeups/s per keep-alive conn (" + std::to_string(j.value("conns", 0)) + ")"};
    long k = j.value("conns", 0L);
    for (auto& c : cols_) {
      const json* t = find(j, {"targets", c.c_str()});
      if (!t) continue;
      threads.values[c] = t->value("none_threads", 0.0);
      threads.cells[c] = fmt(threads.values[c], 0);
      rss.values[c] = t->value("none_rss_kib", 0.0) / 1024.0;
      rss.cells[c] = fmt(rss.values[c], 1);
      none.values[c] = t->value("none_wakeups_per_s", 0.0);
      none.cells[c] = fmt(none.values[c], 1);
      conn.values[c] = t->value("wakeups_per_s_per_conn", 0.0);
      long open = t->value("conns_open_at_end", 0L);
      conn.cells[c] =
          fmt(conn.values[c], 1) +
          (open < k ? " (" + std::to_string(open) + "/" + std::to_string(k) + " open)" : "");
    }
    auto subject = [&](Row& r) {
      return r.values.count(kSubject) ? std::optional<double>(r.values[kSubject]) : std::nullopt;
    };
    gate(threads, subject(threads), 4, true, "<= 4");
    gate(rss, subject(rss), 16, true, "<= 16");
    gate(none, subject(none), 0, true, "0");
    if (const json* s = find(j, {"targets", kSubject})) {
      none.pass = s->value("none_wakeups", 1L) == 0;  // not one in the whole window
      if (s->value("errors", 0L)) none.note = conn.note = "requests failed";
    }
    gate(conn, subject(conn), 1, true, "<= 1, all kept open");
    if (const json* s = find(j, {"targets", kSubject});
        s && s->value("conns_open_at_end", 0L) < k) {
      conn.pass = false;
      conn.note = "lwgw closed idle keep-alive connections during the window";
    }
    out.push_back(threads);
    out.push_back(rss);
    out.push_back(none);
    out.push_back(conn);
  }

  Row upready() {
    Row r{"`lwgw up` ready, median (ms)"};
    const json& j = phase("upready");
    auto v = num(j, {"ms", "p50"});
    if (v) {
      r.values[kSubject] = *v;
      long n = static_cast<long>(num(j, {"ms", "n"}).value_or(0));
      r.cells[kSubject] = fmt(*v, 1) + " (n=" + std::to_string(n) + ")";
    }
    gate(r, v, 50, true, "<= 50");
    if (j.value("errors", 0L)) {
      r.pass = false;
      r.note = j.value("first_error", std::string("errors"));
    }
    return r;
  }

  Row body() {
    const json& j = phase("body");
    double mib = j.value("mib", 32.0);
    Row r{fmt(mib, 0) + " MiB request body: peak RSS (MiB)"};
    for (auto& c : cols_) {
      const json* t = find(j, {"targets", c.c_str()});
      if (!t || !t->contains("hwm_kib")) continue;
      r.values[c] = t->value("hwm_kib", 0.0) / 1024.0;
      r.cells[c] = fmt(r.values[c], 1);
      if (t->contains("rss_before_kib"))
        r.cells[c] += " (from " + fmt(t->value("rss_before_kib", 0.0) / 1024.0, 1) + ")";
      if (t->value("errors", 0L)) r.cells[c] += " (failed)";
    }
    gate(r, r.values.count(kSubject) ? std::optional<double>(r.values[kSubject]) : std::nullopt,
         2.5 * mib, true, "<= 2.5x body (" + fmt(2.5 * mib, 0) + ")");
    if (const json* s = find(j, {"targets", kSubject}); s && s->value("errors", 0L)) {
      r.pass = false;
      r.note = s->value("first_error", std::string("failed"));
    }
    return r;
  }

  Row after() {
    Row r{"after the run: RSS (MiB) / threads"};
    const json& j = phase("after");
    for (auto& c : cols_) {
      const json* t = find(j, {"targets", c.c_str()});
      if (!t) continue;
      r.cells[c] = fmt(t->value("rss_kib", 0.0) / 1024.0, 1) + " / " +
                   std::to_string(t->value("threads", 0L));
    }
    r.target = "(information)";
    return r;
  }

  std::map<std::string, json> p_;
  std::vector<json> rps_;
  std::vector<std::string> cols_;
};

}  // namespace

int cmd_report(const std::string& in, const std::string& json_out) {
  std::ifstream f(in);
  if (!f) {
    std::cerr << "lwgw-bench-tool: cannot read " << in << "\n";
    return 2;
  }
  std::map<std::string, json> phases;
  std::vector<json> rps, raw;
  json meta = json::object();
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      std::cerr << "lwgw-bench-tool: skipping a line that is not JSON: " << line.substr(0, 80)
                << "\n";
      continue;
    }
    raw.push_back(j);
    std::string ph = j.value("phase", "");
    if (ph == "rps") {
      rps.push_back(j);
    } else if (ph == "meta") {
      meta.update(j);
    } else {
      phases[ph] = j;
    }
  }
  Report rep(phases, rps);
  auto rows = rep.rows();
  const auto& cols = rep.cols();

  // The table.
  std::vector<std::string> header = {"metric"};
  header.insert(header.end(), cols.begin(), cols.end());
  header.insert(header.end(), {"target (lwgw)", "result"});
  std::vector<std::vector<std::string>> table = {header};
  bool all_pass = true;
  for (auto& r : rows) {
    std::vector<std::string> cells = {r.metric};
    for (auto& c : cols) cells.push_back(r.cells.count(c) ? r.cells.at(c) : "");
    cells.push_back(r.target);
    std::string res = !r.pass ? "" : *r.pass ? "PASS" : "FAIL";
    if (!r.note.empty()) res += (res.empty() ? "" : ": ") + r.note;
    cells.push_back(res);
    if (r.pass && !*r.pass) all_pass = false;
    table.push_back(cells);
  }
  std::vector<size_t> width(header.size(), 0);
  auto display_len = [](const std::string& s) { return s.size(); };
  for (auto& row : table)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], display_len(row[i]));
  std::ostringstream out;
  if (!meta.empty()) {
    out << "lwgw proxy benchmark (" << meta.value("mode", "full") << "), " << meta.value("date", "")
        << ", " << meta.value("machine", "") << "\n";
    out << "load average at start " << meta.value("load_start", "?") << ", at end "
        << meta.value("load_end", "?") << "; open-file limit (soft) " << meta.value("nofile", 0)
        << "\n";
    out << meta.value("lwgw_version", "lwgw ?") << " @ " << meta.value("commit", "?") << "; nginx "
        << meta.value("nginx_version", "?") << " (1 worker, proxy_buffering off)"
        << "; upstream: lwgw-bench-tool serve (TCP_NODELAY)\n";
    out << "[direct] = the upstream reached without a proxy; +N = what the proxy adds to it\n\n";
  }
  for (size_t r = 0; r < table.size(); ++r) {
    std::string text;
    for (size_t i = 0; i < table[r].size(); ++i) {
      const std::string& s = table[r][i];
      bool left = i == 0 || i + 1 >= table[r].size() - 1;
      std::string pad(width[i] - display_len(s), ' ');
      text += (left ? s + pad : pad + s) + (i + 1 < table[r].size() ? "  " : "");
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
    if (r == 0) {
      size_t total = 0;
      for (size_t w : width) total += w + 2;
      out << std::string(total - 2, '-') << "\n";
    }
  }
  out << "\n" << (all_pass ? "all targets met" : "some targets missed") << "\n";
  std::cout << out.str();

  if (!json_out.empty()) {
    json doc{{"format", "lwgw-bench/1"}, {"meta", meta}, {"all_pass", all_pass}};
    for (auto& r : rows) {
      json jr{{"id", r.id},
              {"metric", r.metric},
              {"values", r.values},
              {"cells", r.cells},
              {"target", r.target}};
      if (r.limit) jr["limit"] = *r.limit;
      jr["pass"] = r.pass ? json(*r.pass) : json(nullptr);
      if (!r.note.empty()) jr["note"] = r.note;
      doc["rows"].push_back(jr);
    }
    doc["phases"] = raw;
    std::ofstream o(json_out);
    o << doc.dump(2) << "\n";
    if (!o) {
      std::cerr << "lwgw-bench-tool: cannot write " << json_out << "\n";
      return 2;
    }
  }
  return all_pass ? 0 : 1;
}
