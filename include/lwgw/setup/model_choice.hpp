// Which models `lwgw setup` pins in each coding CLI (pure): the CLI's main model and every other
// model it asks for on its own, chosen from the gateway's GET /v1/models list.
//
// Per setting (a "slot"): --model / --small-model when given (refused when the gateway does not
// serve it, unless --force); else the CLI's configured model when served; else the best served
// model of the CLI's family (newest first); else nothing, with a warning naming what will fail.
// With no list (the gateway did not answer) nothing is chosen and the settings stay as they are.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lwgw::setup {

/// The models a CLI asks for on its own: Claude Code claude-*, Codex gpt-*/o*, Gemini CLI
/// gemini-*; kAny for the CLIs that speak to every model through the gateway (opencode, Aider).
enum class Family { kAny, kClaude, kGpt, kGemini };

/// "claude-*", "gpt-*/o*", "gemini-*", or "any" (for messages).
std::string family_label(Family f);
/// The family of a model id, judged by its last path segment ("openai/gpt-5" is kGpt); kAny when
/// it is none of the three.
Family family_of(std::string_view id);
/// A chat model of family `f` (kAny: of any family). Embedding, speech, image and realtime models
/// are never chat models.
bool in_family(std::string_view id, Family f);

/// What a setting is for: the main model, or a background model (Claude Code's haiku slot,
/// opencode's small_model, Aider's weak-model).
enum class Tier { kMain, kSmall };

/// The served chat models of `f` (containing `word` when given), best first for `tier`: models of
/// the tier's size first (kSmall: haiku, mini, nano, lite; kMain: the others), then the newest
/// version, then the family's own order (sonnet before opus; codex before plain gpt; pro before
/// flash), then the newest date. kAny: gpt, claude, gemini, then others, after size.
std::vector<std::string> ranked(const std::vector<std::string>& served, Family f, Tier tier,
                                std::string_view word = "");

/// One model setting of a CLI.
struct SlotSpec {
  std::string name{};  // what the summary calls it: "model", "background", "opus", "sonnet"
  Tier tier = Tier::kMain;
  std::string word{};            // only models whose name contains it ("opus"); empty: any
  bool from_small_flag = false;  // --small-model sets it (--model sets the first slot)
  bool optional = false;         // set only when a matching model is served; no warning else
};

/// What a CLI's files say about one slot now.
struct Configured {
  std::string id{};        // the model it names (a provider prefix of the CLI's own removed)
  bool elsewhere = false;  // it sits in a key setup does not write: keeping it writes nothing
  bool rewrite = false;    // the key setup writes names it in another form: written when kept
};

enum class Source {
  kFlag,        // --model / --small-model, served (or not checked: list unknown)
  kForced,      // --model / --small-model, not served, written because of --force
  kConfigured,  // the CLI's own setting, served
  kChosen,      // the best served model of the family
  kNone,        // nothing of the family is served: the CLI keeps its setting and will fail
  kUnknown,     // the gateway's list is unknown: nothing checked, nothing changed
};

/// The outcome for one slot.
struct Pick {
  std::string slot{};
  std::string id{};  // what the CLI will ask for; empty: its built-in default (kNone, kUnknown)
  Source source = Source::kUnknown;
  bool write = false;    // setup writes `id` into the slot's key(s)
  bool served = false;   // `id` is on the gateway's list
  std::string option{};  // the option that sets the slot: "--model", "--small-model" or none
  std::string word{};    // the slot's word ("opus"), for messages
};

struct ChoiceInput {
  Family family = Family::kAny;
  std::vector<SlotSpec> slots{};
  std::map<std::string, Configured> configured{};  // by slot name
  std::string model{};                             // --model
  std::string small_model{};                       // --small-model
  bool force = false;
};

/// One pick per slot, in the slots' order (an optional slot with nothing served and nothing
/// configured is left out). `served` nullopt: the list is unknown, so only the flags are written
/// (unchecked). A slot after the first whose family is kAny takes the family of the first pick.
/// Throws usage_error when a flag names a model the gateway does not serve and `force` is off.
std::vector<Pick> choose_models(const ChoiceInput& in,
                                const std::optional<std::vector<std::string>>& served);

/// Refuses (usage_error) one --model/--small-model (`option`, `value`) for CLIs of different
/// families; `clis` are the CLIs the option applies to, with their families (kAny ones fit all).
void check_one_family(const std::vector<std::pair<std::string, Family>>& clis,
                      std::string_view option, const std::string& value);

/// Throws usage_error when `value` (of `option`) is not on the list, unless `force`.
void check_served(std::string_view option, const std::string& value,
                  const std::vector<std::string>& served, bool force);

/// The served models for a message: "a, b, c" (the first 12, then "…").
std::string served_list(const std::vector<std::string>& served);

/// The summary of the picks: "model claude-sonnet-4-5 (served), background claude-haiku-4-5
/// (served)"; for an unknown list "models not checked: …".
std::string describe(const std::vector<Pick>& picks);

/// The warnings for slots whose model will fail (kNone, kForced), naming the CLI (`title`), the
/// model it will ask for and what the gateway serves.
std::vector<std::string> warnings(std::string_view cli, std::string_view title, Family family,
                                  const std::vector<Pick>& picks,
                                  const std::vector<std::string>& served);

}  // namespace lwgw::setup
