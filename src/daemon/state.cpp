// The daemon's state file and liveness checks.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif

#include <unistd.h>

#include "lwgw/config.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/http_client.hpp"

namespace lwgw::daemon {

std::filesystem::path state_file(const Paths& paths) {
  return paths.runtime_dir / "proxy.json";
}
std::filesystem::path log_file(const Paths& paths) {
  return paths.state_dir / "proxy.log";
}

void write_state(const Paths& paths, const State& s) {
  nlohmann::json doc = {{"pid", s.pid}, {"listen", s.listen},         {"gateway", s.gateway},
                        {"exe", s.exe}, {"started_at", s.started_at}, {"start_time", s.start_time}};
  doc["status_key"] = s.status_key;
  fs::ensure_private_dir(paths.runtime_dir);
  fs::write_private(state_file(paths), doc.dump(2) + "\n");
}

void check_state_file(const Paths& paths) {
  fs::read_private(state_file(paths));
}

std::optional<std::string> runtime_dir_refusal(const Paths& paths) {
  const fs::Facts dir = fs::facts_of(paths.runtime_dir);
  if (!dir.exists) return std::nullopt;
  return fs::dir_refusal(paths.runtime_dir, dir, ::geteuid());
}

std::optional<State> read_state(const Paths& paths) {
  std::optional<std::string> text;
  // A directory another user can write into says nothing trustworthy about this HOME's proxy.
  if (runtime_dir_refusal(paths)) return std::nullopt;
  try {
    text = fs::read_private(state_file(paths));
  } catch (...) {
    return std::nullopt;
  }
  if (!text) return std::nullopt;
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("pid")) return std::nullopt;
  State s;
  s.pid = doc.value("pid", 0);
  s.listen = doc.value("listen", "");
  s.gateway = doc.value("gateway", "");
  s.exe = doc.value("exe", "");
  s.started_at = doc.value("started_at", "");
  s.start_time = doc.value("start_time", "");
  s.status_key = doc.value("status_key", "");
  return s;
}

void remove_state(const Paths& paths, int pid) {
  auto s = read_state(paths);
  if (s && s->pid == pid) {
    try {
      fs::remove_file(state_file(paths));
    } catch (...) {
    }
  }
}

namespace {
// Whether a live pid runs lwgw (Linux: its command line); elsewhere we cannot tell, so no.
bool looks_like_lwgw(int pid) {
  std::optional<std::string> cmdline;
  try {
    cmdline = fs::read_file("/proc/" + std::to_string(pid) + "/cmdline");
  } catch (...) {
    return false;
  }
  if (!cmdline) return false;
  std::vector<std::string> argv;
  for (size_t start = 0; start < cmdline->size();) {
    size_t end = cmdline->find('\0', start);
    if (end == std::string::npos) end = cmdline->size();
    argv.push_back(cmdline->substr(start, end - start));
    start = end + 1;
  }
  if (argv.empty() || std::filesystem::path(argv[0]).filename() != "lwgw") return false;
  return std::find(argv.begin() + 1, argv.end(), "up") != argv.end();
}
}  // namespace

bool process_alive(int pid) {
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno != EPERM)) return false;
  std::optional<std::string> stat;
  try {
    stat = fs::read_file("/proc/" + std::to_string(pid) + "/stat");
  } catch (...) {
    return true;
  }
  if (!stat) return true;  // no /proc (macOS): kill(0) is all we have
  auto close = stat->rfind(')');
  return close == std::string::npos || close + 2 >= stat->size() || (*stat)[close + 2] != 'Z';
}

std::optional<std::string> stat_start_time(const std::string& stat) {
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int n = 3; fields >> field; ++n)  // the state is field 3
    if (n == 22)
      return field.find_first_not_of("0123456789") == std::string::npos ? std::optional(field)
                                                                        : std::nullopt;
  return std::nullopt;
}

std::optional<std::string> process_start_time(int pid) {
  if (pid <= 0) return std::nullopt;
#if defined(__APPLE__)
  // macOS has no /proc: the kernel's process table says when the process started.
  int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PID, pid};
  struct kinfo_proc info {};
  size_t size = sizeof info;
  if (::sysctl(mib, 4, &info, &size, nullptr, 0) != 0 || size == 0) return std::nullopt;
  const auto& t = info.kp_proc.p_starttime;
  return std::to_string(t.tv_sec) + "." + std::to_string(t.tv_usec);
#else
  std::optional<std::string> stat;
  try {
    stat = fs::read_file("/proc/" + std::to_string(pid) + "/stat");
  } catch (...) {
    return std::nullopt;
  }
  return stat ? stat_start_time(*stat) : std::nullopt;
#endif
}

namespace {
// The recorded start time differs from the process's: the pid belongs to another program now.
bool reused_pid(const State& s) {
  if (s.start_time.empty()) return false;
  auto now = process_start_time(s.pid);
  return now && *now != s.start_time;
}
}  // namespace

std::optional<Live> find_running(const Paths& paths, const Env& env) {
  auto s = read_state(paths);
  if (!s || s->pid <= 0) return std::nullopt;
  if (reused_pid(*s)) {
    remove_state(paths, s->pid);
    return std::nullopt;
  }
  bool alive = process_alive(s->pid);
  if (alive && !s->listen.empty()) {
    http::Request req;
    req.url = "http://" + s->listen + "/_lwgw/status";
    req.headers.push_back({"Authorization", "Bearer " + s->status_key});
    req.connect_timeout_s = 2;
    req.timeout_s = 5;
    auto res = http::send(req, env);
    if (res.status == 200) {
      auto doc = nlohmann::json::parse(res.body, nullptr, false);
      if (!doc.is_discarded() && doc.is_object() && doc.value("pid", 0) == s->pid)
        return Live{*s, res.body};
    }
  }
  // Gone, or the pid now belongs to another program: the file is stale. An lwgw that does not
  // answer (draining, starting) keeps its file.
  if (!alive || !looks_like_lwgw(s->pid)) remove_state(paths, s->pid);
  return std::nullopt;
}

}  // namespace lwgw::daemon
