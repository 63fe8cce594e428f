// A bare `lwgw setup`: the CLIs already set up, again, each in its recorded mode (after
// proxy.listen moved, after a new login, to check the models again).
#include "lwgw/error.hpp"
#include "lwgw/setup/engine.hpp"
#include "manifest.hpp"

namespace lwgw::setup {

std::vector<std::string> clis_in_mode(const Paths& paths, Mode mode) {
  std::vector<std::string> out;
  try {
    for (const auto& [cli, info] : Manifest::load(paths).clis)
      if (info.value("mode", "") == mode_name(mode)) out.push_back(cli);
  } catch (const Error&) {
    // An unreadable manifest lists nothing; setup and teardown report it.
  }
  return out;
}

int reapply_setup(Context& ctx, const SetupRequest& r, std::optional<Mode> only) {
  int code = 0;
  bool any = false;
  for (Mode mode : {Mode::kProxy, Mode::kDirect}) {
    if (only && *only != mode) continue;
    SetupRequest again = r;
    again.clis = clis_in_mode(ctx.paths(), mode);
    if (again.clis.empty()) continue;
    again.mode = mode;
    any = true;
    code = std::max(code, run_setup(ctx, again));
  }
  if (!any && !only)
    throw usage_error(
        "nothing is set up yet: name the CLIs to set up (`lwgw setup claude-code codex`), or use "
        "--all");
  return code;
}

}  // namespace lwgw::setup
