// The model choice rules of `lwgw setup` (pure): families, ranking newest first, and the pick per
// slot — flag, configured when served, family fallback, nothing of the family, unknown list.
#include <doctest/doctest.h>

#include <functional>

#include "lwgw/error.hpp"
#include "lwgw/setup/model_choice.hpp"

using namespace lwgw;
using namespace lwgw::setup;

namespace {

using List = std::vector<std::string>;

const List kServed = {"gpt-5-mini", "claude-haiku-4-5-20251001", "gemini-2.5-flash"};

// Claude Code's slots, as its profile declares them.
ChoiceInput claude(std::map<std::string, Configured> conf = {}) {
  return {.family = Family::kClaude,
          .slots = {{.name = "model"},
                    {.name = "background", .tier = Tier::kSmall, .from_small_flag = true},
                    {.name = "opus", .word = "opus", .optional = true},
                    {.name = "sonnet", .word = "sonnet", .optional = true}},
          .configured = std::move(conf)};
}

ChoiceInput codex(std::map<std::string, Configured> conf = {}) {
  return {.family = Family::kGpt, .slots = {{.name = "model"}}, .configured = std::move(conf)};
}

ChoiceInput opencode() {
  return {.family = Family::kAny,
          .slots = {{.name = "model"},
                    {.name = "small_model", .tier = Tier::kSmall, .from_small_flag = true}}};
}

std::string usage_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    CHECK(e.code() == Exit::kUsage);
    return e.what();
  }
  FAIL("no usage error");
  return "";
}

}  // namespace

TEST_CASE("models: families by name, a provider prefix ignored, non-chat models never chosen") {
  CHECK(family_of("claude-sonnet-4-5") == Family::kClaude);
  CHECK(family_of("anthropic/claude-sonnet-4-5") == Family::kClaude);
  CHECK(family_of("gpt-5-mini") == Family::kGpt);
  CHECK(family_of("o4-mini") == Family::kGpt);
  CHECK(family_of("o3") == Family::kGpt);
  CHECK(family_of("codex-mini-latest") == Family::kGpt);
  CHECK(family_of("gemini-2.5-flash") == Family::kGemini);
  CHECK(family_of("opus") == Family::kAny);
  CHECK(family_of("llama-3.3-70b") == Family::kAny);
  CHECK(in_family("llama-3.3-70b", Family::kAny));
  CHECK_FALSE(in_family("text-embedding-3-small", Family::kAny));
  CHECK_FALSE(in_family("gpt-4o-mini-tts", Family::kGpt));
  CHECK_FALSE(in_family("gemini-2.5-flash-image", Family::kGemini));
  CHECK(family_label(Family::kGpt) == "gpt-*/o*");
}

