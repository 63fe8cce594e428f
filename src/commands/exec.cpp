// `lwgw exec`: run one CLI with the gateway settings for that process only.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>

#include <unistd.h>

#include "lwgw/commands.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/process.hpp"
#include "lwgw/setup_engine.hpp"

namespace lwgw {

namespace {
struct ExecOptions {
  std::string cli;
  std::vector<std::string> args;
  bool direct = false;
};

/// Gemini CLI's own home: $GEMINI_CLI_HOME when the user set it, else HOME.
std::filesystem::path gemini_home(Context& ctx) {
  auto h = ctx.env.get("GEMINI_CLI_HOME");
  return h && !h->empty() ? std::filesystem::path(*h) : ctx.paths().home;
}

std::optional<std::string> gemini_user_settings(Context& ctx) {
  try {
    return fs::read_file(gemini_home(ctx) / ".gemini" / "settings.json");
  } catch (const Error&) {
    return std::nullopt;
  }
}

/// The shadow ~/.gemini links every entry of the real one except settings.json (credentials,
/// GEMINI.md, extensions, history…), so the run sees the user's state and writes it in place.
void link_gemini_entries(Context& ctx, const std::filesystem::path& shadow_dir) {
  std::error_code ec;
  auto real = gemini_home(ctx) / ".gemini";
  for (const auto& e : std::filesystem::directory_iterator(real, ec)) {
    auto name = e.path().filename();
    if (name == "settings.json") continue;
    auto link = shadow_dir / name;
    std::error_code lec;
    auto st = std::filesystem::symlink_status(link, lec);
    if (std::filesystem::exists(st) || std::filesystem::is_symlink(st)) continue;
    std::filesystem::create_symlink(e.path(), link, lec);
  }
}

int exec_cli(Context& ctx, const ExecOptions& o) {
  if (o.cli == "cursor") (void)setup::exec_plan(o.cli, {}, {}, ctx.env, {}, {});  // throws
  setup::Target t = setup::resolve_target(ctx, o.direct, true, false);
  auto plan = setup::exec_plan(o.cli, t, o.args, ctx.env, ctx.paths().runtime_dir,
                               o.cli == "gemini-cli" ? gemini_user_settings(ctx) : std::nullopt);
  auto path = process::find_in_path(plan.argv[0], plan.env);
  if (!path)
    throw failure("`" + plan.argv[0] + "` (" + o.cli + ") is not on PATH; install it first");
  if (plan.file) {
    fs::ensure_dir(plan.file->first.parent_path(), 0700);
    fs::atomic_write(plan.file->first, plan.file->second, 0600, true);
    if (o.cli == "gemini-cli") link_gemini_entries(ctx, plan.file->first.parent_path());
  }
  std::vector<std::string> envs = process::to_envp(plan.env);
  std::vector<char*> argv, envp;
  for (auto& a : plan.argv) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);
  ctx.io.out->flush();
  ctx.io.err->flush();
  std::cout.flush();
  std::cerr.flush();
  ::execve(path->c_str(), argv.data(), envp.data());
  throw failure("cannot run " + path->string() + ": " + std::strerror(errno));
}
}  // namespace

void configure_exec(CLI::App& cmd, Context& ctx, Action& action) {
  auto o = std::make_shared<ExecOptions>();
  cmd.add_option("cli", o->cli, "The CLI to run")->required()->check(CLI::IsMember(cli_names()));
  cmd.add_option("args", o->args, "Arguments for the CLI (after --)");
  cmd.add_flag("--direct", o->direct, "Gateway URL and key instead of the local proxy");
  cmd.footer(
      "Runs the CLI (found on PATH) with the settings in its environment only; no dotfile is\n"
      "touched. Gemini CLI gets GEMINI_CLI_HOME = a shadow home in the runtime dir: your\n"
      "~/.gemini linked, settings.json copied with selectedType. Example: lwgw exec codex -- exec "
      "\"hello\"");
  cmd.callback([&ctx, &action, o] { action = [&ctx, o] { return exec_cli(ctx, *o); }; });
}

}  // namespace lwgw
