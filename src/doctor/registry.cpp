// The table of doctor's checks: the groups in order, then each CLI's checks.
#include "lwgw/doctor/registry.hpp"

#include "clis.hpp"
#include "groups.hpp"

namespace lwgw::doctor {

const std::vector<Check>& all_checks() {
  static const std::vector<Check> table = [] {
    std::vector<Check> out;
    for (auto group :
         {lwgw_checks, key_checks, proxy_checks, network_checks, gateway_checks, stream_checks})
      for (auto& c : group()) out.push_back(std::move(c));
    for (const clis::CliProfile* p : clis::all())
      for (auto& c : cli_checks(*p)) out.push_back(std::move(c));
    return out;
  }();
  return table;
}

}  // namespace lwgw::doctor
