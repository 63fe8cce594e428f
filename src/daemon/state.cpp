// The daemon's state file and liveness checks.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <nlohmann/json.hpp>
#include <vector>

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
  nlohmann::json doc = {{"pid", s.pid},
                        {"listen", s.listen},
                        {"gateway", s.gateway},
                        {"exe", s.exe},
                        {"started_at", s.started_at}};
  doc["status_key"] = s.status_key;
  fs::ensure_dir(paths.runtime_dir, 0700);
  fs::atomic_write(state_file(paths), doc.dump(2) + "\n", 0600, true);
}

std::optional<State> read_state(const Paths& paths) {
  std::optional<std::string> text;
  try {
    text = fs::read_file(state_file(paths));
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

std::optional<Live> find_running(const Paths& paths, const Env& env) {
  auto s = read_state(paths);
  if (!s || s->pid <= 0) return std::nullopt;
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
