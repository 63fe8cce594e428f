// The proxy's log file: size-based rotation, tail and follow.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <deque>
#include <fstream>
#include <thread>

#include "lwgw/daemon/log_file.hpp"
#include "lwgw/fs.hpp"

namespace lwgw::daemon {

namespace stdfs = std::filesystem;

RotatingLog::RotatingLog(stdfs::path path, std::uintmax_t max_bytes, int keep, int mirror_fd)
    : path_(std::move(path)), max_bytes_(max_bytes), keep_(keep), mirror_fd_(mirror_fd) {
  fs::ensure_private_dir(path_.parent_path());
  open_file();
}

RotatingLog::~RotatingLog() {
  if (fd_ >= 0) ::close(fd_);
}

void RotatingLog::open_file() {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  struct stat st {};
  size_ = (fd_ >= 0 && ::fstat(fd_, &st) == 0) ? static_cast<std::uintmax_t>(st.st_size) : 0;
  if (fd_ >= 0 && mirror_fd_ >= 0) ::dup2(fd_, mirror_fd_);
}

void RotatingLog::rotate() {
  if (fd_ >= 0) ::close(fd_);
  std::error_code ec;
  stdfs::remove(path_.string() + "." + std::to_string(keep_), ec);
  for (int i = keep_ - 1; i >= 1; --i)
    stdfs::rename(path_.string() + "." + std::to_string(i),
                  path_.string() + "." + std::to_string(i + 1), ec);
  stdfs::rename(path_, path_.string() + ".1", ec);
  open_file();
}

void RotatingLog::write_line(const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (fd_ < 0) return;
  std::string data = line + "\n";
  if (size_ > 0 && size_ + data.size() > max_bytes_) rotate();
  if (fd_ < 0) return;
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd_, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
  size_ += data.size();
}

std::string tail_lines(const stdfs::path& path, int n) {
  std::ifstream in(path, std::ios::binary);
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (static_cast<int>(lines.size()) > n) lines.pop_front();
  }
  std::string out;
  for (auto& l : lines) out += l + "\n";
  return out;
}

void follow(const stdfs::path& path, const std::function<void(const std::string&)>& out,
            const std::function<bool()>& keep_going, int interval_ms) {
  std::ifstream in;
  ino_t inode = 0;
  std::streamoff pos = 0;
  auto reopen = [&](bool from_end) {
    in.close();
    in.clear();
    in.open(path, std::ios::binary);
    struct stat st {};
    inode = ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
    if (from_end) in.seekg(0, std::ios::end);
    pos = in ? static_cast<std::streamoff>(in.tellg()) : 0;
  };
  reopen(true);
  char buf[8192];
  while (keep_going()) {
    std::string chunk;
    while (in) {
      in.read(buf, sizeof buf);
      if (in.gcount() <= 0) break;
      chunk.append(buf, static_cast<size_t>(in.gcount()));
    }
    in.clear();
    if (!chunk.empty()) {
      pos += static_cast<std::streamoff>(chunk.size());
      out(chunk);
    }
    struct stat st {};
    bool exists = ::stat(path.c_str(), &st) == 0;
    if (exists && (st.st_ino != inode || st.st_size < pos)) {
      reopen(false);  // rotated or truncated: read the new file from its start
      continue;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
}

}  // namespace lwgw::daemon
