// Cursor: nothing to write (its servers send its requests): the values to paste, and a key check.
#include <ostream>

#include "lwgw/clis/profile.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/redact.hpp"

namespace lwgw::clis {

namespace {

std::optional<Error> guide(Context& ctx, std::ostream& out) {
  const std::string gateway = ctx.config().get_string("gateway.url");
  out << "cursor: nothing to write (Cursor keeps these in its settings, not in a file).\n"
      << "  In Cursor: Settings > Models > API Keys:\n"
      << "    OpenAI API Key:              your virtual key (`lwgw env --api-key --direct` "
         "prints it)\n"
      << "    Override OpenAI Base URL:    " << gateway << "/v1\n"
      << "  Cursor sends these requests from its own servers, so the local proxy on "
         "127.0.0.1 cannot work\n"
      << "  for it: Cursor always talks to the gateway directly.\n";
  std::optional<Error> error;
  if (auto vk = resolve_vk(ctx.credentials(), ctx.env)) {
    register_secret(vk->key);
    KeyCheck c = check_key(gateway, vk->key, ctx.config(), ctx.env);
    if (c.kind == KeyCheck::Kind::kOk)
      out << "  verified: the gateway answers GET /v1/models with your key\n";
    else if (c.kind == KeyCheck::Kind::kRejected)
      error = config_error("the gateway rejected the key (HTTP " + std::to_string(c.status) +
                           "): " + c.message);
    else
      ctx.log().warn("cursor: could not verify the key: " + c.message);
  } else {
    out << "  not verified: not logged in (run `lwgw login` to check the key)\n";
  }
  out << "  next: paste the two values into Cursor's settings\n";
  return error;
}

}  // namespace

const CliProfile& cursor() {
  static const CliProfile p{
      .name = "cursor",
      .title = "Cursor",
      .guide = guide,
      .hints =
          {
              .teardown = "lwgw wrote nothing for Cursor; remove the key and base URL in "
                          "Cursor's settings yourself",
              .no_exec = "Cursor has no command line to run: its requests come from Cursor's "
                         "servers. Run `lwgw setup cursor` for what to paste into its settings",
          },
  };
  return p;
}

}  // namespace lwgw::clis
