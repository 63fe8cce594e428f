// Helpers shared by doctor's checks: reading the user's files without failing, where a line is,
// environment values as they may be shown, and the shell start-up files lwgw knows.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lwgw/doctor/check.hpp"
#include "lwgw/doctor/facts.hpp"

namespace lwgw::doctor {

using ojson = nlohmann::ordered_json;

/// A file's text; nullopt when it is missing or unreadable (`error` then says why, if given).
std::optional<std::string> read_text(const std::filesystem::path& p, std::string* error = nullptr);

/// A JSON file parsed leniently (comments allowed); nullopt when missing or malformed (`error`
/// says which, with the line).
std::optional<ojson> read_json(const std::filesystem::path& p, std::string* error = nullptr);

/// The 1-based line of byte `offset` in `text`.
int line_at(const std::string& text, size_t offset);

/// Whether an environment variable's name says it holds a secret (KEY, TOKEN, SECRET,
/// PASSWORD, AUTH in any case): its value is never shown.
bool secret_name(std::string_view name);
/// How an environment value may be shown: "missing", "present" for a secret name, else the
/// value with URL credentials and query strings removed.
std::string shown_env(const Env& env, const std::string& name);
/// The same for a value read elsewhere (a settings file's `env`).
std::string shown_value(const std::string& name, const std::string& value);

/// The shell start-up files lwgw knows (bash, zsh, fish, POSIX profile), existing or not.
std::vector<std::filesystem::path> shell_files(const Paths& p);

/// A line of a file.
struct Line {
  std::filesystem::path file;
  int line = 0;
};
/// Lines of the shell start-up files that set `name` (`export NAME=`, `NAME=`, `set -x NAME`),
/// outside lwgw's own block.
std::vector<Line> where_set(const Paths& p, const std::string& name);

/// `source` as Facts::show would print it, with its line.
Source source_of(const Facts& f, const std::filesystem::path& p, int line = 0);

/// The skip result when `cli` was not set up by lwgw.
Result not_set_up(const std::string& cli);

/// The expected key in the CLIs' configuration for `mode`: the local token (proxy) or the VK.
std::optional<std::string> expected_key(const Facts& f, const std::string& mode);
/// The expected base URL root for `mode`: the proxy's address or gateway.url.
std::string expected_root(const Facts& f, const std::string& mode);

/// The fix for a CLI that points at a proxy that does not answer.
Fix start_proxy_fix();

}  // namespace lwgw::doctor
