// The command line before CLI11 sees it: `help COMMAND` and `exec CLI ARGS…`.
#include "lwgw/cli_args.hpp"

namespace lwgw::cli_args {

namespace {

bool is_option(const std::string& a) {
  return a.size() > 1 && a[0] == '-';
}

/// The first argument from `from` on that is not an option (nor --config's value); nullopt at a
/// `--` or the end.
std::optional<std::size_t> next_word(const std::vector<std::string>& args, std::size_t from) {
  for (std::size_t i = from; i < args.size(); ++i) {
    if (args[i] == "--") return std::nullopt;
    if (args[i] == "--config") {
      ++i;  // its value, whatever it looks like
      continue;
    }
    if (!is_option(args[i])) return i;
  }
  return std::nullopt;
}

std::vector<std::string> rewrite_help(const std::vector<std::string>& args, std::size_t at) {
  std::vector<std::string> out(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(at));
  std::size_t i = at + 1;
  // The command path after `help`: its words, up to the first option or `--`.
  for (; i < args.size() && !is_option(args[i]) && args[i] != "--"; ++i)
    if (args[i] != "help" || out.size() > at) out.push_back(args[i]);
  out.emplace_back("--help");
  out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  return out;
}

std::vector<std::string> rewrite_exec(const std::vector<std::string>& args, std::size_t at) {
  const auto cli = next_word(args, at + 1);
  if (!cli || *cli + 1 >= args.size()) return args;
  auto rest = args.begin() + static_cast<std::ptrdiff_t>(*cli + 1);
  if (*rest == "--") ++rest;
  std::vector<std::string> out(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(*cli + 1));
  if (rest == args.end()) return out;
  out.emplace_back("--");
  out.insert(out.end(), rest, args.end());
  return out;
}

}  // namespace

std::optional<std::size_t> command_index(const std::vector<std::string>& args) {
  return next_word(args, 0);
}

std::vector<std::string> normalize(const std::vector<std::string>& args) {
  const auto cmd = command_index(args);
  if (!cmd) return args;
  if (args[*cmd] == "help") return rewrite_help(args, *cmd);
  if (args[*cmd] == "exec") return rewrite_exec(args, *cmd);
  return args;
}

}  // namespace lwgw::cli_args
