// opencode: a `lwgw` provider (the gateway's models) in its config file, key from the env file;
// `model` and `small_model` (its title requests) name served models of that provider.
#include <algorithm>
#include <ostream>

#include "lwgw/clis/profile.hpp"
#include "lwgw/fs.hpp"
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

constexpr const char* kProvider = "lwgw/";

// The user's file, parsed; an empty object when it is missing or malformed (planning reports it).
ojson read_config(const SetupInputs& in) {
  ojson doc;
  if (setup::parse_json(fs::read_file(config_file(in.ctx)).value_or(""), doc) || !doc.is_object())
    return ojson::object();
  return doc;
}

// "lwgw/<id>" is ours; "<provider>/<id>" names the same model through another provider, which
// setup moves to lwgw's when the gateway serves it.
std::map<std::string, setup::Configured> configured(const SetupInputs& in) {
  std::map<std::string, setup::Configured> out;
  const ojson doc = read_config(in);
  for (const char* key : {"model", "small_model"}) {
    auto v = setup::json_get(doc, {key});
    if (!v || !v->is_string() || v->get<std::string>().empty()) continue;
    const std::string ref = v->get<std::string>();
    const auto slash = ref.find('/');
    out[key] = {.id = slash == std::string::npos ? ref : ref.substr(slash + 1),
                .rewrite = ref.rfind(kProvider, 0) != 0};
  }
  return out;
}

// The provider's models: the gateway's list; when it is unknown, the ones the provider listed
// before (else the default list). A model written unchecked or with --force is listed too.
std::vector<std::string> provider_models(const SetupInputs& in) {
  std::vector<std::string> models = in.models;
  if (!in.models_from_gateway) {
    auto before = setup::json_get(read_config(in), {"provider", "lwgw", "models"});
    if (before && before->is_object() && !before->empty()) {
      models.clear();
      for (const auto& [id, v] : before->items()) models.push_back(id);
    }
  }
  for (const char* slot : {"model", "small_model"})
    if (std::string id = in.write(slot);
        !id.empty() && std::find(models.begin(), models.end(), id) == models.end())
      models.push_back(id);
  return models;
}

std::vector<setup::FileOp> files(const SetupInputs& in) {
  auto edits = setup::opencode_edits(in.target, provider_models(in), in.write("model"));
  if (std::string id = in.write("small_model"); !id.empty())
    edits.push_back({.cli = "opencode", .path = {"small_model"}, .value = kProvider + id});
  return {{.path = config_file(in.ctx),
           .kind = setup::FileKind::kJson,
           .owner = "opencode",
           .edits = edits}};
}

void after_setup(const SetupInputs& in, const std::vector<WrittenFile>&) {
  if (!in.models_from_gateway) {
    const auto listed = provider_models(in);
    if (listed == setup::default_models())
      in.out << "  models: the default list (" << listed.size()
             << "); the gateway's own list is used when `lwgw login` has a key and the gateway "
                "answers\n";
    else
      in.out << "  models: the provider keeps the " << listed.size()
             << " it listed before (the gateway's list is unknown)\n";
  }
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
      .models =
          {.slots = {{.name = "model"},
                     {.name = "small_model", .tier = setup::Tier::kSmall, .from_small_flag = true}},
           .configured = configured},
  };
  return p;
}

}  // namespace clis

}  // namespace lwgw
