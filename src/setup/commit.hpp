// One setup/teardown run: its manifest, the writes it commits (backup once, atomic write,
// record) and the undo of recorded files. With dry_run nothing is written: diffs are shown.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include "lwgw/context.hpp"
#include "lwgw/error.hpp"
#include "manifest.hpp"
#include "plan.hpp"

namespace lwgw::setup {

struct Run {
  Context& ctx;
  Manifest manifest;
  bool dry_run;
  std::ostream& out;
  int code = 0;  // the exit code: that of the first error reported

  /// `p` for the report (`~/…` under HOME).
  std::string label(const std::filesystem::path& p);
  /// Prints `lwgw: error: msg` and keeps the first error's exit code; the run goes on.
  void error(const std::string& msg, Exit e);
  /// Writes a planned change: the original backed up once, an atomic write, the manifest
  /// record. With dry_run: the diff instead. Nothing happens when it does not change the file.
  void commit(Planned& p);
  /// Undoes the edits of `clis` in the recorded file `key`: the original bytes back when the
  /// file is untouched since, else only lwgw's keys out. Returns what happened, for the report
  /// ("" when nothing of theirs is in it). Throws Error(kConfig) for a file it cannot edit.
  std::string undo(const std::string& key, const std::set<std::string>& clis);
  /// Settles what an interrupted run left (call first, under the setup lock, not on a dry run):
  /// each announced change is recorded as made or as never made, by the file's bytes; the temp
  /// files of interrupted atomic writes go. Says so for each file.
  void recover();

 private:
  std::filesystem::path backup_path(const std::filesystem::path& file);
  void show_diff(const std::filesystem::path& path, const std::optional<std::string>& before,
                 const std::optional<std::string>& after);
  /// Throws Error(kConfig) when the file a write to `path` lands in lies outside HOME and the
  /// CLIs' directories, is another user's, or is read-only.
  void check_target(const std::filesystem::path& path);
  /// Saves the manifest with `in` announced for `key`, before the file is touched.
  void announce(const std::string& key, const Intent& in);
  void remove_temps_of(const std::string& key);
  void forget(const std::string& key, bool whole, const std::vector<Edit>& rest);
  std::optional<std::string> restore_untouched(const std::string& key, const FileRecord& rec,
                                               const std::string& current);
  std::string take_out(const std::string& key, const FileRecord& rec, bool whole,
                       const std::vector<Edit>& mine, const std::vector<Edit>& rest,
                       const std::string& current);
};

}  // namespace lwgw::setup
