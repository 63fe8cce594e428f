// doctor's output: the human report (header, "Needs attention", groups, summary line), the JSON
// document (schema 1), the exit code, and the final filter every byte of output goes through.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lwgw/doctor/runner.hpp"
#include "lwgw/environment.hpp"

namespace lwgw::doctor {

/// The report's first line.
struct Header {
  std::string version;  // "0.1.0"
  std::string commit;
  std::string os;       // "Linux 6.1.0-18-amd64 x86_64"
  std::string gateway;  // scheme://host[:port], nothing else of the URL
  std::string mode;     // proxy | direct | none
};

struct RenderOptions {
  bool ascii = false;  // [ok] [!!] [XX] [--], "->", "..." instead of the Unicode symbols
  bool color = false;
  int verbose = 0;  // -v: each check's source, details and duration
  bool strict = false;
};

struct Counts {
  int ok = 0, warn = 0, fail = 0, skip = 0;
};
Counts count(const std::vector<Ran>& results);
/// "fail" when any check failed, else "warn" when any warned, else "ok".
std::string overall(const Counts& c);
/// 0 without failures (warnings too with `strict`), else 1.
int exit_code(const Counts& c, bool strict);

/// A group's heading: "Local proxy", "Claude Code (claude-code)"…
std::string group_title(const std::string& group);

std::string render_human(const Header& h, const std::vector<Ran>& results, const RenderOptions& o);
nlohmann::ordered_json render_json(const Header& h, const std::vector<Ran>& results, bool strict);
/// `--list`: one line per check, `id  group  title`.
std::string render_list(const std::vector<Check>& checks);

/// The final filter over the whole output: registered secrets and key-shaped strings reduced to
/// their display prefix (redact()), each of `secrets` replaced wherever it still appears, and
/// `home` written as `~`.
std::string scrub(std::string text, const std::vector<std::string>& secrets,
                  const std::string& home);
/// The Unicode symbols of the human report in ASCII.
std::string to_ascii(std::string text);

/// The proxy log's last lines for `--report`: query strings removed from every path and URL, and
/// the gateway request ids (`request_id`) they name, each once.
struct LogTail {
  std::vector<std::string> lines;
  std::vector<std::string> request_ids;
};
LogTail log_tail(const std::string& log_text, size_t n);

/// `--report`'s file: the report, then the log tail and the request ids, under headings.
std::string report_file(const std::string& report, const LogTail& tail);
/// The one line to quote in a ticket: version, commit, OS, mode, the failed and warned ids and
/// where the report is.
std::string quote_line(const Header& h, const std::vector<Ran>& results, const std::string& file);

/// Whether the locale (LC_ALL, else LC_CTYPE, else LANG: the first that is set) is UTF-8.
bool utf8_locale(const Env& env);

}  // namespace lwgw::doctor
