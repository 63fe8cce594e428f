// `lwgw logs`: the local proxy's log, or following it; readable lines on a terminal, the JSON
// lines themselves for scripts.
#include <CLI/CLI.hpp>
#include <csignal>
#include <ctime>
#include <deque>
#include <fstream>

#include "lwgw/commands/table.hpp"
#include "lwgw/daemon/log_file.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/error.hpp"
#include "lwgw/logview.hpp"

namespace lwgw {

namespace {
struct LogsOptions {
  bool follow = false;
  int lines = 50;
  bool lines_given = false;
  std::string since;
  std::string grep;
  std::string format;  // "", "text" or "json"
};

// Text on a terminal, the JSON lines otherwise (a pipe or a file keeps getting what scripts read);
// --format says which, --json always means the JSON lines.
bool text_format(const Context& ctx, const LogsOptions& o) {
  if (ctx.opts.json && o.format == "text")
    throw usage_error("--json and --format text ask for different output; use one of them");
  if (ctx.opts.json || o.format == "json") return false;
  return o.format == "text" || ctx.io.out_tty;
}

int logs(Context& ctx, const LogsOptions& o) {
  const bool text = text_format(ctx, o);
  const std::time_t now = std::time(nullptr);
  std::optional<std::time_t> since;
  if (!o.since.empty()) {
    since = logview::parse_since(o.since, now);
    if (!since)
      throw usage_error("--since " + o.since +
                        ": not a duration (30s, 10m, 2h, 1d) or a time (2026-11-27T14:39:03Z)");
  }
  logview::Filter filter(since, o.grep, now);
  const logview::TextStyle style{text && ctx.color(), now};
  auto show = [&](const std::string& line) {
    if (filter.keep(line)) *ctx.io.out << (text ? logview::to_text(line, style) : line) << '\n';
  };

  const auto file = daemon::log_file(ctx.paths());
  const bool exists = std::filesystem::exists(file);
  std::optional<daemon::Live> live;
  if (o.follow) {
    live = daemon::find_running(ctx.paths(), ctx.env);
    if (!live && !exists)
      throw Error(Exit::kNotRunning,
                  "the proxy is not running and has no log yet; start it with `lwgw up`");
    if (!live)
      throw Error(Exit::kNotRunning,
                  "the proxy is not running (start it with `lwgw up`); `lwgw logs` without -f "
                  "shows its last log");
  }
  bool shown = false;
  if (!exists) {
    if (!o.follow) {
      *ctx.io.err << "lwgw: no log yet at " << display_path(file, ctx.paths().home) << "\n";
      return 0;
    }
  } else {
    // The last N lines that pass the filters; with --since and no -n, all of them.
    const std::size_t keep =
        since && !o.lines_given ? SIZE_MAX : static_cast<std::size_t>(std::max(o.lines, 0));
    std::deque<std::string> last;
    std::ifstream in(file, std::ios::binary);
    std::string line;
    while (keep > 0 && std::getline(in, line)) {
      if (!filter.keep(line)) continue;
      last.push_back(std::move(line));
      if (last.size() > keep) last.pop_front();
    }
    for (const auto& l : last) *ctx.io.out << (text ? logview::to_text(l, style) : l) << '\n';
    shown = !last.empty();
    *ctx.io.out << std::flush;
  }
  if (!o.follow) return 0;
  if (!shown && !ctx.opts.quiet)
    *ctx.io.err << "lwgw: waiting for the first request\xe2\x80\xa6 (Ctrl-C to stop)\n"
                << std::flush;
  const int pid = live->state.pid;
  std::string partial;  // a line not complete yet
  daemon::follow(
      file,
      [&](const std::string& chunk) {
        partial += chunk;
        std::size_t start = 0;
        for (std::size_t nl = partial.find('\n'); nl != std::string::npos;
             nl = partial.find('\n', start)) {
          show(partial.substr(start, nl - start));
          start = nl + 1;
        }
        partial.erase(0, start);
        *ctx.io.out << std::flush;
      },
      [pid] { return daemon::process_alive(pid); });
  if (!partial.empty()) show(partial);
  *ctx.io.out << std::flush;
  return 0;
}
}  // namespace

void configure_logs(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<LogsOptions>();
  cmd.add_flag("-f,--follow", o->follow,
               "Keep printing new lines as they are written (exit 4 if not running)");
  auto* lines = cmd.add_option("-n,--lines", o->lines, "How many lines to show (default 50)")
                    ->type_name("N")
                    ->check(CLI::Range(0, 1000000));
  cmd.add_option("--since", o->since,
                 "Only lines from this long ago (30s, 10m, 2h, 1d) or since this time "
                 "(2026-11-27T14:39:03Z); all of them unless -n is given")
      ->type_name("WHEN");
  cmd.add_option("--grep", o->grep,
                 "Only lines containing TEXT (in the JSON line or its text form; case-sensitive)")
      ->type_name("TEXT");
  cmd.add_option("--format", o->format,
                 "text: one readable line per request; json: the log's JSON lines as written "
                 "(default: text on a terminal, json otherwise)")
      ->type_name("text|json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd.footer(
      "The log is $XDG_STATE_HOME/lwgw/proxy.log (JSON lines), rotated at 10 MiB, 3 files kept.\n"
      "On a terminal each request reads as: time, client, method, path, status, duration, stream,\n"
      "model, request id, error code; 4xx in yellow, 5xx and lwgw's own errors in red. Piped or\n"
      "with --json, the JSON lines are printed unchanged.");
  cmd.callback([&ctx, &action, o, lines] {
    o->lines_given = lines->count() > 0;
    action = [&ctx, o] { return logs(ctx, *o); };
  });
}

}  // namespace lwgw
