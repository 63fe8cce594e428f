// The lock that keeps two setup/teardown runs from interleaving their writes.
#pragma once

#include "lwgw/environment.hpp"
#include "lwgw/fs.hpp"

namespace lwgw::setup {

/// An exclusive lock on $XDG_STATE_HOME/lwgw/setup.lock for the lifetime of the object. Throws
/// Error(kFailed) when another run holds it.
class SetupLock {
 public:
  explicit SetupLock(const Paths& p);

 private:
  fs::FileLock lock_;
};

}  // namespace lwgw::setup
