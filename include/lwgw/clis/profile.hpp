// The coding CLIs lwgw configures, one profile each (a table, like ninja's kTools[]): names,
// files and edits per mode, env file needs, exec plan, hints and doctor checks. Each profile is
// defined in its own src/clis/<name>.cpp and registered in src/clis/registry.cpp.
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lwgw/context.hpp"
#include "lwgw/doctor/cli.hpp"
#include "lwgw/error.hpp"
#include "lwgw/setup/edits.hpp"
#include "lwgw/setup/model_choice.hpp"

namespace lwgw::clis {

/// Something setup leaves as it is that makes the CLI fail: why, and the command that fixes it.
struct Broken {
  std::string problem;
  std::string fix;
};

/// What `lwgw setup` asks of each profile that writes files.
struct SetupInputs {
  Context& ctx;
  std::ostream& out;
  const setup::Target& target;
  bool fix = false;                        // --yes: also fix the problems found
  const std::vector<std::string>& models;  // the gateway's model ids, or setup::default_models()
  bool models_from_gateway = false;
  /// Where `files` reports what it leaves broken (setup then exits 1); may be null.
  std::vector<Broken>* broken = nullptr;
  /// The model choice for the profile's slots (ModelSlots); null while it is being made.
  const std::vector<setup::Pick>* picks = nullptr;

  /// The pick for `slot`, when there is one.
  const setup::Pick* pick(std::string_view slot) const {
    if (picks)
      for (const auto& p : *picks)
        if (p.slot == slot) return &p;
    return nullptr;
  }
  /// The model setup writes into `slot`'s setting; empty: the setting stays as it is.
  std::string write(std::string_view slot) const {
    const setup::Pick* p = pick(slot);
    return p && p->write ? p->id : std::string();
  }
};

/// A file setup has just planned (and, unless --dry-run, written): its label and new text.
struct WrittenFile {
  std::string label{};
  std::string text{};
};

/// What `lwgw exec` gives a profile's exec plan.
struct ExecInputs {
  const setup::Target& target;
  const Env& env;                       // the environment to start from
  std::filesystem::path home{};         // the user's home
  std::filesystem::path runtime_dir{};  // for per-run state (Gemini's shadow home)
  /// Reads one of the user's files; nullopt when it is missing or unreadable.
  std::function<std::optional<std::string>(const std::filesystem::path&)> read_file;
};

/// The models the CLI asks for on its own, each a setting setup pins to a served model
/// (setup/model_choice.hpp has the rules). The first slot is the main model (--model).
struct ModelSlots {
  setup::Family family = setup::Family::kAny;
  std::vector<setup::SlotSpec> slots{};  // empty: setup chooses no model for it
  /// What the CLI's files say about each slot now (by slot name; absent: nothing set), read
  /// with the gateway's list at hand (in.models). Null: nothing is ever set.
  std::map<std::string, setup::Configured> (*configured)(const SetupInputs&) = nullptr;

  /// --small-model applies (a slot takes it).
  bool small_model() const {
    for (const auto& s : slots)
      if (s.from_small_flag) return true;
    return false;
  }
};

/// Text the commands show for the CLI.
struct Hints {
  std::string_view next{};      // appended to setup's `next:` line
  std::string_view teardown{};  // teardown's line for a CLI lwgw writes no file for
  std::string_view no_exec{};   // why `lwgw exec` cannot run it (no exec plan)
};

/// Everything lwgw knows about one coding CLI. Function members may be null where noted.
struct CliProfile {
  std::string_view name{};                  // what setup/teardown/exec accept: "claude-code"
  std::vector<std::string_view> aliases{};  // also accepted: "claude"
  std::string_view title{};                 // for people: "Claude Code"
  std::string_view binary{};                // the program on PATH; empty when there is none
  /// The files setup changes for the target's mode. May warn, or throw Error to refuse.
  /// Null for a CLI configured by hand (then `guide` is set).
  std::vector<setup::FileOp> (*files)(const SetupInputs&) = nullptr;
  /// Setup for a CLI lwgw writes no file for: prints what to do by hand; returns an error to
  /// report (the run goes on).
  std::optional<Error> (*guide)(Context&, std::ostream&) = nullptr;
  /// Warnings and notes once the files are planned/written; may be null.
  void (*after_setup)(const SetupInputs&, const std::vector<WrittenFile>&) = nullptr;
  /// After teardown restored its files: what the restored state leaves broken (warnings, each
  /// saying how to fix it); may be null.
  std::vector<std::string> (*after_teardown)(Context&) = nullptr;
  /// The variables it reads from the env file (sourced by the rc hooks); empty: none.
  std::vector<setup::EnvNeed> env{};
  /// How `lwgw exec` runs it (argv without the user's arguments), touching no file of the
  /// user's; null when it cannot be run.
  setup::ExecPlan (*exec)(const ExecInputs&) = nullptr;
  Hints hints{};
  ModelSlots models{};
  doctor::CliDoctor doctor{};  // what `lwgw doctor` checks for it (lwgw/doctor/cli.hpp)

  /// Setup writes files for it (the profile has `files`).
  bool writes_files() const { return files != nullptr; }
  /// It reads its key from the env file.
  bool uses_env_file() const { return !env.empty(); }
};

/// Every profile, in the order `setup --all`, help and completions list them.
const std::vector<const CliProfile*>& all();
/// The profile called `name`, by name or alias; nullptr when there is none.
const CliProfile* find(std::string_view name);
/// The profile called `name`; throws Error(kUsage) with unknown_cli_message() when there is
/// none.
const CliProfile& get(std::string_view name);
/// `claude-code (alias claude), codex, …`: every name with its aliases, for help and errors.
std::string accepted_names();
/// `unknown CLI 'claud-code'; did you mean 'claude-code'? (one of: …)`; the suggestion only
/// when a name or alias is close (util::closest), and always the real name.
std::string unknown_cli_message(std::string_view name);
/// The real names of `names` (names or aliases), in order, each once. Throws like get().
/// What commands record and print: the alias table is resolved here and in find() only.
std::vector<std::string> canonical_names(const std::vector<std::string>& names);
/// The names of all profiles, in order (aliases not included).
std::vector<std::string> names();
/// How `lwgw exec` runs `p`: its exec plan with `args` appended. Throws Error(kUsage) with
/// hints.no_exec when it has no exec plan.
setup::ExecPlan exec_plan(const CliProfile& p, const ExecInputs& in,
                          const std::vector<std::string>& args);
/// The env file variables of `profiles`, in registry order, each name once.
std::vector<setup::EnvNeed> env_needs(const std::vector<const CliProfile*>& profiles);

}  // namespace lwgw::clis
