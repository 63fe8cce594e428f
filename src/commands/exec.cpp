// `lwgw exec`: run one CLI with the gateway settings for that process only.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>

#include <unistd.h>

#include "lwgw/clis/profile.hpp"
#include "lwgw/commands/table.hpp"
#include "lwgw/daemon/start.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/probe/local.hpp"
#include "lwgw/process.hpp"
#include "lwgw/setup/engine.hpp"

namespace lwgw {

namespace {
struct ExecOptions {
  std::string cli;
  std::vector<std::string> args;
  bool direct = false;
  bool no_start = false;
};

std::optional<std::string> read_user_file(const std::filesystem::path& p) {
  try {
    return fs::read_file(p);
  } catch (const Error&) {
    return std::nullopt;
  }
}

/// Links every entry of `l.from` except `l.except` into `l.into`, keeping what is there.
void link_entries(const setup::LinkEntries& l) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(l.from, ec)) {
    auto name = e.path().filename();
    if (name == l.except) continue;
    auto link = l.into / name;
    std::error_code lec;
    auto st = std::filesystem::symlink_status(link, lec);
    if (std::filesystem::exists(st) || std::filesystem::is_symlink(st)) continue;
    std::filesystem::create_symlink(e.path(), link, lec);
  }
}

/// The plan's own files: a settings file to write, entries to link beside it.
void prepare(const setup::ExecPlan& plan) {
  if (!plan.file) return;
  fs::ensure_dir(plan.file->first.parent_path(), 0700);
  fs::atomic_write(plan.file->first, plan.file->second, 0600, true);
  if (plan.links) link_entries(*plan.links);
}

[[noreturn]] void replace_process(Context& ctx, const std::filesystem::path& path,
                                  setup::ExecPlan& plan) {
  std::vector<std::string> envs = process::to_envp(plan.env);
  std::vector<char*> argv = process::c_strings(plan.argv);
  std::vector<char*> envp = process::c_strings(envs);
  ctx.io.out->flush();
  ctx.io.err->flush();
  std::cout.flush();
  std::cerr.flush();
  ::execve(path.c_str(), argv.data(), envp.data());
  throw failure("cannot run " + path.string() + ": " + std::strerror(errno));
}

// Proxy mode: a CLI started without a proxy to talk to would sit in its own retries for minutes.
// lwgw answering on proxy.listen is enough (a socket-activated proxy starts on that request);
// nothing there: start it (as `lwgw up`) unless --no-start; another program: refuse.
void ensure_proxy(Context& ctx, bool no_start) {
  const std::string listen = ctx.config().get_string("proxy.listen");
  const probe::Listener l = probe::identify_listener(listen, ctx.env);
  using Kind = probe::Listener::Kind;
  if (l.kind == Kind::kLwgw || l.kind == Kind::kDraining) return;
  if (l.kind == Kind::kForeign)
    throw Error(Exit::kNotRunning,
                "the proxy is not running: " + listen + " (proxy.listen) is held by " +
                    (l.holder.empty() ? "a program" : l.holder) + " that is not lwgw (it gave " +
                    l.answer + " to /_lwgw/healthz)" +
                    "; stop that program, or move lwgw with `lwgw config set proxy.listen "
                    "127.0.0.1:PORT`");
  if (no_start)
    throw Error(Exit::kNotRunning, "the proxy is not running on " + listen +
                                       ": start it with `lwgw up` (or drop --no-start)");
  daemon::Started st = daemon::start_background(ctx, "");
  *ctx.io.err << "lwgw: started the proxy on " << st.url
              << (st.pid ? " (pid " + std::to_string(st.pid) + ")" : std::string())
              << "; it keeps running (`lwgw down` stops it)\n";
}

int exec_cli(Context& ctx, const ExecOptions& o) {
  const clis::CliProfile& profile = clis::get(o.cli);
  if (!profile.exec) throw usage_error(std::string(profile.hints.no_exec));
  setup::Target t =
      setup::resolve_target(ctx, {.mode = o.direct ? setup::Mode::kDirect : setup::Mode::kProxy});
  auto plan = clis::exec_plan(profile,
                              {.target = t,
                               .env = ctx.env,
                               .home = ctx.paths().home,
                               .runtime_dir = ctx.paths().runtime_dir,
                               .read_file = read_user_file},
                              o.args);
  auto path = process::find_in_path(plan.argv[0], plan.env);
  if (!path)
    throw failure("`" + plan.argv[0] + "` (" + std::string(profile.name) +
                  ") is not on PATH; install it first");
  if (!o.direct) ensure_proxy(ctx, o.no_start);
  prepare(plan);
  replace_process(ctx, *path, plan);
}
}  // namespace

void configure_exec(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<ExecOptions>();
  // The CLI name (or alias) is checked when the command runs, with a suggestion for a near miss.
  // Everything after it reaches the CLI: app.cpp hands it over behind a `--` (cli_args.hpp).
  cmd.add_option("cli", o->cli, "The CLI to run, by name or alias")->required()->type_name("CLI");
  cmd.add_option("args", o->args, "Arguments for the CLI, passed on unchanged")
      ->type_name("ARGS...");
  cmd.add_flag("--direct", o->direct, "Gateway URL and key instead of the local proxy");
  cmd.add_flag("--no-start", o->no_start,
               "Exit 4 when the proxy is not running instead of starting it");
  cmd.footer(
      "lwgw's own options go before the CLI name; every argument after it is passed to the CLI\n"
      "unchanged (a `--` right after the name is dropped). Runs the CLI (found on PATH) with the\n"
      "settings in its environment only; no dotfile is touched. Starts the proxy first when it is\n"
      "not running (--no-start: exit 4 instead). Gemini CLI gets GEMINI_CLI_HOME = a shadow home\n"
      "in the runtime dir: your ~/.gemini linked, settings.json copied with selectedType.\n"
      "CLIs: " +
      clis::accepted_names() +
      ".\n"
      "Examples: lwgw exec claude -p \"hello\"; lwgw exec --direct codex exec \"hello\"");
  cmd.callback([&ctx, &action, o] {
    action = [&ctx, o] {
      // What follows is the CLI's own output; a global --json is refused before it starts (a
      // --json after the CLI name is the CLI's).
      if (ctx.opts.json)
        throw usage_error("--json does not apply to `exec`: the output is the CLI's own");
      return exec_cli(ctx, *o);
    };
  });
}

}  // namespace lwgw
