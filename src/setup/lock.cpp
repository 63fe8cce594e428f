// flock(2) on setup.lock in the state dir.
#include "lock.hpp"

namespace lwgw::setup {

SetupLock::SetupLock(const Paths& p)
    : lock_(p.state_dir / "setup.lock", std::chrono::milliseconds(0),
            "another `lwgw setup` or `lwgw teardown` is running (" +
                (p.state_dir / "setup.lock").string() +
                " is locked); try again when it has finished") {}

}  // namespace lwgw::setup
