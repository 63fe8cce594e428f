// Planning one file: read it, refuse what cannot be edited safely, compute the new text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lwgw/setup/edits.hpp"
#include "manifest.hpp"

namespace lwgw::setup {

/// A file's planned change: the text before (nullopt: missing) and after, and the record the
/// manifest will hold once it is written.
struct Planned {
  FileOp op;
  std::optional<std::string> before;
  std::string after;
  FileRecord record;
  bool had_record = false;                // the manifest knew the file already
  std::vector<std::string> changed_keys;  // for the report
  bool changed() const { return !before || *before != after; }
};

/// Plans `op` against the file on disk and what `m` recorded of it. Nothing is written.
/// Throws Error(kConfig) `<label>:<line>:<col>: …` for a file lwgw refuses to edit.
Planned plan_file(const FileOp& op, const Manifest& m, const std::string& label);

/// `label:line:column: what` for a refused file (line/column left out when unknown).
std::string where(const std::string& label, const Malformed& m);

}  // namespace lwgw::setup
