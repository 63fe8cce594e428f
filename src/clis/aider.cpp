// Aider: a marked block with openai-api-base/-key, model and weak-model (openai/<served model>)
// in ~/.aider.conf.yml (0600).
#include <sstream>

#include "lwgw/clis/profile.hpp"
#include "lwgw/doctor/cli.hpp"
#include "lwgw/doctor/support.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/setup/edits.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw {

namespace setup {

std::string aider_block(const Target& t, const std::string& model) {
  std::string b = "# Added by `lwgw setup aider`; `lwgw teardown aider` removes it.\n";
  b += "openai-api-base: " + yaml_quote(t.root + "/v1") + "\n";
  b += "openai-api-key: " + yaml_quote(t.key) + "\n";
  if (!model.empty()) b += "model: " + yaml_quote("openai/" + model) + "\n";
  return b;
}

}  // namespace setup

// Aider's doctor checks: lwgw's marked block in ~/.aider.conf.yml, environment variables that
// override it, and the model's openai/ prefix.
namespace doctor {

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

}  // namespace doctor

namespace clis {

namespace {

constexpr const char* kBinary = "aider";
constexpr const char* kPrefix = "openai/";  // the gateway's OpenAI-compatible API

std::filesystem::path config_file(const SetupInputs& in) {
  return in.ctx.paths().home / ".aider.conf.yml";
}

// The value of a `key: value` line, unquoted; nullopt when the line sets another key.
std::optional<std::string> yaml_value(std::string line, const std::string& key) {
  if (line.rfind(key + ":", 0) != 0) return std::nullopt;
  line = line.substr(key.size() + 1);
  line.erase(0, line.find_first_not_of(" \t"));
  line.erase(line.find_last_not_of(" \t\r") + 1);
  if (line.size() >= 2 && (line.front() == '"' || line.front() == '\'') &&
      line.back() == line.front())
    line = line.substr(1, line.size() - 2);
  return line;
}

std::string line_at(const std::string& text, int n) {
  std::istringstream in(text);
  std::string line;
  for (int i = 0; i < n && std::getline(in, line);) ++i;
  return line;
}

// `model` / `weak-model`: the user's own line (outside lwgw's block), else lwgw's block's.
std::map<std::string, setup::Configured> configured(const SetupInputs& in) {
  std::map<std::string, setup::Configured> out;
  const std::string text = fs::read_file(config_file(in)).value_or("");
  if (setup::check_yaml(text)) return out;  // planning reports the malformed file
  std::optional<std::string> block;
  try {
    block = setup::block_body(text);
  } catch (const setup::Malformed&) {
    return out;
  }
  for (const std::string key : {"model", "weak-model"}) {
    std::optional<std::string> v;
    bool users = false;
    if (int line = setup::yaml_top_level_key_line(text, key)) {
      v = yaml_value(line_at(text, line), key);
      users = true;
    } else if (block) {
      std::istringstream lines(*block);
      for (std::string l; !v && std::getline(lines, l);) v = yaml_value(l, key);
    }
    if (!v || v->empty()) continue;
    const bool ours = v->rfind(kPrefix, 0) == 0;
    out[key] = {.id = ours ? v->substr(std::string(kPrefix).size()) : *v,
                .elsewhere = users,
                .rewrite = !ours};
  }
  return out;
}

// A key the user set outside the block would win over (or clash with) lwgw's: refused for the
// key and base URL and for a model asked for with --model; a model setup chose itself is left
// to the user's line, with a warning. Returns the models the block sets, by key.
std::map<std::string, std::string> check_keys_set_elsewhere(const SetupInputs& in,
                                                            const std::filesystem::path& file) {
  std::map<std::string, std::string> block_models;
  auto text = fs::read_file(file).value_or("");
  if (setup::check_yaml(text)) return block_models;  // planning reports the malformed file
  const std::string where = display_path(file, in.ctx.paths().home) + ":";
  auto conf = configured(in);
  for (const std::string k : {"openai-api-base", "openai-api-key", "model", "weak-model"}) {
    const setup::Pick* p = in.pick(k);
    std::string value = in.write(k);
    // A model lwgw's block set before stays there while setup keeps it (or cannot check it).
    if (value.empty() && conf.count(k) && !conf[k].elsewhere) value = conf[k].id;
    const int line = setup::yaml_top_level_key_line(text, k);
    const bool ours_to_set = k.rfind("openai-", 0) == 0 || !value.empty();
    if (line && ours_to_set &&
        (!p || p->source == setup::Source::kFlag || p->source == setup::Source::kForced))
      throw config_error(where + std::to_string(line) + ": `" + k +
                         "` is already set here; remove that line (or run setup without " +
                         (k == "model" ? "--model" : "--small-model") + " for `" + k +
                         "`) and run setup again; the file was left untouched");
    if (line && !value.empty()) {
      in.ctx.log().warn(where + std::to_string(line) + ": `" + k + "` is set here, so Aider " +
                        "keeps it instead of " + value + " (served); remove that line and run " +
                        "setup again to use the gateway's model");
      continue;
    }
    if (!value.empty() && k.rfind("openai-", 0) != 0) block_models[k] = kPrefix + value;
  }
  return block_models;
}

std::vector<setup::FileOp> files(const SetupInputs& in) {
  auto file = config_file(in);
  auto models = check_keys_set_elsewhere(in, file);
  std::string body = setup::aider_block(in.target, "");
  for (const std::string k : {"model", "weak-model"})
    if (models.count(k)) body += k + ": " + setup::yaml_quote(models[k]) + "\n";
  return {{.path = file,
           .kind = setup::FileKind::kBlock,
           .owner = "aider",
           .content = body,
           .secret = true,
           .yaml = true}};
}

setup::ExecPlan exec(const ExecInputs& in) {
  setup::ExecPlan p{.argv = {kBinary}, .env = in.env};
  p.env.set("AIDER_OPENAI_API_BASE", in.target.root + "/v1");
  p.env.set("AIDER_OPENAI_API_KEY", in.target.key);
  return p;
}

}  // namespace

const CliProfile& aider() {
  static const CliProfile p{
      .name = "aider",
      .title = "Aider",
      .binary = kBinary,
      .files = files,
      .exec = exec,
      .models =
          {.slots = {{.name = "model"},
                     {.name = "weak-model", .tier = setup::Tier::kSmall, .from_small_flag = true}},
           .configured = configured},
      .doctor = {.ca_vars = {"SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"},
                 .install = "python3 -m pip install aider-install && aider-install",
                 .base_url = doctor::base_url,
                 .key = doctor::key,
                 .models = doctor::models,
                 .traps = doctor::traps},
  };
  return p;
}

}  // namespace clis

}  // namespace lwgw
