// Doctor's per-CLI checks: the ones every CLI gets, then the CLI's own (CliProfile::doctor).
#pragma once

#include <string_view>
#include <vector>

#include "lwgw/clis/profile.hpp"
#include "lwgw/doctor/cli.hpp"

namespace lwgw::doctor {

/// The doctor entry of the CLI called `cli`, or nullptr when there is no such CLI.
const CliDoctor* cli_doctor(std::string_view cli);

/// The checks every CLI gets (installed, configured by lwgw, its proxy up, this shell's
/// environment), then its traps.
std::vector<Check> cli_checks(const clis::CliProfile& p);

}  // namespace lwgw::doctor
