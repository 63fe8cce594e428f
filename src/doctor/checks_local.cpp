// doctor's lwgw.* and key.* checks: the binary, the configuration layers, file modes, keys
// pasted into dotfiles, and the key itself.
#include <sys/stat.h>

#include <cstdio>
#include <sstream>

#include "clis.hpp"
#include "groups.hpp"
#include "lwgw/build_info.hpp"
#include "lwgw/doctor/support.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/setup/edits.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::doctor {

namespace {

Result version(const Facts& f, const Done&) {
  return ok(std::string("lwgw ") + build::kVersion + " (commit " + build::kCommit + ", " +
            build::kBuildType + ")")
      .with("exe", f.show(f.self_exe));
}

Result config(const Facts& f, const Done&) {
  if (!f.config_problems.empty()) {
    const ConfigProblem& p = f.config_problems.front();
    Result r =
        fail("the " + p.layer + " does not load: " + p.message + "; lwgw uses the other layers",
             {p.layer == "environment" ? "correct or unset that LWGW_* variable"
                                       : "correct that line (`lwgw config show` lists the keys)",
              ""});
    if (p.where) r.source = Source{f.show(p.where->file), p.where->line};
    return r;
  }
  if (!f.config_warnings.empty())
    return warn(f.config_warnings.front(),
                {"remove it or correct its name (`lwgw config show` lists the keys)", ""})
        .with("warnings", f.config_warnings);
  return ok("every layer loads (" + f.show(f.paths.config_file) + ", " +
            f.paths.system_config.string() + ", LWGW_* variables)");
}

std::string octal(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

std::optional<mode_t> mode_of(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return std::nullopt;
  return st.st_mode & 07777;
}

Result permissions(const Facts& f, const Done&) {
  std::vector<std::string> bad_files, bad_dirs, fixes;
  std::vector<std::filesystem::path> files = {f.paths.config_dir / "env.sh",
                                              f.paths.config_dir / "env.fish"};
  if (f.store_kind != "keychain") files.insert(files.begin(), f.paths.credentials_file);
  std::vector<std::filesystem::path> dirs;
  for (const auto& file : files) {
    auto m = mode_of(file);
    if (!m) continue;
    if (*m & 077) {
      bad_files.push_back(f.show(file) + " is " + octal(*m));
      fixes.push_back("chmod 600 " + f.show(file));
    }
    if (std::find(dirs.begin(), dirs.end(), file.parent_path()) == dirs.end())
      dirs.push_back(file.parent_path());
  }
  for (const auto& dir : dirs)
    if (auto m = mode_of(dir); m && (*m & 077)) {
      bad_dirs.push_back(f.show(dir) + " is " + octal(*m));
      fixes.push_back("chmod 700 " + f.show(dir));
    }
  std::string command;
  for (const auto& c : fixes) command += (command.empty() ? "" : " && ") + c;
  if (!bad_files.empty())
    return fail(bad_files.front() + ": other users can read the key in it",
                {"make it private", command})
        .with("files", bad_files)
        .with("directories", bad_dirs);
  if (!bad_dirs.empty())
    return warn(bad_dirs.front() + ": others can list lwgw's files", {"make it private", command});
  if (dirs.empty()) return ok("no credential or env file yet");
  return ok("the credential and env files are 0600, in 0700 directories");
}

/// The files lwgw knows in which a pasted key would sit.
std::vector<std::filesystem::path> dotfiles(const Facts& f) {
  auto out = shell_files(f.paths);
  const auto& h = f.paths.home;
  for (const auto& p :
       {h / ".aider.conf.yml", f.paths.claude_config_dir / "settings.json", h / ".claude.json",
        f.paths.codex_home / "config.toml", h / ".gemini" / "settings.json", h / ".gemini" / ".env",
        h / ".env", f.paths.xdg_config_home / "opencode" / "opencode.json",
        f.paths.xdg_config_home / "opencode" / "opencode.jsonc",
        f.paths.xdg_config_home / "opencode" / "config.json", f.paths.config_file})
    out.push_back(p);
  return out;
}

/// Lines holding something shaped like a virtual key, outside lwgw's own blocks.
std::vector<std::string> pasted_keys(const Facts& f, Source& first) {
  std::vector<std::string> found;
  for (const auto& file : dotfiles(f)) {
    auto text = read_text(file);
    if (!text) continue;
    std::istringstream in(*text);
    std::string line;
    bool block = false;
    for (int n = 1; std::getline(in, line); ++n) {
      if (line.rfind(setup::kBlockBegin, 0) == 0) block = true;
      if (line.rfind(setup::kBlockEnd, 0) == 0) block = false;
      if (block) continue;
      for (const char* shape : {"vk-lw-", "lw_vk_"}) {
        const size_t pos = line.find(shape);
        if (pos == std::string::npos || line.size() < pos + 16) continue;
        if (found.empty()) first = Source{f.show(file), n};
        found.push_back(f.show(file) + ":" + std::to_string(n));
        break;
      }
    }
  }
  return found;
}

Result dotfile_keys(const Facts& f, const Done&) {
  Source first;
  auto found = pasted_keys(f, first);
  if (found.empty()) return ok("no virtual key in the dotfiles lwgw knows");
  return fail("a virtual key sits in " + found.front() +
                  (found.size() > 1 ? " (and " + std::to_string(found.size() - 1) + " more)" : "") +
                  ": lwgw supplies the key, so no dotfile needs it",
              {"delete that line, and rotate the key if the file was ever shared or synced", ""})
      .at(first.file, first.line)
      .with("found", found);
}

Result present(const Facts& f, const Done&) {
  if (f.key) {
    // A key pasted with a line break would break the line: mask what is left without it
    // (key.shape reports the whitespace).
    Result r = ok(mask_key(util::trim(f.key->key)) + " from " + f.key->source)
                   .with("source", f.key->source);
    if (!f.key_error.empty()) r.with("store_error", f.key_error);
    return r;
  }
  if (!f.key_error.empty()) {
    const size_t chmod = f.key_error.find("chmod 600 ");
    Fix fix = chmod == std::string::npos
                  ? Fix{"log in again", "lwgw login"}
                  : Fix{"make it private", "chmod 600 " + f.show(f.paths.credentials_file)};
    return fail("the key cannot be read: " + f.key_error, fix);
  }
  return fail("not logged in: no key stored and LWGW_VK is not set", {"log in", "lwgw login"});
}

Result shape(const Facts& f, const Done&) {
  if (!f.key) return skip("no key");
  const std::string& k = f.key->key;
  if (k.find_first_of(" \t\r\n") != std::string::npos)
    return fail("the key contains whitespace or a line break (pasted with it)",
                f.key->source.find("LWGW_VK") != std::string::npos
                    ? Fix{"set LWGW_VK to the key alone, or unset it and log in", ""}
                    : Fix{"log in again, pasting only the key", "lwgw login"});
  if (k.rfind("lwgw_lt_", 0) == 0)
    return fail("this is lwgw's local token, not a virtual key",
                {"log in with your virtual key", "lwgw login"});
  if (looks_like_vk(k))
    return ok(k.rfind("vk-lw-", 0) == 0 ? "vk-lw- and 26 Crockford base32 characters"
                                        : "the older lw_vk_ form");
  return warn("not a virtual key's shape (vk-lw-… or lw_vk_…); the gateway decides",
              {"check that you pasted the virtual key, not another token", "lwgw login"});
}

Result local_token(const Facts& f, const Done&) {
  if (f.mode != "proxy") return skip("no CLI is set up in proxy mode");
  if (f.local_token) return ok("present (the CLIs set up in proxy mode present it to the proxy)");
  return fail("the local token is missing: the proxy refuses the token the CLIs carry",
              {"set the CLIs up again with a new token", "lwgw setup"});
}

}  // namespace

std::vector<Check> lwgw_checks() {
  return {
      {.id = "lwgw.version", .group = "lwgw", .title = "lwgw's version and commit", .run = version},
      {.id = "lwgw.config",
       .group = "lwgw",
       .title = "every configuration layer loads; no unknown keys",
       .run = config},
      {.id = "lwgw.permissions",
       .group = "lwgw",
       .title = "credential and env files 0600 in 0700 directories",
       .run = permissions},
      {.id = "lwgw.dotfile_keys",
       .group = "lwgw",
       .title = "no virtual key pasted into a dotfile lwgw knows",
       .run = dotfile_keys}};
}

std::vector<Check> key_checks() {
  return {{.id = "key.present",
           .group = "key",
           .title = "a key is configured, and where from",
           .run = present},
          {.id = "key.shape",
           .group = "key",
           .title = "the key's shape (vk-lw- + 26 Crockford base32, or lw_vk_)",
           .needs = {"key.present"},
           .run = shape},
          {.id = "key.local_token",
           .group = "key",
           .title = "the local token the CLIs present to the proxy exists",
           .run = local_token}};
}

}  // namespace lwgw::doctor
