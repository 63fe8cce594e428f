// The proxy as a daemon: its state file, liveness, the rotating log, who holds a port, and the
// login-service files (systemd user unit, launchd agent).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
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
};

std::filesystem::path state_file(const Paths& paths);
std::filesystem::path log_file(const Paths& paths);

/// Whether `pid` runs: it exists and is not a zombie nobody reaped (Linux: /proc/<pid>/stat).
bool process_alive(int pid);

/// Writes the state atomically (0600). Throws Error on failure.
void write_state(const Paths& paths, const State& state);
/// The recorded state, or nullopt when there is none or it is unreadable.
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

/// The pid and program listening on a local TCP port, from /proc (Linux); nullopt if unknown.
struct Holder {
  int pid = 0;
  std::string program;
};
std::optional<Holder> port_holder(int port);

/// Appends lines to a log file and rotates it by size (`path` -> `path.1` … `path.<keep>`).
/// Thread-safe. When `mirror_fd` >= 0 each new file is also dup2'ed onto it (stderr follows).
class RotatingLog {
 public:
  RotatingLog(std::filesystem::path path, std::uintmax_t max_bytes, int keep, int mirror_fd = -1);
  ~RotatingLog();
  void write_line(const std::string& line);
  const std::filesystem::path& path() const { return path_; }

 private:
  void open_file();
  void rotate();
  std::filesystem::path path_;
  std::uintmax_t max_bytes_;
  int keep_;
  int mirror_fd_;
  int fd_ = -1;
  std::uintmax_t size_ = 0;
  std::mutex mutex_;
};

/// The last `n` lines of a file (all when it has fewer).
std::string tail_lines(const std::filesystem::path& path, int n);

/// Follows a file like `tail -f` (surviving rotation), calling `out` with new text, until
/// `keep_going()` returns false. Polls every `interval_ms`.
void follow(const std::filesystem::path& path, const std::function<void(const std::string&)>& out,
            const std::function<bool()>& keep_going, int interval_ms = 200);

/// The systemd user unit that starts `exe up --foreground` at login.
std::string systemd_unit(const std::string& exe, const Env& env);
/// The launchd agent (ai.langwatch.lwgw) that does the same on macOS.
std::string launchd_plist(const std::string& exe, const Paths& paths);

}  // namespace lwgw::daemon
