// Every check `lwgw doctor` knows, in the order it lists and runs them: lwgw, key, proxy,
// network, gateway, then one group per coding CLI (the profiles' order).
#pragma once

#include <vector>

#include "lwgw/doctor/check.hpp"

namespace lwgw::doctor {

const std::vector<Check>& all_checks();

}  // namespace lwgw::doctor
