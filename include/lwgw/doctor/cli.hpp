// What doctor knows about each coding CLI beyond its setup profile: where its configuration says
// it sends requests, which key and models it uses, which CA variables its runtime reads, how to
// install it, and its own traps (one check each). Each CLI's entry is its profile's `doctor`
// member (CliProfile::doctor), defined next to its setup in src/clis/<name>.cpp.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lwgw/doctor/check.hpp"
#include "lwgw/doctor/facts.hpp"

namespace lwgw::doctor {

/// A value read from one of the user's files, and where.
struct Located {
  std::string value;
  std::filesystem::path file;
  int line = 0;
};

/// One CLI's part of doctor. A CLI with no entry gets only the common checks.
struct CliDoctor {
  std::vector<std::string_view> ca_vars{};  // CA bundle variables its runtime reads
  std::string_view install{};               // the command that installs it
  /// The base URL its configuration gives it now; nullopt when none is found.
  std::optional<Located> (*base_url)(const Facts&) = nullptr;
  /// The key its own configuration files hold (not the env file's); nullopt when none.
  std::optional<Located> (*key)(const Facts&) = nullptr;
  /// The models it will ask for, as configured (main, then background); empty: its defaults.
  std::vector<Located> (*models)(const Facts&) = nullptr;
  /// `<cli>.env` also tells whether apps started from the desktop (not a terminal) see the
  /// variables: the CLI has a GUI front end (Codex's IDE extension) that does not read the rc.
  bool gui_front_end = false;
  /// Its own checks, ids "<cli>.<trap>", group "<cli>".
  std::vector<Check> (*traps)() = nullptr;
};

// Helpers for the CLI files ---------------------------------------------------------------------

/// A JSON value at `path` of a file (comments allowed), with the line of its last key.
std::optional<Located> json_at(const std::filesystem::path& file,
                               const std::vector<std::string>& path);
/// A TOML value at `path` of a file as text (strings unquoted), with its line.
std::optional<Located> toml_at(const std::filesystem::path& file,
                               const std::vector<std::string>& path);
/// The value the env file (env.sh) exports for `name`.
std::optional<std::string> env_file_value(const Facts& f, const std::string& name);
/// Whether the session's desktop apps see `name` (systemd's user environment on Linux, launchd
/// on macOS): "yes", "no", "another value", or "" when that cannot be told here.
std::string gui_session_sees(const Facts& f, const std::string& name, const std::string& want);
/// The check a CLI's trap starts with: skipped unless lwgw set the CLI up.
std::optional<Result> unless_set_up(const Facts& f, std::string_view cli);

}  // namespace lwgw::doctor
