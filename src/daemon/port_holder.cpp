// Who listens on a local TCP port: /proc/net/tcp{,6} gives the socket inode, /proc/*/fd its owner.
#include <dirent.h>
#include <unistd.h>
#include <fstream>
#include <sstream>

#include "lwgw/daemon/port_holder.hpp"

namespace lwgw::daemon {

namespace {
std::optional<std::string> listening_inode(int port) {
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream f(line);
      std::string sl, local, remote, st, queues, tr, retr, uid, timeout, inode;
      f >> sl >> local >> remote >> st >> queues >> tr >> retr >> uid >> timeout >> inode;
      if (st != "0A") continue;  // LISTEN
      auto colon = local.rfind(':');
      if (colon == std::string::npos) continue;
      if (std::stoi(local.substr(colon + 1), nullptr, 16) == port && inode != "0") return inode;
    }
  }
  return std::nullopt;
}
}  // namespace

Hold holds_listener(int pid, int port) {
  if (!std::ifstream("/proc/net/tcp")) return Hold::kUnknown;
  auto inode = listening_inode(port);
  if (!inode) return Hold::kNobody;
  const std::string target = "socket:[" + *inode + "]";
  const std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* fds = ::opendir(fd_dir.c_str());
  if (!fds) return Hold::kUnknown;
  Hold found = Hold::kNo;
  while (dirent* f = ::readdir(fds)) {
    char buf[256];
    const std::string link = fd_dir + "/" + f->d_name;
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (n > 0 && std::string(buf, static_cast<size_t>(n)) == target) {
      found = Hold::kYes;
      break;
    }
  }
  ::closedir(fds);
  return found;
}

bool port_listening(int port) {
  return listening_inode(port).has_value();
}

std::optional<Holder> port_holder(int port) {
  auto inode = listening_inode(port);
  if (!inode) return std::nullopt;
  const std::string target = "socket:[" + *inode + "]";
  DIR* proc = ::opendir("/proc");
  if (!proc) return std::nullopt;
  std::optional<Holder> found;
  while (dirent* e = ::readdir(proc)) {
    std::string pid = e->d_name;
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string fd_dir = "/proc/" + pid + "/fd";
    DIR* fds = ::opendir(fd_dir.c_str());
    if (!fds) continue;
    while (dirent* f = ::readdir(fds)) {
      char buf[256];
      std::string link = fd_dir + "/" + f->d_name;
      ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
      if (n <= 0) continue;
      if (std::string(buf, static_cast<size_t>(n)) != target) continue;
      Holder h;
      h.pid = std::stoi(pid);
      std::ifstream comm("/proc/" + pid + "/comm");
      std::getline(comm, h.program);
      found = h;
      break;
    }
    ::closedir(fds);
    if (found) break;
  }
  ::closedir(proc);
  return found;
}

}  // namespace lwgw::daemon
