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

struct Manifest {
  std::map<std::string, nlohmann::ordered_json> clis;  // cli -> {"mode": …, "at": …}
  std::map<std::string, FileRecord> files;             // by absolute path

  /// $XDG_STATE_HOME/lwgw/setup-manifest.json
  static std::filesystem::path path(const Paths& p);
  /// The manifest, empty when there is none. Throws Error(kConfig) when it is not valid JSON.
  static Manifest load(const Paths& p);
  /// Writes it atomically (0600 in a 0700 state dir).
  void save(const Paths& p) const;
};

}  // namespace lwgw::setup
