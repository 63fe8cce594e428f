// `lwgw setup` / `teardown` / `env` / `exec`: the pure parts (edits, blocks, diffs, exec
// environments) that the commands and their I/O layer (setup/engine.hpp) are built on.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lwgw/environment.hpp"
#include "lwgw/util/diff.hpp"

namespace lwgw::setup {

/// Where a CLI is pointed: the local proxy with the local token, or the gateway with the VK.
enum class Mode { kProxy, kDirect };

struct Target {
  Mode mode = Mode::kProxy;
  std::string root;      // base URL without a trailing slash and without /v1
  std::string key;       // local token (proxy) or VK (direct)
  std::string self_exe;  // absolute path of lwgw, for Claude Code's apiKeyHelper
};

/// "proxy" or "direct", as the manifest records a mode.
inline const char* mode_name(Mode m) {
  return m == Mode::kDirect ? "direct" : "proxy";
}

inline constexpr const char* kKeyEnv = "LWGW_API_KEY";
inline constexpr const char* kBlockBegin = "# >>> lwgw >>>";
inline constexpr const char* kBlockEnd = "# <<< lwgw <<<";

/// Models written into opencode's provider block when the gateway's list cannot be fetched.
const std::vector<std::string>& default_models();

// ---------------------------------------------------------------------------------------------
// Edits in structured files. An edit sets (or, with no value, deletes) one key; `previous` is what
// was there before lwgw first touched it (nullopt: the key did not exist), so teardown can restore
// it.

enum class FileKind { kJson, kToml, kBlock, kOwned };

struct Edit {
  std::string cli{};
  std::vector<std::string> path{};                // JSON object path / TOML table path + key
  std::optional<nlohmann::ordered_json> value{};  // JSON value / TOML literal; nullopt = delete
  std::optional<nlohmann::ordered_json> previous{};
  bool known = false;       // `previous` has been recorded (else the next apply records it)
  int parents_existed = 0;  // how many leading objects/tables of `path` existed before
  // A JSON key lwgw deletes: the key it followed in its object (null when it was the first), so
  // teardown puts it back where it was; nullopt (older manifests) puts it back last.
  std::optional<nlohmann::ordered_json> previous_after{};
};

nlohmann::ordered_json edit_to_json(const Edit& e);
Edit edit_from_json(const nlohmann::ordered_json& j);

/// A file lwgw refuses to edit: where (1-based; 0 = unknown) and why.
struct Malformed : std::runtime_error {
  Malformed(const std::string& what, int l, int c = 0)
      : std::runtime_error(what), line(l), column(c) {}
  int line;
  int column;
  /// The message already says what to do with the file (e.g. a block to paste), so callers do
  /// not add "the file was left untouched".
  bool self_explaining = false;
};

// JSON ----------------------------------------------------------------------------------------

/// Position of the first comment (// or /* */) outside strings, when the text is JSONC.
std::optional<std::pair<int, int>> find_json_comment(const std::string& text);
/// Parses strict JSON keeping key order. An empty / whitespace-only text is an empty object.
/// Returns the error with line and column instead of throwing.
std::optional<Malformed> parse_json(const std::string& text, nlohmann::ordered_json& out);
/// The indentation the file uses (2 when unknown).
int json_indent(const std::string& text);
/// Applies edits (filling in `previous` from the document when not yet known) and returns the
/// serialised document (indent kept, trailing newline). The document must be an object.
std::string json_apply(const std::string& text, std::vector<Edit>& edits);
/// Reverts edits in an edited document: a key still holding lwgw's value gets its previous value
/// back (or is removed); a key the user changed since is left alone. Objects lwgw created and
/// that are now empty are removed.
std::string json_revert(const std::string& text, const std::vector<Edit>& edits);
/// The value at `path`, when present.
std::optional<nlohmann::ordered_json> json_get(const nlohmann::ordered_json& doc,
                                               const std::vector<std::string>& path);

// TOML (Codex) --------------------------------------------------------------------------------

/// Providers in a Codex config.toml that say wire_api = "chat" (ids).
std::vector<std::string> codex_chat_providers(const std::string& text);
/// Applies TOML edits (values are TOML literals) by splicing; fills `previous` (raw literal).
std::string toml_apply(const std::string& text, std::vector<Edit>& edits);
/// Reverts TOML edits like json_revert; removes the [model_providers.lwgw] header when lwgw
/// created that table and it is now empty.
std::string toml_revert(const std::string& text, const std::vector<Edit>& edits);

// Marked blocks (shell rc files, ~/.aider.conf.yml) -------------------------------------------

/// `text` with the lwgw block (`# >>> lwgw >>>` … `# <<< lwgw <<<`, body lines between) set:
/// replaced in place when present, else appended (`added_newline` tells whether a final newline
/// had to be added first). Throws Malformed on a lone or repeated marker.
std::string block_set(const std::string& text, const std::string& body,
                      bool* added_newline = nullptr);
/// `text` without the lwgw block (unchanged when there is none); with `added_newline`, the
/// newline block_set added before an appended block goes too.
std::string block_remove(const std::string& text, bool added_newline = false);
/// The body of the lwgw block, when present.
std::optional<std::string> block_body(const std::string& text);

/// A conservative YAML sanity check for ~/.aider.conf.yml: tabs in indentation, a top level
/// that is not a block mapping, unbalanced flow brackets or quotes. Not a full YAML parser.
std::optional<Malformed> check_yaml(const std::string& text);
/// The line (1-based) where a top-level `key:` is set outside the lwgw block, or 0.
int yaml_top_level_key_line(const std::string& text, const std::string& key);
/// A YAML double-quoted scalar.
std::string yaml_quote(const std::string& s);

// What setup changes in one file ---------------------------------------------------------------

/// For a file lwgw refuses (JSONC): the key that appears in its edits, and what the block to paste
/// shows instead (the secret itself never goes to the terminal).
struct PasteHint {
  std::string key{};
  std::string shown_as{};
};

/// One file setup wants to change, and how. Built by the CLI profiles (src/clis/) and by the
/// shell side of setup; planned and committed by the setup engine.
struct FileOp {
  std::filesystem::path path{};
  FileKind kind = FileKind::kJson;
  std::string owner{};        // the CLI, or "shell" for the env files and rc hooks
  std::vector<Edit> edits{};  // kJson / kToml
  std::string content{};      // kBlock: the block body; kOwned: the whole file
  bool secret = false;        // holds a key: written 0600, teardown restores the original mode
  bool yaml = false;          // kBlock in a YAML file: sanity-check the file first
  PasteHint paste_hint{};     // kJson: when the file is refused as JSONC
};

/// A word for a POSIX shell: bare when safe, else single-quoted.
std::string sh_quote(const std::string& s);

// Per-CLI content (defined in src/clis/<cli>.cpp) ---------------------------------------------

/// Claude Code's state file (~/.claude.json, or in $CLAUDE_CONFIG_DIR when set): where its
/// onboarding flag lives.
std::filesystem::path claude_state_file(const Paths& paths, const Env& env);
/// Claude Code's settings.json edits for the mode (never ANTHROPIC_API_KEY).
std::vector<Edit> claude_edits(const Target& t, const std::string& model,
                               const std::string& small_model, const std::string& no_proxy = "");
/// Codex config.toml edits (literals). `fix_chat` lists providers whose wire_api to fix.
std::vector<Edit> codex_edits(const Target& t, const std::string& model,
                              const std::vector<std::string>& fix_chat);
/// Gemini CLI settings.json edits.
std::vector<Edit> gemini_edits();
/// opencode's provider.lwgw block (+ `model` when given).
nlohmann::ordered_json opencode_provider(const Target& t, const std::vector<std::string>& models);
std::vector<Edit> opencode_edits(const Target& t, const std::vector<std::string>& models,
                                 const std::string& model);
/// The body of the aider block.
std::string aider_block(const Target& t, const std::string& model);

// The shell side: the env file and the rc hooks that source it --------------------------------

/// The shell the user runs: basename of $SHELL when bash/zsh/fish, else bash.
std::string default_shell(const Env& env);

/// The variables the env file / `lwgw env` export.
struct EnvVars {
  std::vector<std::pair<std::string, std::string>> vars;
};

/// One variable a CLI reads from the env file, and what it carries.
struct EnvNeed {
  enum class Value { kKey, kRoot };  // the key for the mode / the base URL without /v1
  const char* name;
  Value value;
};

/// The variables for `needs` (each name once, in order of first appearance).
EnvVars env_vars(const Target& t, const std::vector<EnvNeed>& needs);
/// The variables of every CLI that reads the env file; Gemini CLI's only with `gemini`
/// (defined with the profiles, src/clis/registry.cpp).
EnvVars env_vars(const Target& t, bool gemini);
/// The exports in `shell` syntax (bash/zsh: export …; fish: set -gx …), and NO_PROXY/no_proxy
/// extended (never replaced) by 127.0.0.1,localhost,::1 when they lack loopback.
std::string env_script(const std::string& shell, const EnvVars& vars);
/// The rc block body for bash/zsh that sources `env_file` (guarded: a missing file is fine).
std::string rc_source_body(const std::string& shell, const std::filesystem::path& env_file,
                           const std::filesystem::path& home);
/// The whole conf.d/lwgw.fish file.
std::string fish_conf_file(const std::filesystem::path& env_file,
                           const std::filesystem::path& home);

// exec ----------------------------------------------------------------------------------------

/// Symlinks to make in `into` to every entry of `from` except `except` (an existing entry in
/// `into` is kept).
struct LinkEntries {
  std::filesystem::path from{};
  std::filesystem::path into{};
  std::string except{};
};

struct ExecPlan {
  std::vector<std::string> argv{};  // argv[0] is the program name to look up in PATH
  Env env{};
  /// A settings file to write before running (Gemini: settings.json of its shadow home), if any.
  std::optional<std::pair<std::filesystem::path, std::string>> file{};
  /// Links to make after writing `file` (Gemini: the rest of ~/.gemini into the shadow home).
  std::optional<LinkEntries> links{};
};
/// How `lwgw exec <cli>` runs the CLI (the profile's exec plan; src/clis/registry.cpp).
/// `runtime_dir` holds Gemini's shadow home (GEMINI_CLI_HOME=<runtime_dir>/gemini-home);
/// `gemini_user_settings` is the text of the user's ~/.gemini/settings.json, merged into the
/// shadow copy (the only user file an exec plan reads). Throws Error(kUsage) for Cursor and for
/// an unknown name.
ExecPlan exec_plan(const std::string& cli, const Target& t, const std::vector<std::string>& args,
                   const Env& env, const std::filesystem::path& runtime_dir,
                   const std::optional<std::string>& gemini_user_settings);

// diff ----------------------------------------------------------------------------------------

/// A unified diff (3 lines of context) from `a` to `b`; empty when equal.
using util::unified_diff;

/// SHA-256 of `data` as lowercase hex.
std::string sha256_hex(const std::string& data);

}  // namespace lwgw::setup
