// File helpers: the one atomic-write path for every file lwgw writes, and careful reads.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <sys/types.h>

namespace lwgw::fs {

/// Returns the file's bytes, or nullopt when it does not exist.
/// Throws Error(kConfig) when it exists but cannot be read (names the file and the reason).
std::optional<std::string> read_file(const std::filesystem::path& path);

/// The file a write to `path` really lands in: symlinks followed (even dangling ones), so a
/// symlinked dotfile is updated through its link and stays a link.
std::filesystem::path write_target(const std::filesystem::path& path);

/// Writes `content` to `path` atomically: a temp file in the target's directory (created 0600),
/// fsync, chmod, rename over the target, fsync of the directory. An existing file keeps its mode;
/// a new one gets `new_mode`. With `force_mode` the file always ends with `new_mode` (secrets).
/// Creates missing parent directories with mode 0700. Throws Error(kFailed) naming the file.
void atomic_write(const std::filesystem::path& path, const std::string& content,
                  mode_t new_mode = 0644, bool force_mode = false);

/// Creates `dir` and missing parents; the directories it creates get `mode`.
void ensure_dir(const std::filesystem::path& dir, mode_t mode = 0700);

/// Removes a file if present (a symlink is removed, not its target). Returns whether it existed.
bool remove_file(const std::filesystem::path& path);

/// The permission bits of a file (lstat on the path itself), or nullopt when absent.
std::optional<mode_t> file_mode(const std::filesystem::path& path);

/// An exclusive flock(2) on `path` (created 0600, its directory 0700) for the object's lifetime,
/// so that read-modify-write cycles of two lwgw processes do not lose each other's updates.
/// Waits up to `wait` for another holder, then throws Error(kFailed) with `busy` as the message.
class FileLock {
 public:
  FileLock(const std::filesystem::path& path, std::chrono::milliseconds wait,
           const std::string& busy);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace lwgw::fs
