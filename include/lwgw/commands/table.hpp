// The command table: every subcommand, its one-line summary and the function that declares its
// options. Help, completions and the completion tests all derive from it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "lwgw/context.hpp"

namespace CLI {
class App;
}

namespace lwgw {

/// What a parsed command does; returns the exit code.
using Action = std::function<int()>;

/// Declares a subcommand's options and flags on `cmd`; when the command is selected, its CLI11
/// callback stores the work to do in `action` (run after parsing, outside CLI11).
using Configure = void (*)(CLI::App& cmd, Context& ctx, Action& action);

struct CommandSpec {
  const char* name;
  const char* summary;
  Configure configure;
  /// Words completed for the first positional argument (CLI names, shells…).
  std::vector<std::string> words;
};

/// All commands in the order `lwgw --help` lists them.
const std::vector<CommandSpec>& command_table();

/// The coding CLIs `setup`, `teardown` and `exec` accept (the profiles' names,
/// lwgw/clis/profile.hpp).
const std::vector<std::string>& cli_names();

/// What an option's or a positional argument's value completes to, where the command tree cannot
/// tell. Options whose type name is FILE or PATH complete file names without an entry here (and
/// the lower-case words of a type name such as `builtin|FILE` are offered too); every other value
/// option needs an entry, even one that completes nothing (a test holds the table to the tree).
struct ValueSpec {
  std::string command;  // "" (the global options), "setup", "config set"
  std::string name;     // "--shell", or a positional argument's name ("cli", "key")
  std::vector<std::string> words;
  /// A kind `lwgw completion --values KIND` prints (this machine's state: teardown-clis, models,
  /// config-keys), or "config-value": the values of the key named by the previous argument.
  std::string dynamic;
};
const std::vector<ValueSpec>& value_specs();

/// An Action for a command a later release implements: prints
/// `lwgw: <name>: not implemented yet` and returns 1.
Action not_implemented(Context& ctx, const std::string& name);

// One per file under src/commands/.
void configure_login(CLI::App&, Context&, Action&);
void configure_logout(CLI::App&, Context&, Action&);
void configure_whoami(CLI::App&, Context&, Action&);
void configure_setup(CLI::App&, Context&, Action&);
void configure_teardown(CLI::App&, Context&, Action&);
void configure_env(CLI::App&, Context&, Action&);
void configure_exec(CLI::App&, Context&, Action&);
void configure_up(CLI::App&, Context&, Action&);
void configure_down(CLI::App&, Context&, Action&);
void configure_status(CLI::App&, Context&, Action&);
void configure_logs(CLI::App&, Context&, Action&);
void configure_service(CLI::App&, Context&, Action&);
void configure_smoke(CLI::App&, Context&, Action&);
void configure_diff(CLI::App&, Context&, Action&);
void configure_doctor(CLI::App&, Context&, Action&);
void configure_config(CLI::App&, Context&, Action&);
void configure_completion(CLI::App&, Context&, Action&);
void configure_version(CLI::App&, Context&, Action&);

/// `lwgw --version` text: version, commit, build type, library versions.
std::string version_text();

/// A completion script for `shell` (bash | zsh | fish) generated from the parsed command tree.
std::string completion_script(const CLI::App& root, const std::string& shell);

}  // namespace lwgw
