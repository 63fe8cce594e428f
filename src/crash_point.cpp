// LWGW_TEST_CRASH_AT: dying at a named step, for the crash-safety tests of setup/teardown.
#include "lwgw/crash_point.hpp"

#include <unistd.h>

namespace lwgw::crash_point {

namespace {
Spec armed;
int seen = 0;
}  // namespace

Spec parse(const std::string& value) {
  Spec s;
  const auto at = value.find('@');
  s.step = value.substr(0, at);
  s.n = 1;
  if (at != std::string::npos) {
    const std::string digits = value.substr(at + 1);
    if (digits.empty() || digits.size() > 6 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      return {};
    s.n = std::stoi(digits);
  }
  if (s.step.empty()) s.n = 0;
  return s;
}

void arm(const Env& env) {
  armed = {};
  seen = 0;
  if (auto v = env.get("LWGW_TEST_CRASH_AT")) armed = parse(*v);
}

void reach(const char* step) {
  if (armed.n <= 0 || armed.step != step) return;
  if (++seen == armed.n) ::_exit(kExitCode);
}

}  // namespace lwgw::crash_point
