// Aider's doctor checks: lwgw's marked block in ~/.aider.conf.yml, environment variables that
// override it, and the model's openai/ prefix.
#include <sstream>

#include "clis.hpp"
#include "lwgw/setup/edits.hpp"
#include "lwgw/util/text.hpp"
#include "support.hpp"

namespace lwgw::doctor {

namespace {

std::filesystem::path conf(const Facts& f) {
  return f.paths.home / ".aider.conf.yml";
}

std::string unquote(std::string v) {
  v = util::trim(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    const bool dq = v.front() == '"';
    v = v.substr(1, v.size() - 2);
    if (dq) {
      std::string out;
      for (size_t i = 0; i < v.size(); ++i)
        out += (v[i] == '\\' && i + 1 < v.size()) ? v[++i] : v[i];
      v = out;
    }
  }
  return v;
}

/// A top-level `key:` of the file (lwgw's block included), with its line.
std::optional<Located> yaml_key(const Facts& f, const std::string& key) {
  auto text = read_text(conf(f));
  if (!text) return std::nullopt;
  std::istringstream in(*text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind(key + ":", 0) == 0)
      return Located{unquote(line.substr(key.size() + 1)), conf(f), n};
  }
  return std::nullopt;
}

std::optional<Located> base_url(const Facts& f) {
  return yaml_key(f, "openai-api-base");
}

std::optional<Located> key(const Facts& f) {
  return yaml_key(f, "openai-api-key");
}

std::vector<Located> models(const Facts& f) {
  std::vector<Located> out;
  auto m = yaml_key(f, "model");
  if (m && m->value.rfind("openai/", 0) == 0) out.push_back({m->value.substr(7), m->file, m->line});
  return out;
}

Result block(const Facts& f, const Done&) {
  if (auto s = unless_set_up(f, "aider")) return *s;
  auto text = read_text(conf(f));
  if (!text || !setup::block_body(*text))
    return fail("lwgw's block is not in " + f.show(conf(f)),
                {"set it up again", "lwgw setup aider"});
  return ok("lwgw's block in " + f.show(conf(f)) + " sets openai-api-base and openai-api-key");
}

Result overrides(const Facts& f, const Done&) {
  if (auto s = unless_set_up(f, "aider")) return *s;
  std::vector<std::string> found;
  for (const char* n : {"OPENAI_API_BASE", "OPENAI_BASE_URL", "OPENAI_API_KEY",
                        "AIDER_OPENAI_API_BASE", "AIDER_OPENAI_API_KEY"})
    if (f.env.get_or(n, "") != "") found.push_back(n);
  if (found.empty()) return ok("no OPENAI_*/AIDER_OPENAI_* variable overrides the file");
  std::string names;
  for (const auto& n : found) names += (names.empty() ? "" : " ") + n;
  return fail(found.front() + " is set in this shell: aider prefers it to lwgw's value in " +
                  f.show(conf(f)),
              {"unset it (and remove it where it is exported)", "unset " + names})
      .with("names", found);
}

Result model(const Facts& f, const Done&) {
  if (auto s = unless_set_up(f, "aider")) return *s;
  auto m = yaml_key(f, "model");
  if (!m) return ok("no model pinned (aider's default, through openai-api-base)");
  if (m->value.rfind("openai/", 0) == 0) return ok("model " + m->value);
  return warn("model " + m->value +
                  " lacks the openai/ prefix: aider sends it to that model's own provider, not "
                  "to openai-api-base",
              {"pin it with the prefix", "lwgw setup aider --model " + m->value})
      .at(f.show(m->file), m->line);
}

std::vector<Check> traps() {
  return {{.id = "aider.block",
           .group = "aider",
           .title = "lwgw's block in ~/.aider.conf.yml",
           .run = block},
          {.id = "aider.overrides",
           .group = "aider",
           .title = "no OPENAI_*/AIDER_OPENAI_* variable overrides the file",
           .run = overrides},
          {.id = "aider.model",
           .group = "aider",
           .title = "the model has the openai/ prefix",
           .run = model}};
}

}  // namespace

const CliDoctor& aider_doctor() {
  static const CliDoctor d{.cli = "aider",
                           .ca_vars = {"SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"},
                           .install = "python3 -m pip install aider-install && aider-install",
                           .base_url = base_url,
                           .key = key,
                           .models = models,
                           .traps = traps};
  return d;
}

}  // namespace lwgw::doctor
