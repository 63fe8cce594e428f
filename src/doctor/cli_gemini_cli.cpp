// Gemini CLI's doctor checks: selectedType pinned to gemini-api-key while a custom base URL is
// set, and a .env file that shadows the key or switches to Vertex (names only, never values).
#include <sstream>

#include "clis.hpp"
#include "lwgw/util/text.hpp"
#include "support.hpp"

namespace lwgw::doctor {

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

const CliDoctor& gemini_cli_doctor() {
  static const CliDoctor d{.cli = "gemini-cli",
                           .ca_vars = {"NODE_EXTRA_CA_CERTS"},
                           .install = "npm install -g @google/gemini-cli",
                           .base_url = base_url,
                           .models = models,
                           .traps = traps};
  return d;
}

}  // namespace lwgw::doctor
