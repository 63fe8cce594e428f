// Aider: a marked block with openai-api-base/-key in ~/.aider.conf.yml (0600).
#include "lwgw/clis/profile.hpp"
#include "lwgw/fs.hpp"

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

namespace clis {

namespace {

constexpr const char* kBinary = "aider";

// A key the user set outside the block would win over (or clash with) lwgw's: refused.
void refuse_keys_set_elsewhere(const SetupInputs& in, const std::filesystem::path& file) {
  auto text = fs::read_file(file).value_or("");
  if (setup::check_yaml(text)) return;  // planning reports the malformed file
  std::vector<std::string> keys = {"openai-api-base", "openai-api-key"};
  if (!in.model.empty()) keys.push_back("model");
  for (const auto& k : keys)
    if (int line = setup::yaml_top_level_key_line(text, k))
      throw config_error(display_path(file, in.ctx.paths().home) + ":" + std::to_string(line) +
                         ": `" + k +
                         "` is already set here; remove that line (or run setup without --model "
                         "for `model`) and run setup again; the file was left untouched");
}

std::vector<setup::FileOp> files(const SetupInputs& in) {
  auto file = in.ctx.paths().home / ".aider.conf.yml";
  refuse_keys_set_elsewhere(in, file);
  return {{.path = file,
           .kind = setup::FileKind::kBlock,
           .owner = "aider",
           .content = setup::aider_block(in.target, in.model),
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
  };
  return p;
}

}  // namespace clis

}  // namespace lwgw