TEST_CASE("models: ranking per family, newest first, the tier's size first") {
  const List claude = {"claude-3-5-sonnet-20241022",
                       "claude-haiku-4-5-20251001",
                       "claude-opus-4-1-20250805",
                       "claude-sonnet-4-20250514",
                       "claude-sonnet-4-5-20250929",
                       "claude-3-5-haiku-20241022",
                       "gpt-5"};
  CHECK(ranked(claude, Family::kClaude, Tier::kMain) ==
        List{"claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-sonnet-4-20250514",
             "claude-3-5-sonnet-20241022", "claude-haiku-4-5-20251001",
             "claude-3-5-haiku-20241022"});
  CHECK(ranked(claude, Family::kClaude, Tier::kSmall).front() == "claude-haiku-4-5-20251001");
  CHECK(ranked(claude, Family::kClaude, Tier::kMain, "opus") == List{"claude-opus-4-1-20250805"});
  // Same version: the family's own order (sonnet before opus), then the newest date.
  CHECK(ranked({"claude-opus-4-5", "claude-sonnet-4-5"}, Family::kClaude, Tier::kMain).front() ==
        "claude-sonnet-4-5");
  CHECK(
      ranked({"claude-sonnet-4-20250514", "claude-sonnet-4-20250601"}, Family::kClaude, Tier::kMain)
          .front() == "claude-sonnet-4-20250601");

  const List gpt = {"gpt-5-mini",
                    "o3",
                    "gpt-4.1",
                    "gpt-5",
                    "text-embedding-3-large",
                    "gpt-5-codex",
                    "o4-mini",
                    "gpt-5-nano",
                    "claude-sonnet-4-5"};
  CHECK(ranked(gpt, Family::kGpt, Tier::kMain) ==
        List{"gpt-5-codex", "gpt-5", "gpt-4.1", "o3", "gpt-5-mini", "gpt-5-nano", "o4-mini"});
  CHECK(ranked(gpt, Family::kGpt, Tier::kSmall).front() == "gpt-5-mini");

  const List gemini = {"gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.5-pro",
                       "gemini-3-flash-preview"};
  CHECK(ranked(gemini, Family::kGemini, Tier::kMain) == List{"gemini-3-flash-preview",
                                                             "gemini-2.5-pro", "gemini-2.5-flash",
                                                             "gemini-2.5-flash-lite"});

  // Any family: gpt, claude, gemini, then the rest, after size.
  CHECK(ranked({"llama-3.3-70b", "gemini-2.5-pro", "claude-sonnet-4-5", "gpt-5-mini"}, Family::kAny,
               Tier::kMain) ==
        List{"claude-sonnet-4-5", "gemini-2.5-pro", "llama-3.3-70b", "gpt-5-mini"});
  CHECK(ranked({}, Family::kClaude, Tier::kMain).empty());
}

TEST_CASE("models: the CLI's configured model is kept when the gateway serves it") {
  auto picks = choose_models(codex({{"model", {.id = "gpt-5-mini"}}}), kServed);
  REQUIRE(picks.size() == 1);
  CHECK(picks[0].id == "gpt-5-mini");
  CHECK(picks[0].source == Source::kConfigured);
  CHECK(picks[0].served);
  CHECK(picks[0].write);  // pinned where setup writes it, the user's value as `previous`
  // In a key setup does not write (Claude Code's own `model`): kept by writing nothing.
  auto elsewhere = choose_models(
      claude({{"model", {.id = "claude-haiku-4-5-20251001", .elsewhere = true}}}), kServed);
  CHECK(elsewhere[0].source == Source::kConfigured);
  CHECK_FALSE(elsewhere[0].write);
  // Named through another provider (opencode's "anthropic/…"): served, but written as lwgw's.
  auto rewrite = choose_models(
      {.family = Family::kAny,
       .slots = {{.name = "model"}},
       .configured = {{"model", {.id = "claude-haiku-4-5-20251001", .rewrite = true}}}},
      kServed);
  CHECK(rewrite[0].source == Source::kConfigured);
  CHECK(rewrite[0].write);
  CHECK(describe(picks) == "model gpt-5-mini (served, as configured)");
}

TEST_CASE("models: a configured model the gateway does not serve gives way to the family's best") {
  const List served = {"gpt-5-mini", "gpt-5", "gpt-4.1", "claude-sonnet-4-5", "gemini-2.5-flash"};
  auto picks = choose_models(codex({{"model", {.id = "o4-mini"}}}), served);
  REQUIRE(picks.size() == 1);
  CHECK(picks[0].id == "gpt-5");  // newest full-size gpt, not the first listed
  CHECK(picks[0].source == Source::kChosen);
  CHECK(picks[0].write);
  CHECK(warnings("codex", "Codex CLI", Family::kGpt, picks, served).empty());
  CHECK(describe(picks) == "model gpt-5 (served)");
}

