// The proxy's log file: size-based rotation, tail and follow.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>

namespace lwgw::daemon {

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

}  // namespace lwgw::daemon
