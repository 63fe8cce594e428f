// Rendering of a setup run's report: a table, one Next steps block, one quiet line, JSON.
#include "lwgw/setup/report.hpp"

#include <algorithm>
#include <sstream>

namespace lwgw::setup {

namespace {

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::string change_text(const FileRow& f, bool verbose) {
  if (f.keys.empty() || f.action == "unchanged") return f.action;
  if (verbose) return f.action + ": " + join(f.keys, ", ");
  return f.action + " (" + std::to_string(f.keys.size()) +
         (f.keys.size() == 1 ? " key)" : " keys)");
}

std::string installed_text(const CliRow& c) {
  if (c.binary.empty()) return "-";
  return c.installed ? "yes" : "no";
}

// Pads `s` to `width` columns (counting UTF-8 code points).
std::string pad(const std::string& s, size_t width) {
  size_t cols = 0;
  for (unsigned char ch : s)
    if ((ch & 0xC0) != 0x80) ++cols;
  return s + std::string(cols < width ? width - cols : 1, ' ');
}

bool any_changed(const std::vector<FileRow>& files) {
  return std::any_of(files.begin(), files.end(),
                     [](const FileRow& f) { return f.action != "unchanged"; });
}

}  // namespace

std::vector<std::string> next_steps(const SetupReport& r) {
  std::vector<std::string> steps;
  if (r.dry_run) {
    steps.push_back("Nothing was written: run the same command without --dry-run to apply it.");
    return steps;
  }
  std::vector<std::string> broken, by_hand, missing, run;
  bool env_cli = false;
  for (const auto& c : r.clis) {
    if (c.status == "error") continue;
    if (c.status == "broken")
      for (size_t i = 0; i < c.fixes.size(); ++i)
        broken.push_back("Fix " + c.name + ": `" + c.fixes[i] + "`" +
                         (i < c.problems.size() ? " (" + c.problems[i] + ")" : ""));
    if (c.status == "by_hand") {
      by_hand.push_back(c.title + ": paste the values shown above into its settings.");
      continue;
    }
    env_cli = env_cli || c.uses_env_file;
    if (!c.binary.empty() && !c.installed)
      missing.push_back(c.binary);
    else if (!c.binary.empty())
      run.push_back(c.binary + c.next_hint);
  }
  steps.insert(steps.end(), broken.begin(), broken.end());
  if (env_cli && any_changed(r.shell))
    steps.push_back(
        "Open a new shell (in this one: eval \"$(lwgw env)\"); shells and GUI apps already open "
        "keep their old environment.");
  if (!r.proxy_next.empty()) steps.push_back("Start the proxy: " + r.proxy_next + ".");
  steps.insert(steps.end(), by_hand.begin(), by_hand.end());
  if (!missing.empty())
    steps.push_back("Install " + join(missing, ", ") +
                    ": configured already, but not found on PATH.");
  if (!run.empty()) steps.push_back("Run your CLI: " + join(run, ", ") + ".");
  if (r.errors)
    steps.push_back("Something needs attention: `lwgw doctor` checks every CLI and names the fix.");
  return steps;
}

std::string render_table(const SetupReport& r, bool verbose) {
  struct Line {
    std::string cli, installed, mode, file, change, model;
  };
  std::vector<Line> lines;
  for (const auto& c : r.clis) {
    std::string cli = c.name;
    if (c.status == "broken") cli += " (broken)";
    if (c.status == "error") cli += " (error)";
    if (c.files.empty()) {
      std::string what = c.status == "by_hand" ? "set by hand (see above)"
                         : c.status == "error" ? "not set up"
                                               : "no file";
      lines.push_back({cli, installed_text(c), c.mode, "-", what, c.model});
      continue;
    }
    for (size_t i = 0; i < c.files.size(); ++i)
      lines.push_back({i ? "" : cli, i ? "" : installed_text(c), i ? "" : c.mode, c.files[i].label,
                       change_text(c.files[i], verbose), i ? "" : c.model});
  }
  for (size_t i = 0; i < r.shell.size(); ++i)
    lines.push_back({i ? "" : "shell", "", "", r.shell[i].label, r.shell[i].action, ""});
  Line head{"CLI", "INSTALLED", "MODE", "FILE", "CHANGE", "MODEL"};
  size_t w[5] = {};
  auto widen = [&w](const Line& l) {
    w[0] = std::max(w[0], l.cli.size());
    w[1] = std::max(w[1], l.installed.size());
    w[2] = std::max(w[2], l.mode.size());
    w[3] = std::max(w[3], l.file.size());
    w[4] = std::max(w[4], l.change.size());
  };
  widen(head);
  for (const auto& l : lines) widen(l);
  std::ostringstream o;
  auto row = [&](const Line& l) {
    std::string s = pad(l.cli, w[0] + 2) + pad(l.installed, w[1] + 2) + pad(l.mode, w[2] + 2) +
                    pad(l.file, w[3] + 2) +
                    (l.model.empty() ? l.change : pad(l.change, w[4] + 2) + l.model);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    o << s << "\n";
  };
  row(head);
  for (const auto& l : lines) row(l);
  return o.str();
}

std::string render_human(const SetupReport& r, bool verbose) {
  std::ostringstream o;
  o << render_table(r, verbose);
  std::vector<std::string> notes;
  for (const auto& c : r.clis)
    if (!c.models.empty()) notes.push_back(c.name + ": " + c.models);
  if (!r.models.empty()) notes.push_back(r.models);
  if (!r.proxy.empty()) notes.push_back(r.proxy);
  if (!notes.empty()) o << "\n" << join(notes, "\n") << "\n";
  const auto steps = next_steps(r);
  if (!steps.empty()) {
    o << "\nNext steps:\n";
    for (size_t i = 0; i < steps.size(); ++i) o << "  " << i + 1 << ". " << steps[i] << "\n";
  }
  return o.str();
}

std::string render_quiet(const SetupReport& r) {
  std::vector<std::string> ok, bad;
  for (const auto& c : r.clis)
    (c.status == "error" || c.status == "broken" ? bad : ok).push_back(c.name);
  std::string s = r.dry_run ? "dry run: would set up " : "set up ";
  s += ok.empty() ? "nothing" : join(ok, ", ");
  s += " (" + r.mode + " mode)";
  if (!bad.empty()) s += "; needs attention: " + join(bad, ", ") + " (run `lwgw doctor`)";
  const auto steps = next_steps(r);
  if (bad.empty() && !steps.empty()) s += "; next: " + steps.front();
  return s + "\n";
}

nlohmann::ordered_json to_json(const SetupReport& r) {
  using ojson = nlohmann::ordered_json;
  auto files = [](const std::vector<FileRow>& rows) {
    ojson a = ojson::array();
    for (const auto& f : rows)
      a.push_back({{"path", f.label}, {"action", f.action}, {"keys", f.keys}});
    return a;
  };
  ojson clis = ojson::array();
  for (const auto& c : r.clis) {
    ojson j = {{"cli", c.name},      {"title", c.title},        {"mode", c.mode},
               {"status", c.status}, {"files", files(c.files)}, {"model", c.model},
               {"models", c.models}, {"problems", c.problems},  {"fixes", c.fixes}};
    j["installed"] = c.binary.empty() ? ojson(nullptr) : ojson(c.installed);
    if (!c.guide.empty()) j["guide"] = c.guide;
    clis.push_back(j);
  }
  return {{"mode", r.mode},          {"dry_run", r.dry_run}, {"clis", clis},
          {"shell", files(r.shell)}, {"models", r.models},   {"proxy", r.proxy},
          {"next", next_steps(r)},   {"details", r.details}, {"exit", r.exit_code}};
}

}  // namespace lwgw::setup
