// A new local token: `lwgw setup --rotate-token`, and `lwgw up` when a foreign program holds the
// proxy's port (it may have collected the old token from a CLI).
#include <csignal>
#include <ostream>

#include "lwgw/credentials.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/setup/engine.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::setup {

int rotate_token(Context& ctx, const SetupRequest& r) {
  const std::vector<std::string> clis = clis_in_mode(ctx.paths(), Mode::kProxy);
  std::ostream& out = *ctx.io.out;
  if (r.dry_run) {
    out << "local token: would be replaced" << (clis.empty() ? "" : ", and written into ")
        << util::join(clis) << "\n";
    return clis.empty() ? 0 : reapply_setup(ctx, r, Mode::kProxy);
  }
  const std::string token = generate_local_token();
  register_secret(token);
  ctx.credentials().set(kLocalToken, token);
  out << "local token: replaced; the old one no longer opens the proxy\n";
  const int code = clis.empty() ? 0 : reapply_setup(ctx, r, Mode::kProxy);
  if (auto live = daemon::find_running(ctx.paths(), ctx.env)) {
    // It watches the credential file too; the signal makes the switch immediate.
    ::kill(live->state.pid, SIGHUP);
    out << "proxy: told the running proxy (pid " << live->state.pid
        << ") to accept only the new token\n";
  }
  return code;
}

}  // namespace lwgw::setup
