// `lwgw doctor --fix`: the reversible fixes doctor may apply itself, planned from the results'
// fix commands: lwgw's own commands (setup, whose backups and teardown undo what it writes; up,
// down, service install) and tightening a file's mode. Everything else stays by hand.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lwgw/doctor/runner.hpp"

namespace lwgw::doctor {

struct FixStep {
  enum class Kind { kChmod, kLwgw };
  Kind kind = Kind::kLwgw;
  std::vector<std::string> args;    // kLwgw: lwgw's arguments ("setup", "codex")
  std::filesystem::path path;       // kChmod
  unsigned mode = 0;                // kChmod
  std::string command;              // as shown: "lwgw setup codex", "chmod 600 ~/…"
  std::vector<std::string> checks;  // the ids it fixes
};

struct FixPlan {
  std::vector<FixStep> steps;  // in the order they run: modes, setup, service, proxy
  std::vector<std::pair<std::string, std::string>> by_hand;  // id, what to do
};

/// The plan for the failures and warnings among `results` whose id is in `only` (all when
/// empty). `home` expands `~/` in shown paths.
FixPlan plan_fixes(const std::vector<Ran>& results, const std::vector<std::string>& only,
                   const std::filesystem::path& home);

}  // namespace lwgw::doctor
