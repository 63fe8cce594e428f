// The lock that keeps two setup/teardown runs from interleaving their writes.
#pragma once

#include "lwgw/environment.hpp"

namespace lwgw::setup {

/// An exclusive lock on $XDG_STATE_HOME/lwgw/setup.lock for the lifetime of the object. Throws
/// Error(kFailed) when another run holds it.
class SetupLock {
 public:
  explicit SetupLock(const Paths& p);
  ~SetupLock();
  SetupLock(const SetupLock&) = delete;
  SetupLock& operator=(const SetupLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace lwgw::setup
