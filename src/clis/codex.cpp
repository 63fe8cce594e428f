// Codex CLI: a `lwgw` model provider spliced into $CODEX_HOME/config.toml (comments kept), and
// the root `model` (Codex has no per-provider model; teardown gives the user's back).
#include <algorithm>

#include <toml++/toml.h>

#include "lwgw/clis/profile.hpp"
#include "lwgw/doctor/cli.hpp"
#include "lwgw/doctor/net.hpp"
#include "lwgw/doctor/support.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/gateway.hpp"
#include "lwgw/http_client.hpp"
#include "lwgw/toml_edit.hpp"

namespace lwgw {

namespace setup {

std::vector<Edit> codex_edits(const Target& t, const std::string& model,
                              const std::vector<std::string>& fix_chat) {
  std::vector<Edit> e;
  auto add = [&](std::vector<std::string> path, const std::string& literal) {
    e.push_back({.cli = "codex", .path = std::move(path), .value = literal});
  };
  add({"model_provider"}, toml_edit::quote("lwgw"));
  if (!model.empty()) add({"model"}, toml_edit::quote(model));
  add({"model_providers", "lwgw", "name"}, toml_edit::quote("LangWatch AI Gateway (lwgw)"));
  add({"model_providers", "lwgw", "base_url"}, toml_edit::quote(t.root + "/v1"));
  add({"model_providers", "lwgw", "env_key"}, toml_edit::quote(kKeyEnv));
  add({"model_providers", "lwgw", "wire_api"}, toml_edit::quote("responses"));
  for (const auto& id : fix_chat)
    if (id != "lwgw") add({"model_providers", id, "wire_api"}, toml_edit::quote("responses"));
  return e;
}

}  // namespace setup

// Codex CLI's doctor checks: config.toml parses, model_provider is lwgw, no provider anywhere says
// wire_api = "chat", and GET {base_url}/models answers the way Codex needs.
namespace doctor {

namespace {

std::filesystem::path config(const Facts& f) {
  return f.paths.codex_home / "config.toml";
}

std::optional<Located> base_url(const Facts& f) {
  return toml_at(config(f), {"model_providers", "lwgw", "base_url"});
}

std::vector<Located> models(const Facts& f) {
  std::vector<Located> out;
  if (auto m = toml_at(config(f), {"model"})) out.push_back(*m);
  return out;
}

Result config_check(const Facts& f, const Done&) {
  const auto file = config(f);
  auto text = read_text(file);
  if (!text) {
    if (f.mode_of("codex").empty()) return skip("no " + f.show(file));
    return fail(f.show(file) + " is missing", {"set it up again", "lwgw setup codex"});
  }
  try {
    toml::table root = toml::parse(*text, std::string_view{});
    if (root.get("profile"))
      return fail("`profile` inside config.toml: current Codex refuses to start",
                  {"move that profile to its own file ($CODEX_HOME/<name>.config.toml) and "
                   "remove the key",
                   ""})
          .at(f.show(file), static_cast<int>(root.get("profile")->source().begin.line));
  } catch (const toml::parse_error& e) {
    const int line = static_cast<int>(e.source().begin.line);
    return fail(f.show(file) + " is not valid TOML (" + std::string(e.description()) +
                    "): every codex command fails",
                {"correct line " + std::to_string(line) + " of " + f.show(file), ""})
        .at(f.show(file), line);
  }
  return ok(f.show(file) + " parses");
}

Result wire_api(const Facts& f, const Done&) {
  const auto file = config(f);
  auto text = read_text(file);
  if (!text) return skip("no " + f.show(file));
  std::vector<std::string> chat;
  int first_line = 0;
  try {
    toml::table root = toml::parse(*text, std::string_view{});
    const toml::table* providers = root["model_providers"].as_table();
    if (providers)
      for (const auto& [id, node] : *providers) {
        const toml::table* t = node.as_table();
        const toml::node* w = t ? t->get("wire_api") : nullptr;
        if (w && w->value<std::string>() == "chat") {
          chat.emplace_back(id.str());
          if (!first_line) first_line = static_cast<int>(w->source().begin.line);
        }
      }
  } catch (const toml::parse_error&) {
    return skip("codex.config failed");
  }
  if (chat.empty()) return ok("no provider uses wire_api = \"chat\"");
  return fail("[model_providers." + chat.front() + "] has wire_api = \"chat\"" +
                  (chat.size() > 1 ? " (and " + std::to_string(chat.size() - 1) + " more)" : "") +
                  ": current Codex refuses to load the file, so every codex command fails",
              chat == std::vector<std::string>{"lwgw"}
                  ? Fix{"set it up again (lwgw's own provider)", "lwgw setup codex"}
                  : Fix{"make it \"responses\" (lwgw changes only that key; doctor never edits "
                        "another provider itself)",
                        "lwgw setup codex --yes", true})
      .at(f.show(file), first_line)
      .with("providers", chat);
}

Result provider(const Facts& f, const Done&) {
  if (auto s = unless_set_up(f, "codex")) return *s;
  auto p = toml_at(config(f), {"model_provider"});
  if (p && p->value == "lwgw") return ok("model_provider = \"lwgw\"");
  Result r = fail(p ? "model_provider is \"" + p->value +
                          "\": codex talks to that provider, not "
                          "the gateway"
                    : "no model_provider: codex talks to OpenAI, not the gateway",
                  {"set it up again", "lwgw setup codex"});
  if (p) r.at(f.show(p->file), p->line);
  return r;
}

Result models_endpoint(const Facts& f, const Done& done) {
  if (auto s = unless_set_up(f, "codex")) return *s;
  const std::string mode = f.mode_of("codex");
  if (mode == "proxy") {
    const Result* l = done.find("proxy.listener");
    if (!l || l->details.value("kind", "") != "lwgw") return skip("the proxy does not answer");
  }
  auto url = base_url(f);
  auto key = expected_key(f, mode);
  if (!url || !key) return skip("no base URL or key to ask with");
  http::Request req;
  req.url = http::join_url(url->value, "/models");
  req.headers.push_back({"Authorization", "Bearer " + *key});
  req.connect_timeout_s = req.timeout_s = std::max(1L, static_cast<long>(f.seconds_left()));
  req.ca_file = f.ca_file;
  auto res = http::send(req, f.env);
  const std::string asked = "GET " + net::safe_url(url->value) + "/models";
  if (res.status == 200) return ok(asked + ": 200");
  const Fix again{"set it up again", "lwgw setup codex"};
  if (res.status == 404)
    return fail(asked + ": 404, the base URL lacks /v1", again).at(f.show(url->file), url->line);
  if (res.status == 0) return fail(asked + ": no answer (" + res.error + ")", again);
  return fail(asked + ": HTTP " + std::to_string(res.status) + " " +
                  envelope_message(res.body).value_or(""),
              again);
}

std::vector<Check> traps() {
  return {{.id = "codex.config",
           .group = "codex",
           .title = "config.toml parses, with no `profile` key in it",
           .run = config_check},
          {.id = "codex.wire_api",
           .group = "codex",
           .title = "no provider anywhere in config.toml says wire_api = \"chat\"",
           .needs = {"codex.config"},
           .run = wire_api},
          {.id = "codex.provider",
           .group = "codex",
           .title = "model_provider is lwgw",
           .needs = {"codex.config"},
           .run = provider},
          {.id = "codex.models_endpoint",
           .group = "codex",
           .title = "GET {base_url}/models answers 200 (404: the base URL lacks /v1)",
           .needs = {"codex.config", "codex.configured", "gateway.auth"},
           .after = {"proxy.listener"},
           .slow = true,
           .run = models_endpoint}};
}

}  // namespace

}  // namespace doctor

namespace clis {

namespace {

constexpr const char* kBinary = "codex";

std::filesystem::path config_file(const SetupInputs& in) {
  return in.ctx.paths().codex_home / "config.toml";
}

// The root `model`, unquoted (a TOML string literal, basic or literal; no escapes in a name).
std::map<std::string, setup::Configured> configured(const SetupInputs& in) {
  std::optional<std::string> raw;
  try {
    raw = toml_edit::raw_value(fs::read_file(config_file(in)).value_or(""), {}, "model");
  } catch (const std::exception&) {
    return {};  // planning reports a malformed file
  }
  if (!raw || raw->size() < 2 || (raw->front() != '"' && raw->front() != '\'') ||
      raw->back() != raw->front())
    return {};
  return {{"model", {.id = raw->substr(1, raw->size() - 2)}}};
}

// Providers with wire_api = "chat" make current Codex fail at start-up: fixed with --yes, else
// reported.
std::vector<setup::FileOp> files(const SetupInputs& in) {
  auto file = config_file(in);
  auto chat = setup::codex_chat_providers(fs::read_file(file).value_or(""));
  chat.erase(std::remove(chat.begin(), chat.end(), "lwgw"), chat.end());
  if (!in.fix && !chat.empty() && in.broken)
    for (const auto& id : chat)
      in.broken->push_back(
          {display_path(file, in.ctx.paths().home) + ": [model_providers." + id +
               "] has wire_api = \"chat\", which current Codex rejects at start-up (every codex "
               "command fails until it says \"responses\")",
           "lwgw setup codex --yes"});
  return {{.path = file,
           .kind = setup::FileKind::kToml,
           .owner = "codex",
           .edits = setup::codex_edits(in.target, in.write("model"),
                                       in.fix ? chat : std::vector<std::string>{})}};
}

// Teardown puts back the user's own providers, a wire_api = "chat" one that --yes had fixed
// included: said, since every codex command fails again.
std::vector<std::string> after_teardown(Context& ctx) {
  const auto file = ctx.paths().codex_home / "config.toml";
  std::vector<std::string> out;
  for (const auto& id : setup::codex_chat_providers(fs::read_file(file).value_or("")))
    if (id != "lwgw")
      out.push_back(display_path(file, ctx.paths().home) + ": [model_providers." + id +
                    "] is back to wire_api = \"chat\", which current Codex rejects at start-up: "
                    "every codex command fails until it says \"responses\" (`lwgw setup codex "
                    "--yes` fixes it again)");
  return out;
}

setup::ExecPlan exec(const ExecInputs& in) {
  const setup::Target& t = in.target;
  setup::ExecPlan p{
      .argv = {kBinary, "-c", "model_provider=" + toml_edit::quote("lwgw"), "-c",
               "model_providers.lwgw={ name = " + toml_edit::quote("LangWatch AI Gateway (lwgw)") +
                   ", base_url = " + toml_edit::quote(t.root + "/v1") +
                   ", env_key = " + toml_edit::quote(setup::kKeyEnv) +
                   ", wire_api = " + toml_edit::quote("responses") + " }"},
      .env = in.env};
  p.env.set(setup::kKeyEnv, t.key);
  return p;
}

}  // namespace

const CliProfile& codex() {
  static const CliProfile p{
      .name = "codex",
      .title = "Codex CLI",
      .binary = kBinary,
      .files = files,
      .after_teardown = after_teardown,
      .env = {{setup::kKeyEnv, setup::EnvNeed::Value::kKey}},
      .exec = exec,
      .models = {.family = setup::Family::kGpt,
                 .slots = {{.name = "model"}},
                 .configured = configured},
      .doctor = {.ca_vars = {"CODEX_CA_CERTIFICATE", "SSL_CERT_FILE"},
                 .install = "npm install -g @openai/codex",
                 .base_url = doctor::base_url,
                 .models = doctor::models,
                 .gui_front_end = true,
                 .traps = doctor::traps},
  };
  return p;
}

}  // namespace clis

}  // namespace lwgw
