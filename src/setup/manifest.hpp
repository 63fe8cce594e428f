// setup-manifest.json: what setup changed, file by file, so teardown can undo exactly that.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lwgw/environment.hpp"
#include "lwgw/setup/edits.hpp"

namespace lwgw::setup {

/// What setup did to one file.
struct FileRecord {
  FileKind kind = FileKind::kJson;
  std::string cli;  // owner of a block / owned file
  bool created = false;
  std::optional<int> original_mode;
  std::string backup;
  std::string written_sha;
  /// Someone else changed the file between two of lwgw's writes: its original bytes are no
  /// longer the way back, teardown takes lwgw's settings out instead.
  bool changed_since = false;
  bool secret = false;
  bool added_newline = false;
  std::vector<std::string> created_dirs;  // directories setup created for it, deepest first
  std::vector<Edit> edits;
};

/// A write (or removal) of a recorded file that has been announced but maybe not finished: saved
/// before the file is touched, dropped once the record says what happened. A run that finds one
/// (after a kill) decides by the file's bytes which record is true.
struct Intent {
  std::optional<std::string> before_sha;  // the file when announced; nullopt: it was absent
  std::optional<std::string> after_sha;   // the file once done; nullopt: removed
  std::optional<FileRecord> done;         // the record once done; nullopt: no record
  std::optional<FileRecord> undone;       // the record when it never happened; nullopt: none
};

/// Which record an announced write leaves behind, judged by the file's bytes now (`now_sha`,
/// nullopt: absent) (pure): `done` when it happened, `undone` when it did not, and when the file
/// is neither (changed by someone else meanwhile) the record that keeps lwgw's settings known.
std::optional<FileRecord> settle(const Intent& in, const std::optional<std::string>& now_sha);

struct Manifest {
  std::map<std::string, nlohmann::ordered_json> clis;  // cli -> {"mode": …, "at": …}
  std::map<std::string, FileRecord> files;             // by absolute path
  std::map<std::string, Intent> pending;               // announced writes, by absolute path

  /// $XDG_STATE_HOME/lwgw/setup-manifest.json
  static std::filesystem::path path(const Paths& p);
  /// The manifest, empty when there is none. Throws Error(kConfig) when it is not valid JSON.
  static Manifest load(const Paths& p);
  /// Writes it atomically (0600 in a 0700 state dir).
  void save(const Paths& p) const;
};

}  // namespace lwgw::setup
