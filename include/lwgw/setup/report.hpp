// What one `lwgw setup` run did, gathered while it runs and shown once at the end: a table (one
// row per file), the models, the proxy, and one "Next steps" block; or one line (-q); or JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lwgw::setup {

struct FileRow {
  std::string label;   // ~/.codex/config.toml
  std::string action;  // created, updated, unchanged, would create, would update
  std::vector<std::string> keys{};
};

struct CliRow {
  std::string name;           // claude-code
  std::string title;          // Claude Code
  std::string binary;         // what runs it (claude); empty: none (Cursor)
  bool installed = false;     // binary found on PATH
  std::string mode;           // proxy, direct
  std::string status = "ok";  // ok, by_hand, broken (configured, but known to fail), error
  std::vector<FileRow> files{};
  std::string model{};   // the main model it will ask for, for the table ("" = its default)
  std::string models{};  // every slot, and whether served: "model gpt-5-mini (served)"
  std::vector<std::string> problems{};  // why broken / the error
  std::vector<std::string> fixes{};     // commands that fix a broken CLI
  std::string guide{};                  // by hand: what to paste where (Cursor)
  std::string next_hint{};              // "(settings.json applies to new sessions)"
  bool uses_env_file = false;
};

struct SetupReport {
  std::string mode;  // proxy, direct
  bool dry_run = false;
  std::vector<CliRow> clis{};
  std::vector<FileRow> shell{};  // env file and rc hooks
  std::string models{};          // the gateway's list, or why there is none
  std::string proxy{};           // what runs the proxy
  std::string proxy_next{};      // proxy mode without the service: how to start it ("" = none)
  bool errors = false;           // an error was reported
  int exit_code = 0;
  std::string details{};  // --dry-run diffs and recovery notes (JSON only; printed otherwise)
};

/// The "Next steps" lines, in the order to do them (pure).
std::vector<std::string> next_steps(const SetupReport& r);
/// The table: CLI, installed, mode, file, change, model; keys listed under -v (pure).
std::string render_table(const SetupReport& r, bool verbose);
/// Table, models, proxy and the Next steps block (pure).
std::string render_human(const SetupReport& r, bool verbose);
/// `-q`: the one final line (pure).
std::string render_quiet(const SetupReport& r);
/// `--json` (pure).
nlohmann::ordered_json to_json(const SetupReport& r);

}  // namespace lwgw::setup