TEST_CASE("models: family fallback for every slot, newest first; alias targets only when served") {
  const List served = {"claude-sonnet-4-20250514", "claude-haiku-4-5-20251001",
                       "claude-sonnet-4-5-20250929", "claude-3-5-haiku-20241022", "gpt-5"};
  auto picks = choose_models(claude(), served);
  REQUIRE(picks.size() == 3);  // no opus served: that alias target is left alone
  CHECK(picks[0].slot == "model");
  CHECK(picks[0].id == "claude-sonnet-4-5-20250929");
  CHECK(picks[1].slot == "background");
  CHECK(picks[1].id == "claude-haiku-4-5-20251001");
  CHECK(picks[2].slot == "sonnet");
  CHECK(picks[2].id == "claude-sonnet-4-5-20250929");
  CHECK(describe(picks) ==
        "model claude-sonnet-4-5-20250929 (served), background claude-haiku-4-5-20251001 "
        "(served), sonnet claude-sonnet-4-5-20250929 (served)");
  // No small model of the family: the background slot takes the best one there is.
  auto big_only = choose_models(claude(), List{"claude-opus-4-1"});
  CHECK(big_only[1].id == "claude-opus-4-1");
  // A CLI of any family: the small slot follows the main pick's family.
  auto oc = choose_models(opencode(), List{"claude-sonnet-4-5", "claude-haiku-4-5", "gpt-5"});
  CHECK(oc[0].id == "gpt-5");
  CHECK(oc[1].id == "gpt-5");  // no small gpt: not claude-haiku-4-5 of another family
}

TEST_CASE("models: nothing of the family served: the setting stays, a warning names what fails") {
  auto picks = choose_models(codex({{"model", {.id = "o4-mini"}}}),
                             List{"claude-haiku-4-5-20251001", "gemini-2.5-flash"});
  REQUIRE(picks.size() == 1);
  CHECK(picks[0].source == Source::kNone);
  CHECK(picks[0].id == "o4-mini");
  CHECK_FALSE(picks[0].write);
  CHECK_FALSE(picks[0].served);
  auto w = warnings("codex", "Codex CLI", Family::kGpt, picks,
                    {"claude-haiku-4-5-20251001", "gemini-2.5-flash"});
  REQUIRE(w.size() == 1);
  CHECK(w[0] ==
        "codex: the gateway serves no gpt-*/o* model for Codex CLI's model, so its requests for "
        "o4-mini (its own setting) will fail (model_not_allowed). The gateway serves: "
        "claude-haiku-4-5-20251001, gemini-2.5-flash; pick one with `lwgw setup codex --model "
        "NAME`");
  // Nothing configured either: the CLI's built-in default will fail.
  auto none = choose_models(claude(), List{"gpt-5"});
  REQUIRE(none.size() == 2);  // the optional alias targets are left out silently
  auto wn = warnings("claude-code", "Claude Code", Family::kClaude, none, {"gpt-5"});
  REQUIRE(wn.size() == 2);
  CHECK(wn[0].find("its built-in default model will fail") != std::string::npos);
  CHECK(wn[1].find("Claude Code's background") != std::string::npos);
  CHECK(wn[1].find("--small-model NAME") != std::string::npos);
  CHECK(describe(none) ==
        "model its built-in default (NOT served), background its built-in default (NOT served)");
  // An alias target of the user's own that nothing served fits: kept, and said so.
  auto opus = choose_models(claude({{"opus", {.id = "claude-opus-4-1"}}}),
                            List{"claude-sonnet-4-5", "claude-haiku-4-5"});
  REQUIRE(opus.size() == 4);
  CHECK(opus[2].slot == "opus");
  CHECK(opus[2].source == Source::kNone);
  auto wo = warnings("claude-code", "Claude Code", Family::kClaude, opus, {"claude-sonnet-4-5"});
  REQUIRE(wo.size() == 1);
  CHECK(wo[0].find("serves no claude-* opus model for Claude Code's opus, so its requests for "
                   "claude-opus-4-1 (its own setting) will fail") != std::string::npos);
  CHECK(wo[0].find("change that setting to one of them") != std::string::npos);
}

