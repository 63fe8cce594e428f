// Timestamps (UTC, second precision) and elapsed time on the monotonic clock.
#include "lwgw/util/clock.hpp"

#include <ctime>

namespace lwgw::util {

std::string utc_now_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double ms_since(MonoClock::time_point t) {
  return std::chrono::duration<double, std::milli>(MonoClock::now() - t).count();
}

double seconds_since(MonoClock::time_point t) {
  return std::chrono::duration<double>(MonoClock::now() - t).count();
}

}  // namespace lwgw::util
