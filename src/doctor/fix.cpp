// Planning doctor's automatic fixes from the fix commands its checks print: only commands known
// to be reversible or harmless are taken; the rest are listed for the user.
#include "lwgw/doctor/fix.hpp"

#include <algorithm>
#include <sstream>

#include "lwgw/clis/profile.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::doctor {

namespace {

std::vector<std::string> split(const std::string& text, const std::string& sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = text.find(sep, start);
    out.push_back(util::trim(text.substr(start, pos == std::string::npos ? pos : pos - start)));
    if (pos == std::string::npos) return out;
    start = pos + sep.size();
  }
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// One part of a fix command as a step, when doctor may run it.
std::optional<FixStep> step_of(const std::string& part, const std::filesystem::path& home) {
  const auto w = words(part);
  FixStep s;
  s.command = part;
  if (w.size() == 3 && w[0] == "chmod" && (w[1] == "600" || w[1] == "700")) {
    s.kind = FixStep::Kind::kChmod;
    s.mode = w[1] == "600" ? 0600 : 0700;
    s.path = w[2].rfind("~/", 0) == 0 ? home / w[2].substr(2) : std::filesystem::path(w[2]);
    return s;
  }
  if (w.empty() || w[0] != "lwgw") return std::nullopt;
  s.args.assign(w.begin() + 1, w.end());
  // `setup <cli>`, and `setup <cli> --yes`: its fixes are recorded, so teardown undoes them.
  const bool setup_one = (s.args.size() == 2 || (s.args.size() == 3 && s.args[2] == "--yes")) &&
                         s.args[0] == "setup" && clis::find(s.args[1]);
  const bool ok = s.args == std::vector<std::string>{"up"} ||
                  s.args == std::vector<std::string>{"down"} ||
                  s.args == std::vector<std::string>{"setup"} ||
                  s.args == std::vector<std::string>{"service", "install"} || setup_one;
  if (!ok) return std::nullopt;
  return s;
}

/// The order steps run in: modes first (the key must be readable), then setup, then the service
/// and the proxy, `down` before `up`.
int rank(const FixStep& s) {
  if (s.kind == FixStep::Kind::kChmod) return 0;
  if (s.args[0] == "setup") return 1;
  if (s.args[0] == "service") return 2;
  return s.args[0] == "down" ? 3 : 4;
}

void add(FixPlan& plan, FixStep step, const std::string& id) {
  for (auto& s : plan.steps)
    if (s.command == step.command) {
      if (std::find(s.checks.begin(), s.checks.end(), id) == s.checks.end()) s.checks.push_back(id);
      return;
    }
  step.checks = {id};
  plan.steps.push_back(std::move(step));
}

}  // namespace

FixPlan plan_fixes(const std::vector<Ran>& results, const std::vector<std::string>& only,
                   const std::filesystem::path& home) {
  FixPlan plan;
  for (const auto& r : results) {
    const Result& res = r.result;
    if (res.status != Status::kFail && res.status != Status::kWarn) continue;
    if (!only.empty() && std::find(only.begin(), only.end(), r.check->id) == only.end()) continue;
    std::vector<FixStep> steps;
    bool all = res.fix && !res.fix->command.empty() && !res.fix->by_hand;
    if (all)
      for (const auto& part : split(res.fix->command, " && ")) {
        auto s = step_of(part, home);
        all = all && s.has_value();
        if (s) steps.push_back(*s);
      }
    if (!all) {
      plan.by_hand.emplace_back(
          r.check->id,
          res.fix
              ? (res.fix->command.empty() ? res.fix->text : res.fix->text + ": " + res.fix->command)
              : res.summary);
      continue;
    }
    for (auto& s : steps) add(plan, std::move(s), r.check->id);
  }
  std::stable_sort(plan.steps.begin(), plan.steps.end(),
                   [](const FixStep& a, const FixStep& b) { return rank(a) < rank(b); });
  return plan;
}

}  // namespace lwgw::doctor