TEST_CASE("models: --model must be served (the list in the refusal) unless --force") {
  ChoiceInput in = codex({{"model", {.id = "gpt-5-mini"}}});
  in.model = "gpt-9";
  auto msg = usage_message([&] { (void)choose_models(in, kServed); });
  CHECK(msg ==
        "the gateway does not serve gpt-9 (--model); it serves: gpt-5-mini, "
        "claude-haiku-4-5-20251001, gemini-2.5-flash. Pick one of those, or add --force to write "
        "gpt-9 anyway");
  CHECK(usage_message([&] { check_served("--model", "gpt-9", kServed, false); }) == msg);
  CHECK_NOTHROW(check_served("--model", "gpt-9", kServed, true));
  in.force = true;
  auto forced = choose_models(in, kServed);
  CHECK(forced[0].id == "gpt-9");
  CHECK(forced[0].source == Source::kForced);
  CHECK(forced[0].write);
  CHECK(warnings("codex", "Codex CLI", Family::kGpt, forced, kServed).size() == 1);
  // A served --model wins over the configured model; --small-model fills the background slot.
  ChoiceInput c = claude({{"model", {.id = "claude-haiku-4-5-20251001"}}});
  c.model = "claude-haiku-4-5-20251001";
  c.small_model = "claude-haiku-4-5-20251001";
  auto flagged = choose_models(c, kServed);
  CHECK(flagged[0].source == Source::kFlag);
  CHECK(flagged[1].source == Source::kFlag);
  CHECK(flagged[1].option == "--small-model");
  c.small_model = "claude-haiku-3";
  CHECK(usage_message([&] { (void)choose_models(c, kServed); }).find("(--small-model)") !=
        std::string::npos);
}

TEST_CASE("models: one --model for CLIs of different families is refused") {
  auto msg = usage_message([] {
    check_one_family({{"claude-code", Family::kClaude},
                      {"codex", Family::kGpt},
                      {"opencode", Family::kAny},
                      {"gemini-cli", Family::kGemini}},
                     "--model", "gpt-5");
  });
  CHECK(msg.find("--model gpt-5 would go to CLIs of different families, claude-code (claude-*), "
                 "codex (gpt-*/o*) and gemini-cli (gemini-*)") == 0);
  CHECK(msg.find("`lwgw setup claude-code --model …`, then `lwgw setup codex --model …`") !=
        std::string::npos);
  // One family, and the CLIs that take any model, are fine.
  CHECK_NOTHROW(check_one_family(
      {{"codex", Family::kGpt}, {"opencode", Family::kAny}, {"aider", Family::kAny}}, "--model",
      "gpt-5"));
  CHECK_NOTHROW(check_one_family({{"opencode", Family::kAny}, {"aider", Family::kAny}}, "--model",
                                 "claude-sonnet-4-5"));
}

TEST_CASE("models: unknown list: nothing checked, nothing changed, a flag written unchecked") {
  auto picks = choose_models(claude({{"model", {.id = "claude-opus-4-1"}}}), std::nullopt);
  REQUIRE(picks.size() == 2);  // optional slots are left out
  for (const auto& p : picks) {
    CHECK(p.source == Source::kUnknown);
    CHECK_FALSE(p.write);
  }
  CHECK(picks[0].id == "claude-opus-4-1");
  CHECK(describe(picks) == "models not checked (the gateway's list is unknown): left as they are");
  ChoiceInput in = codex();
  in.model = "gw-model";
  auto flag = choose_models(in, std::nullopt);
  CHECK(flag[0].source == Source::kFlag);
  CHECK(flag[0].write);
  CHECK_FALSE(flag[0].served);
  CHECK(describe(flag) == "model gw-model (not checked: the gateway's list is unknown)");
  CHECK(warnings("codex", "Codex CLI", Family::kGpt, flag, {}).empty());
}

TEST_CASE("models: the served list in messages is cut after twelve") {
  List many;
  for (int i = 0; i < 14; ++i) many.push_back("m" + std::to_string(i));
  CHECK(served_list(many) == "m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, …");
  CHECK(served_list({}) == "nothing");
}
