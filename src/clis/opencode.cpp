// opencode: a `lwgw` provider (the gateway's models) in its config file, key from the env file;
// `model` and `small_model` (its title requests) name served models of that provider.
#include <algorithm>
#include <ostream>

#include "lwgw/clis/profile.hpp"
#include "lwgw/doctor/cli.hpp"
#include "lwgw/doctor/net.hpp"
#include "lwgw/doctor/support.hpp"
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

// opencode's doctor checks: which config files it reads (global, project, OPENCODE_CONFIG), its
// lwgw provider's baseURL with /v1, and the selected model declared under that provider.
namespace doctor {

namespace {

std::filesystem::path global_dir(const Facts& f) {
  const std::string dir = f.env.get_or("OPENCODE_CONFIG_DIR", "");
  return dir.empty() ? f.paths.xdg_config_home / "opencode" : std::filesystem::path(dir);
}

/// The global file setup edits: the first of opencode.json, opencode.jsonc, config.json there.
std::filesystem::path lwgw_file(const Facts& f) {
  std::error_code ec;
  for (const char* n : {"opencode.json", "opencode.jsonc", "config.json"})
    if (std::filesystem::exists(global_dir(f) / n, ec)) return global_dir(f) / n;
  return global_dir(f) / "opencode.json";
}

/// Every config file opencode merges here, lowest precedence first.
std::vector<std::filesystem::path> read_files(const Facts& f) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const char* n : {"config.json", "opencode.json", "opencode.jsonc"})
    if (std::filesystem::exists(global_dir(f) / n, ec)) out.push_back(global_dir(f) / n);
  if (auto custom = f.env.get("OPENCODE_CONFIG"); custom && !custom->empty())
    out.emplace_back(*custom);
  for (const char* n : {"opencode.json", "opencode.jsonc"})
    if (f.cwd != f.paths.home && std::filesystem::exists(f.cwd / n, ec)) out.push_back(f.cwd / n);
  return out;
}

std::optional<Located> base_url(const Facts& f) {
  return json_at(lwgw_file(f), {"provider", "lwgw", "options", "baseURL"});
}

/// `model` as opencode resolves it: the last file that sets it.
std::optional<Located> selected(const Facts& f) {
  std::optional<Located> out;
  for (const auto& file : read_files(f))
    if (auto m = json_at(file, {"model"})) out = m;
  return out;
}

std::vector<Located> models(const Facts& f) {
  std::vector<Located> out;
  auto m = selected(f);
  if (m && m->value.rfind("lwgw/", 0) == 0) out.push_back({m->value.substr(5), m->file, m->line});
  return out;
}

Result config_file(const Facts& f, const Done&) {
  if (auto s = unless_set_up(f, "opencode")) return *s;
  const auto mine = lwgw_file(f);
  for (const auto& file : read_files(f)) {
    std::string error;
    if (!read_json(file, &error))
      return fail(f.show(file) + " does not parse (" + error + "): opencode stops",
                  {"correct it", ""})
          .at(f.show(file));
    if (file == mine) continue;
    if (auto p = json_at(file, {"provider", "lwgw"}))
      return warn(f.show(file) + " also defines provider.lwgw, and wins over " + f.show(mine),
                  {"remove provider.lwgw from " + f.show(file), ""})
          .at(f.show(file), p->line);
  }
  std::vector<std::string> shown;
  for (const auto& file : read_files(f)) shown.push_back(f.show(file));
  return ok("reads " + f.show(mine) + " (lwgw's provider)").with("files", shown);
}

Result base_url_check(const Facts& f, const Done&) {
  if (auto s = unless_set_up(f, "opencode")) return *s;
  auto url = base_url(f);
  if (!url)
    return fail("no provider.lwgw.options.baseURL in " + f.show(lwgw_file(f)),
                {"set it up again", "lwgw setup opencode"});
  std::string v = net::safe_url(url->value);
  while (!v.empty() && v.back() == '/') v.pop_back();
  if (v.size() >= 3 && v.compare(v.size() - 3, 3, "/v1") == 0)
    return ok("baseURL " + net::safe_url(url->value));
  return fail("baseURL " + net::safe_url(url->value) + " lacks /v1: opencode asks for " + v +
                  "/chat/completions, which the gateway does not serve",
              {"set it up again", "lwgw setup opencode"})
      .at(f.show(url->file), url->line);
}

Result model_check(const Facts& f, const Done&) {
  if (auto s = unless_set_up(f, "opencode")) return *s;
  auto m = selected(f);
  if (!m) return ok("no default model set (choose an lwgw/… model in opencode)");
  if (m->value.rfind("lwgw/", 0) != 0)
    return warn("model is " + m->value + ": opencode sends it to that provider, not the gateway",
                {"choose one of lwgw's models", "lwgw setup opencode --model <model>"})
        .at(f.show(m->file), m->line);
  const std::string id = m->value.substr(5);
  auto declared = json_at(lwgw_file(f), {"provider", "lwgw", "models", id});
  if (declared) return ok("model " + m->value + ", declared under provider.lwgw.models");
  return fail("model " + m->value +
                  " is not declared under provider.lwgw.models: opencode "
                  "cannot use it",
              {"set it up with that model", "lwgw setup opencode --model " + id})
      .at(f.show(m->file), m->line);
}

std::vector<Check> traps() {
  return {{.id = "opencode.config_file",
           .group = "opencode",
           .title = "the config files opencode reads, and which defines lwgw's provider",
           .run = config_file},
          {.id = "opencode.base_url",
           .group = "opencode",
           .title = "provider.lwgw.options.baseURL ends in /v1",
           .run = base_url_check},
          {.id = "opencode.model",
           .group = "opencode",
           .title = "the selected model is declared under provider.lwgw",
           .run = model_check}};
}

}  // namespace

}  // namespace doctor

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
      .doctor = {.ca_vars = {"NODE_EXTRA_CA_CERTS"},
                 .install = "npm install -g opencode-ai",
                 .base_url = doctor::base_url,
                 .models = doctor::models,
                 .traps = doctor::traps},
  };
  return p;
}

}  // namespace clis

}  // namespace lwgw
