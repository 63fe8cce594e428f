// The clock helpers lwgw shares: wall-clock timestamps for logs and state files, elapsed time
// from the monotonic clock for durations.
#pragma once

#include <chrono>
#include <string>

namespace lwgw::util {

using MonoClock = std::chrono::steady_clock;

/// Now as ISO-8601 UTC (`2026-11-27T06:30:00Z`).
std::string utc_now_iso();
/// Milliseconds elapsed since `t` on the monotonic clock.
double ms_since(MonoClock::time_point t);
/// Seconds elapsed since `t` on the monotonic clock.
double seconds_since(MonoClock::time_point t);

}  // namespace lwgw::util
