// `lwgw logs`: the local proxy's log, or following it.
#include <CLI/CLI.hpp>
#include <csignal>

#include "lwgw/commands/table.hpp"
#include "lwgw/daemon/log_file.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/error.hpp"

namespace lwgw {

namespace {
struct LogsOptions {
  bool follow = false;
  int lines = 50;
};

int logs(Context& ctx, const LogsOptions& o) {
  const auto file = daemon::log_file(ctx.paths());
  std::optional<daemon::Live> live;
  if (o.follow) {
    live = daemon::find_running(ctx.paths(), ctx.env);
    if (!live)
      throw Error(Exit::kNotRunning, "the proxy is not running; `lwgw logs` shows its last log");
  }
  if (!std::filesystem::exists(file)) {
    if (!o.follow) {
      *ctx.io.err << "lwgw: no log yet at " << display_path(file, ctx.paths().home) << "\n";
      return 0;
    }
  } else {
    *ctx.io.out << daemon::tail_lines(file, o.lines) << std::flush;
  }
  if (!o.follow) return 0;
  const int pid = live->state.pid;
  daemon::follow(
      file, [&](const std::string& text) { *ctx.io.out << text << std::flush; },
      [pid] { return daemon::process_alive(pid); });
  return 0;
}
}  // namespace

void configure_logs(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<LogsOptions>();
  cmd.add_flag("-f,--follow", o->follow,
               "Keep printing new lines as they are written (exit 4 if not running)");
  cmd.add_option("-n,--lines", o->lines, "How many lines to show (default 50)")
      ->type_name("N")
      ->check(CLI::Range(0, 1000000));
  cmd.footer(
      "The log is $XDG_STATE_HOME/lwgw/proxy.log (JSON lines), rotated at 10 MiB, 3 files kept.");
  cmd.callback([&ctx, &action, o] { action = [&ctx, o] { return logs(ctx, *o); }; });
}

}  // namespace lwgw
