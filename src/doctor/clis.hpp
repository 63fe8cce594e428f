// What doctor knows about each coding CLI beyond its setup profile: where its configuration says
// it sends requests, which key and models it uses, which CA variables its runtime reads, how to
// install it, and its own traps (one check each). One table entry per CLI, each defined in
// src/doctor/cli_<name>.cpp, so that each can move into the CLI's profile file
// (src/clis/<name>.cpp, CliProfile::doctor) unchanged.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lwgw/clis/profile.hpp"
#include "lwgw/doctor/check.hpp"
#include "lwgw/doctor/facts.hpp"

namespace lwgw::doctor {

/// A value read from one of the user's files, and where.
struct Located {
  std::string value;
  std::filesystem::path file;
  int line = 0;
};

struct CliDoctor {
  std::string_view cli{};                   // the profile's name
  std::vector<std::string_view> ca_vars{};  // CA bundle variables its runtime reads
  std::string_view install{};               // the command that installs it
  /// The base URL its configuration gives it now; nullopt when none is found.
  std::optional<Located> (*base_url)(const Facts&) = nullptr;
  /// The key its own configuration files hold (not the env file's); nullopt when none.
  std::optional<Located> (*key)(const Facts&) = nullptr;
  /// The models it will ask for, as configured (main, then background); empty: its defaults.
  std::vector<Located> (*models)(const Facts&) = nullptr;
  /// Its own checks, ids "<cli>.<trap>", group "<cli>".
  std::vector<Check> (*traps)() = nullptr;
};

const CliDoctor& claude_code_doctor();
const CliDoctor& codex_doctor();
const CliDoctor& gemini_cli_doctor();
const CliDoctor& opencode_doctor();
const CliDoctor& cursor_doctor();
const CliDoctor& aider_doctor();

/// The entry for `cli`, or nullptr.
const CliDoctor* cli_doctor(std::string_view cli);

/// The checks every CLI gets (installed, configured by lwgw, its proxy up, this shell's
/// environment), then its traps.
std::vector<Check> cli_checks(const clis::CliProfile& p, const CliDoctor& d);

// Helpers for the CLI files ---------------------------------------------------------------------

/// A JSON value at `path` of a file (comments allowed), with the line of its last key.
std::optional<Located> json_at(const std::filesystem::path& file,
                               const std::vector<std::string>& path);
/// A TOML value at `path` of a file as text (strings unquoted), with its line.
std::optional<Located> toml_at(const std::filesystem::path& file,
                               const std::vector<std::string>& path);
/// The value the env file (env.sh) exports for `name`.
std::optional<std::string> env_file_value(const Facts& f, const std::string& name);
/// The check a CLI's trap starts with: skipped unless lwgw set the CLI up.
std::optional<Result> unless_set_up(const Facts& f, std::string_view cli);

}  // namespace lwgw::doctor
