// Choosing which of doctor's checks to run (`doctor ID|GROUP…`, `--cli NAME`) and running them:
// in waves by dependency, the slow ones (network, subprocesses) concurrently with a time limit
// each, a check whose need failed skipped with the reason.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lwgw/doctor/check.hpp"
#include "lwgw/doctor/facts.hpp"

namespace lwgw::doctor {

/// What the command line asked for.
struct Selection {
  std::vector<std::string> names;  // check ids and group names (a CLI's name or alias); empty: all
  std::string cli;                 // --cli: the only CLI whose group runs; empty: every CLI
  bool deep = false;               // --deep: the checks that spend tokens too
};

/// The checks to show, in registry order. Throws Error(kUsage) naming an unknown id or group.
std::vector<const Check*> select_checks(const std::vector<Check>& all, const Selection& s);

/// The group names in registry order.
std::vector<std::string> group_names(const std::vector<Check>& all);

struct Ran {
  const Check* check;
  Result result;
};

/// Runs `shown` and every check they need or read (those are run but not returned). A slow
/// check gets `limit_s` (and never more than the facts' deadline allows); one still running
/// then is a failure ("did not finish"), left to end on its own. Returns `shown`'s results in
/// order.
std::vector<Ran> run_checks(const std::vector<Check>& all, const std::vector<const Check*>& shown,
                            const std::shared_ptr<const Facts>& facts, double limit_s = 3.0);

}  // namespace lwgw::doctor
