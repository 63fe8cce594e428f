// The files of setup's shell side: env.sh / env.fish with the key, and the rc hooks sourcing them.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "lwgw/environment.hpp"
#include "lwgw/setup/edits.hpp"

namespace lwgw::setup {

inline constexpr const char* kShellOwner = "shell";

struct ShellFiles {
  std::filesystem::path env_sh;     // $XDG_CONFIG_HOME/lwgw/env.sh
  std::filesystem::path env_fish;   // $XDG_CONFIG_HOME/lwgw/env.fish
  std::filesystem::path bashrc;     // ~/.bashrc
  std::filesystem::path zshrc;      // ${ZDOTDIR:-~}/.zshrc
  std::filesystem::path fish_conf;  // $XDG_CONFIG_HOME/fish/conf.d/lwgw.fish

  static ShellFiles of(const Paths& p);
};

/// The env file in `shell` syntax ("bash" for env.sh, "fish" for env.fish).
FileOp env_file_op(const std::filesystem::path& file, const std::string& shell,
                   const EnvVars& vars);
/// env.sh, and for each of `shells` (bash, zsh, fish) its hook (fish: env.fish + conf.d file).
std::vector<FileOp> shell_ops(const ShellFiles& f, const std::set<std::string>& shells,
                              const EnvVars& vars, const std::filesystem::path& home);
/// The variables the env file holds for the CLIs named in `clis` (names of no env-file CLI are
/// skipped).
EnvVars env_vars_for(const Target& t, const std::set<std::string>& clis);
/// Whether `cli` names a CLI that reads the env file.
bool uses_env_file(const std::string& cli);

}  // namespace lwgw::setup
