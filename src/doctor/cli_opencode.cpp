// opencode's doctor checks: which config files it reads (global, project, OPENCODE_CONFIG), its
// lwgw provider's baseURL with /v1, and the selected model declared under that provider.
#include "clis.hpp"
#include "net.hpp"
#include "support.hpp"

namespace lwgw::doctor {

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

const CliDoctor& opencode_doctor() {
  static const CliDoctor d{.cli = "opencode",
                           .ca_vars = {"NODE_EXTRA_CA_CERTS"},
                           .install = "npm install -g opencode-ai",
                           .base_url = base_url,
                           .models = models,
                           .traps = traps};
  return d;
}

}  // namespace lwgw::doctor
