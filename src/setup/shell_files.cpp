// Building the shell side's file operations from the CLIs that read the env file.
#include "shell_files.hpp"

#include "lwgw/clis/profile.hpp"

namespace lwgw::setup {

ShellFiles ShellFiles::of(const Paths& p) {
  return {.env_sh = p.config_dir / "env.sh",
          .env_fish = p.config_dir / "env.fish",
          .bashrc = p.home / ".bashrc",
          .zshrc = p.zdotdir / ".zshrc",
          .fish_conf = p.xdg_config_home / "fish" / "conf.d" / "lwgw.fish"};
}

FileOp env_file_op(const std::filesystem::path& file, const std::string& shell,
                   const EnvVars& vars) {
  return {.path = file,
          .kind = FileKind::kOwned,
          .owner = kShellOwner,
          .content = env_script(shell, vars),
          .secret = true};
}

std::vector<FileOp> shell_ops(const ShellFiles& f, const std::set<std::string>& shells,
                              const EnvVars& vars, const std::filesystem::path& home) {
  std::vector<FileOp> ops = {env_file_op(f.env_sh, "bash", vars)};
  auto rc_hook = [&](const std::filesystem::path& rc, const std::string& shell) {
    ops.push_back({.path = rc,
                   .kind = FileKind::kBlock,
                   .owner = kShellOwner,
                   .content = rc_source_body(shell, f.env_sh, home)});
  };
  if (shells.count("bash")) rc_hook(f.bashrc, "bash");
  if (shells.count("zsh")) rc_hook(f.zshrc, "zsh");
  if (shells.count("fish")) {
    ops.push_back(env_file_op(f.env_fish, "fish", vars));
    ops.push_back({.path = f.fish_conf,
                   .kind = FileKind::kOwned,
                   .owner = kShellOwner,
                   .content = fish_conf_file(f.env_fish, home)});
  }
  return ops;
}

EnvVars env_vars_for(const Target& t, const std::set<std::string>& clis) {
  std::vector<const clis::CliProfile*> profiles;
  for (const auto& name : clis)
    if (const clis::CliProfile* p = clis::find(name)) profiles.push_back(p);
  return env_vars(t, clis::env_needs(profiles));
}

bool uses_env_file(const std::string& cli) {
  const clis::CliProfile* p = clis::find(cli);
  return p && p->uses_env_file();
}

}  // namespace lwgw::setup
