// flock(2) on setup.lock in the state dir.
#include "lock.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"

namespace lwgw::setup {

SetupLock::SetupLock(const Paths& p) {
  fs::ensure_dir(p.state_dir, 0700);
  auto file = p.state_dir / "setup.lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw failure("cannot open " + file.string() + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    throw failure("another `lwgw setup` or `lwgw teardown` is running (" + file.string() +
                  " is locked); try again when it has finished");
  }
}

SetupLock::~SetupLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace lwgw::setup
