// A test hook that makes the real binary die at a named step, the way a kill -9 or a power cut
// would, so tests can prove that every step boundary of setup/teardown is recoverable.
#pragma once

#include <string>

#include "lwgw/environment.hpp"

namespace lwgw::crash_point {

/// Arms the hook from LWGW_TEST_CRASH_AT=<step>[@<n>] (the n-th time `step` is reached, 1 by
/// default). Called once by main(); without the variable every crash point is a no-op.
void arm(const Env& env);

/// The parsed form of LWGW_TEST_CRASH_AT (pure): step and occurrence; n = 0 when unusable.
struct Spec {
  std::string step;
  int n = 0;
};
Spec parse(const std::string& value);

/// Ends the process at once (_exit(kExitCode): no destructors, no flushing) when armed for
/// this step and this is the occurrence asked for; otherwise does nothing.
void reach(const char* step);

/// The exit code of a process that died at a crash point.
inline constexpr int kExitCode = 86;

}  // namespace lwgw::crash_point
