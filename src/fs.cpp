// File helpers: atomic writes through symlinks, careful reads, private directories.
#include "lwgw/fs.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lwgw/error.hpp"

namespace lwgw::fs {

namespace stdfs = std::filesystem;

namespace {
std::string errno_text(int e) {
  return std::strerror(e);
}

// Closes a descriptor on scope exit unless released.
struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};
}  // namespace

std::optional<std::string> read_file(const stdfs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw config_error("cannot read " + path.string() + ": " + errno_text(errno));
  }
  FdGuard guard{fd};
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw config_error("cannot read " + path.string() + ": " + errno_text(errno));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

stdfs::path write_target(const stdfs::path& path) {
  stdfs::path p = path;
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code ec;
    auto st = stdfs::symlink_status(p, ec);
    if (ec || st.type() != stdfs::file_type::symlink) return p;
    stdfs::path link = stdfs::read_symlink(p, ec);
    if (ec) return p;
    p = link.is_absolute() ? link : p.parent_path() / link;
  }
  throw failure("too many levels of symbolic links at " + path.string());
}

void ensure_dir(const stdfs::path& dir, mode_t mode) {
  if (dir.empty()) return;
  std::error_code ec;
  if (stdfs::is_directory(dir, ec)) return;
  ensure_dir(dir.parent_path(), mode);
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST)
    throw failure("cannot create directory " + dir.string() + ": " + errno_text(errno));
}

void atomic_write(const stdfs::path& path, const std::string& content, mode_t new_mode,
                  bool force_mode) {
  const stdfs::path target = write_target(path);
  const stdfs::path dir = target.parent_path().empty() ? stdfs::path(".") : target.parent_path();
  ensure_dir(dir, 0700);

  mode_t mode = new_mode;
  struct stat st {};
  if (!force_mode && ::stat(target.c_str(), &st) == 0) mode = st.st_mode & 07777;

  std::string tmpl = (dir / ("." + target.filename().string() + ".lwgw-XXXXXX")).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());  // created 0600: a secret is never readable by others
  if (fd < 0) throw failure("cannot write " + target.string() + ": " + errno_text(errno));
  const std::string tmp(name.data());
  auto fail = [&](const std::string& what) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw failure("cannot write " + target.string() + ": " + what + ": " + errno_text(e));
  };
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    off += static_cast<size_t>(n);
  }
  if (::fchmod(fd, mode) != 0) fail("chmod");
  if (::fsync(fd) != 0) fail("fsync");
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw failure("cannot write " + target.string() + ": close: " + errno_text(errno));
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw failure("cannot write " + target.string() + ": rename: " + errno_text(e));
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

bool remove_file(const stdfs::path& path) {
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  throw failure("cannot remove " + path.string() + ": " + errno_text(errno));
}

std::optional<mode_t> file_mode(const stdfs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return st.st_mode & 07777;
}

FileLock::FileLock(const stdfs::path& path, std::chrono::milliseconds wait,
                   const std::string& busy) {
  ensure_dir(path.parent_path(), 0700);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) throw failure("cannot open " + path.string() + ": " + errno_text(errno));
  const auto give_up = std::chrono::steady_clock::now() + wait;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const int e = errno;
      ::close(fd_);
      throw failure("cannot lock " + path.string() + ": " + errno_text(e));
    }
    if (std::chrono::steady_clock::now() >= give_up) {
      ::close(fd_);
      throw failure(busy);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace lwgw::fs
