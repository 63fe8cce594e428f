// Gemini CLI: selectedType and model.name in ~/.gemini/settings.json (a set model also skips
// its router's classifier call to a flash-lite model), its base URL and key in the env file;
// `exec` runs it with a shadow home so the user's files stay untouched.
#include "lwgw/clis/profile.hpp"
#include "lwgw/fs.hpp"

namespace lwgw {

namespace setup {

std::vector<Edit> gemini_edits() {
  return {{.cli = "gemini-cli",
           .path = {"security", "auth", "selectedType"},
           .value = "gemini-api-key"},
          {.cli = "gemini-cli", .path = {"privacy", "usageStatisticsEnabled"}, .value = false}};
}

}  // namespace setup

namespace clis {

namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kBinary = "gemini";

std::filesystem::path settings_file(const SetupInputs& in) {
  return in.ctx.paths().home / ".gemini" / "settings.json";
}

std::map<std::string, setup::Configured> configured(const SetupInputs& in) {
  ojson doc;
  if (setup::parse_json(fs::read_file(settings_file(in)).value_or(""), doc) || !doc.is_object())
    return {};
  auto name = setup::json_get(doc, {"model", "name"});
  if (!name || !name->is_string() || name->get<std::string>().empty()) return {};
  return {{"model", {.id = name->get<std::string>()}}};
}

std::vector<setup::FileOp> files(const SetupInputs& in) {
  auto edits = setup::gemini_edits();
  if (std::string m = in.write("model"); !m.empty())
    edits.push_back({.cli = "gemini-cli", .path = {"model", "name"}, .value = m});
  return {{.path = settings_file(in),
           .kind = setup::FileKind::kJson,
           .owner = "gemini-cli",
           .edits = edits}};
}

// GEMINI_MODEL in the environment wins over model.name.
void after_setup(const SetupInputs& in, const std::vector<WrittenFile>&) {
  const std::string env_model = in.ctx.env.get_or("GEMINI_MODEL", "");
  const setup::Pick* p = in.pick("model");
  if (!env_model.empty() && p && !p->id.empty() && env_model != p->id)
    in.ctx.log().warn("GEMINI_MODEL=" + env_model +
                      " is set in your environment and wins over model.name (" + p->id +
                      "): unset it, or set it to a model the gateway serves");
}

/// Gemini CLI's own home: $GEMINI_CLI_HOME when the user set it, else HOME.
std::filesystem::path gemini_home(const ExecInputs& in) {
  auto h = in.env.get("GEMINI_CLI_HOME");
  return h && !h->empty() ? std::filesystem::path(*h) : in.home;
}

// With a custom base URL Gemini CLI insists on selectedType = gemini-api-key in a settings file.
// Its system settings files are ignored unless they and every directory above them are owned by
// root and not group/world-writable (0.61), so a per-user override cannot go there. Instead
// GEMINI_CLI_HOME points at a shadow home in the runtime dir whose .gemini holds the user's
// settings with that key merged in, and links to every other entry of the real ~/.gemini
// (credentials, GEMINI.md, extensions, history…), so the run sees the user's state and writes
// it in place.
setup::ExecPlan exec(const ExecInputs& in) {
  setup::ExecPlan p{.argv = {kBinary}, .env = in.env};
  p.env.set("GOOGLE_GEMINI_BASE_URL", in.target.root);
  p.env.set("GEMINI_API_KEY", in.target.key);
  const auto real = gemini_home(in) / ".gemini";
  ojson doc = ojson::object();
  if (auto text = in.read_file(real / "settings.json")) {
    ojson user;
    if (!setup::parse_json(*text, user) && user.is_object()) doc = user;
  }
  std::vector<setup::Edit> edits = setup::gemini_edits();
  const auto shadow = in.runtime_dir / "gemini-home";
  p.env.set("GEMINI_CLI_HOME", shadow.string());
  p.file = std::make_pair(shadow / ".gemini" / "settings.json",
                          setup::json_apply(doc.dump(2) + "\n", edits));
  p.links = setup::LinkEntries{.from = real, .into = shadow / ".gemini", .except = "settings.json"};
  return p;
}

}  // namespace

const CliProfile& gemini_cli() {
  static const CliProfile p{
      .name = "gemini-cli",
      .aliases = {"gemini"},
      .title = "Gemini CLI",
      .binary = kBinary,
      .files = files,
      .after_setup = after_setup,
      .env = {{setup::kKeyEnv, setup::EnvNeed::Value::kKey},
              {"GOOGLE_GEMINI_BASE_URL", setup::EnvNeed::Value::kRoot},
              {"GEMINI_API_KEY", setup::EnvNeed::Value::kKey}},
      .exec = exec,
      .models = {.family = setup::Family::kGemini,
                 .slots = {{.name = "model"}},
                 .configured = configured},
  };
  return p;
}

}  // namespace clis

}  // namespace lwgw
