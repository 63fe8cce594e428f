// File helpers: the one atomic-write path for every file lwgw writes, and careful reads.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace lwgw::fs {

/// Returns the file's bytes, or nullopt when it does not exist.
/// Throws Error(kConfig) when it exists but cannot be read (names the file and the reason).
std::optional<std::string> read_file(const std::filesystem::path& path);

/// The file a write to `path` really lands in: symlinks followed (even dangling ones), so a
/// symlinked dotfile is updated through its link and stays a link.
std::filesystem::path write_target(const std::filesystem::path& path);

/// Writes `content` to `path` atomically: a temp file in the target's directory (created 0600),
/// fsync, chmod, rename over the target, fsync of the directory. An existing file keeps its mode
/// and group; a new one gets `new_mode`. With `force_mode` the file always ends with `new_mode`
/// (secrets). Creates missing parent directories with mode 0700. Throws Error(kConfig) with
/// write_refusal's reason (another user's file, a read-only file), Error(kFailed) naming the file
/// when the write fails.
void atomic_write(const std::filesystem::path& path, const std::string& content,
                  mode_t new_mode = 0644, bool force_mode = false);

/// The random part of a temp file's name: atomic_write writes `.<name>.lwgw-XXXXXX` first.
inline constexpr size_t kTempSuffixLen = 6;
/// Whether `name` is an atomic_write temp name (of the file named `of`, or of any file when
/// `of` is empty). Pure.
bool is_temp_name(const std::string& name, const std::string& of = "");
/// Removes the temp files an interrupted atomic_write left in `dir` (of the file named `of`,
/// or all when empty): only regular files of this user. Returns how many went.
int remove_stale_temps(const std::filesystem::path& dir, const std::string& of = "");

/// What lstat says about a path (pure input for the refusals below).
struct Facts {
  enum class Kind { kRegular, kDir, kLink, kOther };
  bool exists = false;
  Kind kind = Kind::kRegular;
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0;
};
/// lstat of `path` (not following a final symlink); exists = false when absent.
Facts facts_of(const std::filesystem::path& path);

/// Why lwgw must not replace the existing file `target` as user `me` (pure; nullopt: it may):
/// not a regular file, another user's, or read-only (no owner write bit: reported, even to root).
std::optional<std::string> write_refusal(const std::filesystem::path& target, const Facts& f,
                                         uid_t me);
/// Why a user file lwgw edits must not be written at `target` (the file a symlink leads to):
/// it lies outside every root (HOME, the CLIs' configured directories). nullopt: inside.
/// Symlinks in existing directories are resolved on both sides.
std::optional<std::string> outside_refusal(const std::filesystem::path& target,
                                           const std::vector<std::filesystem::path>& roots);
/// Throws Error(kConfig) with write_refusal's reason for the file a write to `path` lands in.
void check_write(const std::filesystem::path& path);

/// Why user `me` must not edit files in `home` (pure; nullopt: may): root on a HOME owned by
/// another user (`sudo -E lwgw setup`).
std::optional<std::string> home_refusal(const std::filesystem::path& home, const Facts& f,
                                        uid_t me);
/// Throws Error(kConfig) with home_refusal's reason.
void check_home(const std::filesystem::path& home);

/// Why a directory lwgw keeps its own files in (config, state, runtime) cannot be trusted as
/// user `me` (pure; nullopt: it can): a symlink, not a directory, another user's, or writable
/// by group or others.
std::optional<std::string> dir_refusal(const std::filesystem::path& dir, const Facts& f, uid_t me);
/// Creates `dir` (0700, parents too) or reuses it, after dir_refusal. Throws Error(kConfig).
void ensure_private_dir(const std::filesystem::path& dir);

/// Like atomic_write for lwgw's own files (0600): `path` itself is replaced, and a symlink there
/// is refused (Error(kConfig)), never followed.
void write_private(const std::filesystem::path& path, const std::string& content);
/// Like read_file, but a symlink at `path` is refused (Error(kConfig)) instead of followed
/// (O_NOFOLLOW).
std::optional<std::string> read_private(const std::filesystem::path& path);

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
