// The running proxy's state file, liveness, and how to find the proxy that runs.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "lwgw/environment.hpp"

namespace lwgw::daemon {

/// What a running proxy records about itself in `$XDG_RUNTIME_DIR/lwgw/proxy.json`.
struct State {
  int pid = 0;
  std::string listen;  // host:port actually bound
  std::string gateway;
  std::string exe;
  std::string started_at;
  /// When the kernel started the process (process_start_time), so that a pid reused by another
  /// program is never taken for the proxy; empty in files of older versions.
  std::string start_time;
  std::string status_key = {};  // what GET /_lwgw/status needs (Authorization: Bearer …)
};

/// The start time of process `pid` as the kernel reports it (an opaque, comparable string):
/// Linux /proc/<pid>/stat field 22 (clock ticks since boot); macOS the p_starttime of
/// sysctl(KERN_PROC_PID). nullopt when the process is gone or it cannot be read.
std::optional<std::string> process_start_time(int pid);
/// Field 22 (starttime) of a /proc/<pid>/stat line (pure; the command name may hold spaces and
/// parentheses: fields are counted after the last ')').
std::optional<std::string> stat_start_time(const std::string& stat);

std::filesystem::path state_file(const Paths& paths);
std::filesystem::path log_file(const Paths& paths);

/// Whether `pid` runs: it exists and is not a zombie nobody reaped (Linux: /proc/<pid>/stat).
bool process_alive(int pid);

/// Writes the state atomically (0600). Throws Error on failure.
void write_state(const Paths& paths, const State& state);
/// Throws Error(kConfig) when the state file is a symlink (it is never followed: written over, it
/// would replace whatever it points to).
void check_state_file(const Paths& paths);
/// Why the runtime directory (where the state file lives) cannot be trusted, when it exists and
/// another user could have written it (fs::dir_refusal); nullopt when it is fine or absent.
std::optional<std::string> runtime_dir_refusal(const Paths& paths);
/// The recorded state, or nullopt when there is none, it is unreadable, or the runtime directory
/// is not trusted (runtime_dir_refusal).
std::optional<State> read_state(const Paths& paths);
/// Removes the state file if it still names `pid`.
void remove_state(const Paths& paths, int pid);

/// What the running proxy says about itself (GET /_lwgw/status), parsed.
struct Live {
  State state;
  std::string status_json;  // the raw answer
};

/// The running proxy: the state file's pid is alive, and the proxy at its address answers
/// /_lwgw/status with that pid (a pid reused by another program does not count). nullopt when
/// not running; a stale state file is removed.
std::optional<Live> find_running(const Paths& paths, const Env& env);

}  // namespace lwgw::daemon
