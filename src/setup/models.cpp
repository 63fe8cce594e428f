// The models setup offers: the gateway's GET /v1/models list, or a default list.
#include "lwgw/config.hpp"
#include "lwgw/credentials.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/http_client.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/setup/engine.hpp"

namespace lwgw::setup {

const std::vector<std::string>& default_models() {
  static const std::vector<std::string> models = {"gpt-5-mini", "gpt-5",
                                                  "claude-sonnet-4-5-20250929",
                                                  "claude-haiku-4-5-20251001", "gemini-2.5-flash"};
  return models;
}

std::optional<std::vector<std::string>> fetch_models(Context& ctx) {
  auto vk = ctx.credentials().get(kVirtualKey);
  if (auto env_vk = ctx.env.get("LWGW_VK"); env_vk && !env_vk->empty()) vk = env_vk;
  if (!vk) return std::nullopt;
  register_secret(*vk);
  Config& cfg = ctx.config();
  http::Request req;
  req.url = http::join_url(cfg.get_string("gateway.url"), "/v1/models");
  req.headers.push_back({"Authorization", "Bearer " + *vk});
  req.connect_timeout_s = cfg.get_int("gateway.connect_timeout_s");
  req.timeout_s = 15;
  req.ca_file = cfg.get_string("gateway.ca_file");
  http::Response res = http::send(req, ctx.env);
  if (res.status != 200) return std::nullopt;
  std::vector<std::string> ids = model_ids(res.body);
  if (ids.empty()) return std::nullopt;
  return ids;
}

}  // namespace lwgw::setup
