// The command table: order, summaries and completion words of every subcommand.
#include "lwgw/commands/table.hpp"

#include <ostream>

#include "lwgw/clis/profile.hpp"
#include "lwgw/config.hpp"
#include "lwgw/doctor/registry.hpp"
#include "lwgw/doctor/runner.hpp"

namespace lwgw {

const std::vector<std::string>& cli_names() {
  static const std::vector<std::string> names = clis::names();
  return names;
}

const std::vector<CommandSpec>& command_table() {
  static const std::vector<CommandSpec> table = {
      {"login", "Store the gateway URL and your virtual key, and verify them", configure_login, {}},
      {"logout", "Forget the virtual key (keeps the local token and setup)", configure_logout, {}},
      {"whoami",
       "Show the gateway, the masked key, where it is stored, last verification",
       configure_whoami,
       {}},
      {"setup", "Configure coding CLIs to use the gateway", configure_setup, cli_names()},
      // Its CLIs are the ones set up on this machine: value_specs().
      {"teardown", "Undo exactly what setup did", configure_teardown, {}},
      {"env", "Print the shell exports (eval \"$(lwgw env)\")", configure_env, {}},
      {"exec", "Run one CLI with the gateway settings for this invocation only", configure_exec,
       cli_names()},
      {"up", "Start the local proxy", configure_up, {}},
      {"down", "Drain and stop the local proxy", configure_down, {}},
      {"status", "Show whether the local proxy runs, and what it is doing", configure_status, {}},
      {"logs", "Show the local proxy's log", configure_logs, {}},
      {"service",
       "Start the local proxy at login (systemd user unit / launchd agent)",
       configure_service,
       {}},
      {"smoke", "Probe the gateway: PASS/FAIL/SKIP per probe", configure_smoke, {}},
      {"diff", "Compare the gateway's answers with known-good transcripts", configure_diff, {}},
      {"doctor", "Find what stops a CLI from working, and how to fix it", configure_doctor,
       doctor::group_names(doctor::all_checks())},
      {"config", "Show and change the configuration", configure_config, {}},
      {"completion",
       "Print a shell completion script",
       configure_completion,
       {"bash", "zsh", "fish"}},
      {"version", "Show version, commit, build type and library versions", configure_version, {}},
  };
  return table;
}

const std::vector<ValueSpec>& value_specs() {
  static const std::vector<ValueSpec> specs = [] {
    std::vector<std::string> keys;
    for (const auto& k : config_keys()) keys.push_back(k.name);
    return std::vector<ValueSpec>{
        {"setup", "--shell", {"bash", "zsh", "fish", "all"}, ""},
        {"setup", "--model", {}, "models"},
        {"setup", "--small-model", {}, "models"},
        {"env", "--shell", {"bash", "zsh", "fish"}, ""},
        {"teardown", "cli", {}, "teardown-clis"},
        {"doctor", "--cli", cli_names(), ""},
        {"config get", "key", keys, ""},
        {"config set", "key", keys, ""},
        {"config set", "value", {}, "config-value"},
        {"config unset", "key", keys, ""},
        {"exec", "args", {}, ""},
        // Values nothing can guess: a URL, an address, a number, a variable's name.
        {"login", "--gateway", {}, ""},
        {"login", "--key-env", {}, ""},
        {"smoke", "--gateway", {}, ""},
        {"diff", "--gateway", {}, ""},
        {"up", "--listen", {}, ""},
        {"down", "--timeout", {}, ""},
        {"logs", "--lines", {}, ""},
        {"logs", "--since", {}, ""},
        {"logs", "--grep", {}, ""},
        {"logs", "--format", {"text", "json"}, ""},
    };
  }();
  return specs;
}

Action not_implemented(Context& ctx, const std::string& name) {
  return [&ctx, name] {
    *ctx.io.err << "lwgw: " << name << ": not implemented yet\n";
    return 1;
  };
}

}  // namespace lwgw
