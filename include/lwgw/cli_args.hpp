// The command line before CLI11 sees it: where the command word is, `lwgw help COMMAND`, and
// `lwgw exec CLI ARGS…` handing every argument after the CLI name to the CLI.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace lwgw::cli_args {

/// Where the command word is in `args` (lwgw's arguments, without argv[0]): the first argument
/// that is neither an option nor the value of `--config`; nullopt when there is none before a
/// `--`.
std::optional<std::size_t> command_index(const std::vector<std::string>& args);

/// The arguments as CLI11 is to parse them:
/// - `help [COMMAND [SUBCOMMAND]]` becomes `[COMMAND [SUBCOMMAND]] --help`, so it prints exactly
///   what `lwgw COMMAND --help` prints (`help` alone: `--help`);
/// - `exec [OPTIONS] CLI ARGS…` becomes `exec [OPTIONS] CLI -- ARGS…`, dropping a `--` that
///   directly follows CLI, so every argument after the CLI name reaches the CLI unchanged and
///   lwgw's own options are those before it.
/// Anything else is returned as it is.
std::vector<std::string> normalize(const std::vector<std::string>& args);

}  // namespace lwgw::cli_args
