// Helpers shared by doctor's checks.
#include "lwgw/doctor/support.hpp"

#include <algorithm>
#include <cctype>

#include "lwgw/doctor/net.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/setup/edits.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::doctor {

std::optional<std::string> read_text(const std::filesystem::path& p, std::string* error) {
  try {
    return fs::read_file(p);
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }
}

std::optional<ojson> read_json(const std::filesystem::path& p, std::string* error) {
  auto text = read_text(p, error);
  if (!text) return std::nullopt;
  try {
    return ojson::parse(*text, nullptr, true, /*ignore_comments=*/true);
  } catch (const ojson::parse_error& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }
}

int line_at(const std::string& text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

bool secret_name(std::string_view name) {
  for (const char* word : {"key", "token", "secret", "password", "auth"})
    if (util::icontains(name, word)) return true;
  return false;
}

std::string shown_env(const Env& env, const std::string& name) {
  auto v = env.get(name);
  return v ? shown_value(name, *v) : "missing";
}

std::string shown_value(const std::string& name, const std::string& value) {
  if (secret_name(name)) return "present";
  if (value.find("://") != std::string::npos) return net::safe_url(value);
  return value;
}

std::vector<std::filesystem::path> shell_files(const Paths& p) {
  return {p.home / ".bashrc",
          p.home / ".bash_profile",
          p.home / ".profile",
          p.zdotdir / ".zshrc",
          p.zdotdir / ".zshenv",
          p.zdotdir / ".zprofile",
          p.xdg_config_home / "fish" / "config.fish"};
}

std::vector<Line> where_set(const Paths& p, const std::string& name) {
  std::vector<Line> out;
  for (const auto& file : shell_files(p)) {
    auto text = read_text(file);
    if (!text) continue;
    bool in_block = false;
    int n = 0;
    size_t start = 0;
    while (start < text->size()) {
      size_t end = text->find('\n', start);
      if (end == std::string::npos) end = text->size();
      std::string line = util::trim(std::string_view(*text).substr(start, end - start));
      ++n;
      start = end + 1;
      if (line.rfind(setup::kBlockBegin, 0) == 0) in_block = true;
      if (line.rfind(setup::kBlockEnd, 0) == 0) in_block = false;
      if (in_block || line.empty() || line[0] == '#') continue;
      for (const char* prefix : {"export ", "set -gx ", "set -x ", "set -Ux ", "declare -x "})
        if (line.rfind(prefix, 0) == 0) line = util::trim(line.substr(std::string(prefix).size()));
      if (line.rfind(name, 0) == 0 && line.size() > name.size() &&
          (line[name.size()] == '=' || line[name.size()] == ' '))
        out.push_back({file, n});
    }
  }
  return out;
}

Source source_of(const Facts& f, const std::filesystem::path& p, int line) {
  return Source{f.show(p), line};
}

Result not_set_up(const std::string& cli) {
  return skip("not set up by lwgw (`lwgw setup " + cli + "` does it)");
}

std::optional<std::string> expected_key(const Facts& f, const std::string& mode) {
  if (mode == "proxy") return f.local_token;
  if (f.key) return f.key->key;
  return std::nullopt;
}

std::string expected_root(const Facts& f, const std::string& mode) {
  return mode == "proxy" ? f.proxy_root() : f.gateway;
}

Fix start_proxy_fix() {
  return {"start the proxy (and `lwgw service install` to have it start at login)", "lwgw up"};
}

}  // namespace lwgw::doctor
