// opencode: a `lwgw` provider (the gateway's models) in its config file, key from the env file.
#include <ostream>

#include "lwgw/clis/profile.hpp"
#include "lwgw/process.hpp"

namespace lwgw {

namespace setup {

using ojson = nlohmann::ordered_json;

ojson opencode_provider(const Target& t, const std::vector<std::string>& models) {
  ojson p = ojson::object();
  p["npm"] = "@ai-sdk/openai-compatible";
  p["name"] = "LangWatch AI Gateway (lwgw)";
  p["options"] = ojson::object();
  p["options"]["baseURL"] = t.root + "/v1";
  p["options"]["apiKey"] = std::string("{env:") + kKeyEnv + "}";
  p["models"] = ojson::object();
  for (const auto& m : models) p["models"][m] = ojson{{"name", m}};
  return p;
}

std::vector<Edit> opencode_edits(const Target& t, const std::vector<std::string>& models,
                                 const std::string& model) {
  std::vector<Edit> e = {
      {.cli = "opencode", .path = {"provider", "lwgw"}, .value = opencode_provider(t, models)}};
  if (!model.empty()) e.push_back({.cli = "opencode", .path = {"model"}, .value = "lwgw/" + model});
  return e;
}

}  // namespace setup

namespace clis {

namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kBinary = "opencode";

// The config file that exists ($OPENCODE_CONFIG_DIR or ~/.config/opencode), else opencode.json.
std::filesystem::path config_file(Context& ctx) {
  std::filesystem::path dir = ctx.env.get_or("OPENCODE_CONFIG_DIR", "");
  if (dir.empty()) dir = ctx.paths().xdg_config_home / "opencode";
  for (const char* n : {"opencode.json", "opencode.jsonc", "config.json"})
    if (std::filesystem::exists(std::filesystem::symlink_status(dir / n))) return dir / n;
  return dir / "opencode.json";
}

std::vector<setup::FileOp> files(const SetupInputs& in) {
  return {{.path = config_file(in.ctx),
           .kind = setup::FileKind::kJson,
           .owner = "opencode",
           .edits = setup::opencode_edits(in.target, in.models, in.model)}};
}

void after_setup(const SetupInputs& in, const std::vector<WrittenFile>&) {
  if (!in.models_from_gateway)
    in.out << "  models: the default list (" << setup::default_models().size()
           << "); the gateway's own list is used when `lwgw login` has a key and the gateway "
              "answers\n";
  if (auto bin = process::find_in_path(kBinary, in.ctx.env)) {
    auto v = process::run({bin->string(), "--version"}, "", in.ctx.env);
    if (v.exit_code == 0 && v.out.rfind("1.14.", 0) == 0)
      in.ctx.log().warn("opencode " + v.out.substr(0, v.out.find('\n')) +
                        ": 1.14.x was reported to ignore custom providers (not reproduced with "
                        "1.14.41 or 1.18.33); if it does, use another version");
  }
}

setup::ExecPlan exec(const ExecInputs& in) {
  setup::ExecPlan p{.argv = {kBinary}, .env = in.env};
  ojson provider = setup::opencode_provider(in.target, setup::default_models());
  // The key goes literally into this process's environment only: {env:} substitution inside
  // OPENCODE_CONFIG_CONTENT is not reliable across opencode versions.
  provider["options"]["apiKey"] = in.target.key;
  ojson cfg = ojson::object();
  cfg["provider"] = ojson::object();
  cfg["provider"]["lwgw"] = provider;
  p.env.set("OPENCODE_CONFIG_CONTENT", cfg.dump());
  p.env.set(setup::kKeyEnv, in.target.key);
  return p;
}

}  // namespace

const CliProfile& opencode() {
  static const CliProfile p{
      .name = "opencode",
      .title = "opencode",
      .binary = kBinary,
      .files = files,
      .after_setup = after_setup,
      .env = {{setup::kKeyEnv, setup::EnvNeed::Value::kKey}},
      .exec = exec,
  };
  return p;
}

}  // namespace clis

}  // namespace lwgw
