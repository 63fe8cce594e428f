// File helpers: atomic writes through symlinks, careful reads, private directories.
#include "lwgw/fs.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lwgw/crash_point.hpp"
#include "lwgw/error.hpp"

namespace lwgw::fs {

namespace stdfs = std::filesystem;

namespace {
std::string errno_text(int e) {
  return std::strerror(e);
}

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Closes a descriptor on scope exit unless released.
struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};
}  // namespace

namespace {
std::string read_all(int fd, const stdfs::path& path) {
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
}  // namespace

std::optional<std::string> read_file(const stdfs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw config_error("cannot read " + path.string() + ": " + errno_text(errno));
  }
  return read_all(fd, path);
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

Facts facts_of(const stdfs::path& path) {
  struct stat st {};
  Facts f;
  if (::lstat(path.c_str(), &st) != 0) return f;
  f.exists = true;
  f.kind = S_ISLNK(st.st_mode)   ? Facts::Kind::kLink
           : S_ISDIR(st.st_mode) ? Facts::Kind::kDir
           : S_ISREG(st.st_mode) ? Facts::Kind::kRegular
                                 : Facts::Kind::kOther;
  f.uid = st.st_uid;
  f.gid = st.st_gid;
  f.mode = st.st_mode & 07777;
  return f;
}

std::optional<std::string> write_refusal(const stdfs::path& target, const Facts& f, uid_t me) {
  if (!f.exists) return std::nullopt;
  const std::string t = target.string();
  if (f.kind != Facts::Kind::kRegular) return t + " is not a regular file; lwgw leaves it as it is";
  if (f.uid != me)
    return t + " belongs to uid " + std::to_string(f.uid) + ", not to you (uid " +
           std::to_string(me) +
           "); lwgw does not replace another user's file: run lwgw as that user";
  if ((f.mode & S_IWUSR) == 0)
    return t + " is read-only (mode " + mode_text(f.mode) +
           "); lwgw leaves it as it is: make it writable (chmod u+w " + t + ") and run again";
  return std::nullopt;
}

std::optional<std::string> outside_refusal(const stdfs::path& target,
                                           const std::vector<stdfs::path>& roots) {
  std::error_code ec;
  const stdfs::path real = stdfs::weakly_canonical(target, ec);
  const stdfs::path t = ec ? target.lexically_normal() : real;
  for (const auto& root : roots) {
    const stdfs::path r = stdfs::weakly_canonical(root, ec);
    const stdfs::path rel = (ec ? root.lexically_normal() : r);
    auto mismatch = std::mismatch(rel.begin(), rel.end(), t.begin(), t.end());
    if (mismatch.first == rel.end() && !root.empty()) return std::nullopt;
  }
  return t.string() +
         " lies outside your home directory (a symbolic link leads there); lwgw "
         "writes only under HOME and the CLIs' own directories, so it leaves it as "
         "it is";
}

void check_write(const stdfs::path& target) {
  if (auto why = write_refusal(target, facts_of(write_target(target)), ::geteuid()))
    throw config_error(*why);
}

namespace {
// The temp file, fsync, ownership, mode and rename of atomic_write, into `target` itself.
void replace_file(const stdfs::path& target, const std::string& content, mode_t new_mode,
                  bool force_mode) {
  const stdfs::path dir = target.parent_path().empty() ? stdfs::path(".") : target.parent_path();
  const Facts old = facts_of(target);
  if (auto why = write_refusal(target, old, ::geteuid())) throw config_error(*why);
  ensure_dir(dir, 0700);
  const mode_t mode = (!force_mode && old.exists) ? old.mode : new_mode;

  std::string tmpl =
      (dir / ("." + target.filename().string() + ".lwgw-" + std::string(kTempSuffixLen, 'X')))
          .string();
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
  for (size_t off = 0; off < content.size();) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("write");
    off += static_cast<size_t>(n);
  }
  // The group of a replaced file stays (its owner is this user: write_refusal saw to that).
  if (old.exists && old.gid != ::getegid() && ::fchown(fd, old.uid, old.gid) != 0)
    fail("keeping its group " + std::to_string(old.gid));
  if (::fchmod(fd, mode) != 0) fail("chmod");
  if (::fsync(fd) != 0) fail("fsync");
  crash_point::reach("fs.temp_written");
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
}  // namespace

void atomic_write(const stdfs::path& path, const std::string& content, mode_t new_mode,
                  bool force_mode) {
  replace_file(write_target(path), content, new_mode, force_mode);
}

void write_private(const stdfs::path& path, const std::string& content) {
  if (facts_of(path).kind == Facts::Kind::kLink)
    throw config_error(path.string() +
                       " is a symbolic link; lwgw never follows a link for its own files: "
                       "remove it (rm " +
                       path.string() + ") and run again");
  replace_file(path, content, 0600, true);
}

std::optional<std::string> dir_refusal(const stdfs::path& dir, const Facts& f, uid_t me) {
  const std::string d = dir.string();
  if (f.kind == Facts::Kind::kLink)
    return d +
           " is a symbolic link; lwgw trusts only a directory of its own there: remove the "
           "link (rm " +
           d + ") and run again";
  if (f.kind != Facts::Kind::kDir) return d + " is not a directory; move it away and run again";
  if (f.uid != me)
    return d + " belongs to uid " + std::to_string(f.uid) + ", not to you (uid " +
           std::to_string(me) +
           "): its owner could replace lwgw's files in it. Remove it (as its owner or root: "
           "rm -r " +
           d + ") and run again";
  if ((f.mode & 022) != 0)
    return d + " is writable by others (mode " + mode_text(f.mode) +
           "): they could replace lwgw's files in it. Run `chmod 700 " + d + "` and run again";
  return std::nullopt;
}

std::optional<std::string> home_refusal(const stdfs::path& home, const Facts& f, uid_t me) {
  if (me != 0 || !f.exists || f.uid == 0) return std::nullopt;
  return "running as root on " + home.string() + ", which belongs to uid " + std::to_string(f.uid) +
         ": the files lwgw writes would end up owned by root, or change what root trusts. Run "
         "lwgw as that user (without sudo)";
}

void check_home(const stdfs::path& home) {
  if (auto why = home_refusal(home, facts_of(home), ::geteuid())) throw config_error(*why);
}

void ensure_private_dir(const stdfs::path& dir) {
  ensure_dir(dir, 0700);
  if (auto why = dir_refusal(dir, facts_of(dir), ::geteuid())) throw config_error(*why);
}

std::optional<std::string> read_private(const stdfs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) return std::nullopt;
  if (fd < 0 && errno == ELOOP)
    throw config_error(path.string() +
                       " is a symbolic link; lwgw never follows a link for its own files: "
                       "remove it (rm " +
                       path.string() + ")");
  if (fd < 0) throw config_error("cannot read " + path.string() + ": " + errno_text(errno));
  return read_all(fd, path);
}

bool is_temp_name(const std::string& name, const std::string& of) {
  const std::string infix = ".lwgw-";
  if (name.size() < 1 + infix.size() + kTempSuffixLen || name[0] != '.') return false;
  const std::string stem = name.substr(1, name.size() - 1 - infix.size() - kTempSuffixLen);
  if (name.compare(1 + stem.size(), infix.size(), infix) != 0) return false;
  return of.empty() ? !stem.empty() : stem == of;
}

int remove_stale_temps(const stdfs::path& dir, const std::string& of) {
  std::error_code ec;
  int removed = 0;
  for (stdfs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    struct stat st {};
    if (!is_temp_name(name, of) || ::lstat(it->path().c_str(), &st) != 0) continue;
    if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) continue;
    if (::unlink(it->path().c_str()) == 0) ++removed;
  }
  return removed;
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
  ensure_private_dir(path.parent_path());
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
