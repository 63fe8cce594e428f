// Gemini CLI: selectedType and model.name in ~/.gemini/settings.json (a set model also skips
// its router's classifier call to a flash-lite model), its base URL and key in the env file;
// `exec` runs it with a shadow home so the user's files stay untouched.
#include <sstream>
#include "lwgw/clis/profile.hpp"
#include "lwgw/doctor/cli.hpp"
#include "lwgw/doctor/support.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw {

namespace setup {

std::vector<Edit> gemini_edits() {
  return {{.cli = "gemini-cli",
           .path = {"security", "auth", "selectedType"},
           .value = "gemini-api-key"},
          {.cli = "gemini-cli", .path = {"privacy", "usageStatisticsEnabled"}, .value = false}};
}

}  // namespace setup

// Gemini CLI's doctor checks: selectedType pinned to gemini-api-key while a custom base URL is
// set, and a .env file that shadows the key or switches to Vertex (names only, never values).
namespace doctor {

namespace {

std::filesystem::path gemini_dir(const Facts& f) {
  const std::string home = f.env.get_or("GEMINI_CLI_HOME", "");
  return (home.empty() ? f.paths.home : std::filesystem::path(home)) / ".gemini";
}

std::optional<Located> base_url(const Facts& f) {
  if (auto v = env_file_value(f, "GOOGLE_GEMINI_BASE_URL"))
    return Located{*v, f.paths.config_dir / "env.sh", 0};
  if (auto v = f.env.get("GOOGLE_GEMINI_BASE_URL")) return Located{*v, "", 0};
  return std::nullopt;
}

std::vector<Located> models(const Facts& f) {
  std::vector<Located> out;
  if (auto m = json_at(gemini_dir(f) / "settings.json", {"model", "name"})) out.push_back(*m);
  return out;
}

Result selected_type(const Facts& f, const Done&) {
  if (f.mode_of("gemini-cli").empty() && !f.env.get("GOOGLE_GEMINI_BASE_URL"))
    return not_set_up("gemini-cli");
  const auto file = gemini_dir(f) / "settings.json";
  const Fix again{"set it up again (it pins selectedType)", "lwgw setup gemini-cli"};
  auto project = json_at(f.cwd / ".gemini" / "settings.json", {"security", "auth", "selectedType"});
  if (project && project->value != "gemini-api-key")
    return fail("./.gemini/settings.json sets selectedType to \"" + project->value +
                    "\": here Gemini CLI ignores lwgw's base URL and key",
                {"remove security.auth.selectedType from ./.gemini/settings.json", ""})
        .at(f.show(project->file), project->line);
  auto v = json_at(file, {"security", "auth", "selectedType"});
  if (v && v->value == "gemini-api-key") return ok("selectedType = \"gemini-api-key\"");
  Result r = fail(std::string(v ? "selectedType is \"" + v->value + "\"" : "no selectedType") +
                      " in " + f.show(file) +
                      " while GOOGLE_GEMINI_BASE_URL is set: Gemini CLI stops with \"Invalid "
                      "auth method selected.\"",
                  again);
  return r.at(f.show(file), v ? v->line : 0);
}

/// The .env file Gemini CLI loads: the first .gemini/.env or .env from here upwards, else the
/// ones in home.
std::optional<std::filesystem::path> dotenv(const Facts& f) {
  std::error_code ec;
  for (auto dir = f.cwd; !dir.empty(); dir = dir.parent_path()) {
    for (const auto& candidate : {dir / ".gemini" / ".env", dir / ".env"})
      if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
    if (dir == f.paths.home || dir == dir.parent_path()) break;
  }
  for (const auto& candidate : {f.paths.home / ".gemini" / ".env", f.paths.home / ".env"})
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  return std::nullopt;
}

Result dotenv_check(const Facts& f, const Done&) {
  if (auto s = unless_set_up(f, "gemini-cli")) return *s;
  auto file = dotenv(f);
  if (!file) return ok("no .env file here, in its parents or in home");
  auto text = read_text(*file).value_or("");
  std::vector<std::string> shadows, vertex;
  int first = 0, n = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    ++n;
    std::string t = util::trim(line);
    if (t.rfind("export ", 0) == 0) t = util::trim(t.substr(7));
    const std::string name = t.substr(0, t.find('='));
    if (name == "GEMINI_API_KEY" || name == "GOOGLE_API_KEY" || name == "GOOGLE_GEMINI_BASE_URL")
      shadows.push_back(name);
    else if (name == "GOOGLE_GENAI_USE_VERTEXAI" || name == "GOOGLE_CLOUD_PROJECT")
      vertex.push_back(name);
    else
      continue;
    if (!first) first = n;
  }
  if (shadows.empty() && vertex.empty())
    return ok(f.show(*file) + " sets nothing lwgw's settings depend on");
  std::string names;
  for (const auto& v : {shadows, vertex})
    for (const auto& s : v) names += (names.empty() ? "" : ", ") + s;
  return warn(f.show(*file) + " sets " + names +
                  (vertex.empty() ? ": Gemini CLI takes them when this shell lacks lwgw's"
                                  : ": Gemini CLI may switch to Vertex AI"),
              {"remove those lines from " + f.show(*file) + " (or run gemini elsewhere)", ""})
      .at(f.show(*file), first)
      .with("names", names);
}

std::vector<Check> traps() {
  return {{.id = "gemini-cli.selected_type",
           .group = "gemini-cli",
           .title = "security.auth.selectedType pinned to gemini-api-key",
           .run = selected_type},
          {.id = "gemini-cli.dotenv",
           .group = "gemini-cli",
           .title = "no .env file shadows the key or switches to Vertex",
           .run = dotenv_check}};
}

}  // namespace

}  // namespace doctor

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
      .doctor = {.ca_vars = {"NODE_EXTRA_CA_CERTS"},
                 .install = "npm install -g @google/gemini-cli",
                 .base_url = doctor::base_url,
                 .models = doctor::models,
                 .traps = doctor::traps},
  };
  return p;
}

}  // namespace clis

}  // namespace lwgw
