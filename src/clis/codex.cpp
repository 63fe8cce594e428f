// Codex CLI: a `lwgw` model provider spliced into $CODEX_HOME/config.toml (comments kept), and
// the root `model` (Codex has no per-provider model; teardown gives the user's back).
#include <algorithm>

#include "lwgw/clis/profile.hpp"
#include "lwgw/fs.hpp"
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
  if (!in.fix)
    for (const auto& id : chat)
      in.ctx.log().warn(display_path(file, in.ctx.paths().home) + ": [model_providers." + id +
                        "] has wire_api = \"chat\", which current Codex rejects at start-up "
                        "(every codex command fails); set it to \"responses\", or re-run with "
                        "--yes to let lwgw do it");
  return {{.path = file,
           .kind = setup::FileKind::kToml,
           .owner = "codex",
           .edits = setup::codex_edits(in.target, in.write("model"),
                                       in.fix ? chat : std::vector<std::string>{})}};
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
      .env = {{setup::kKeyEnv, setup::EnvNeed::Value::kKey}},
      .exec = exec,
      .models = {.family = setup::Family::kGpt,
                 .slots = {{.name = "model"}},
                 .configured = configured},
  };
  return p;
}

}  // namespace clis

}  // namespace lwgw
