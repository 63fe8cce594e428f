// The model choice rules of `lwgw setup` (pure): ranking the served models per family and tier,
// and picking, slot by slot, the model each CLI will ask for.
#include "lwgw/setup/model_choice.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <tuple>

#include "lwgw/error.hpp"

namespace lwgw::setup {

namespace {

bool contains(std::string_view s, std::string_view word) {
  return s.find(word) != std::string_view::npos;
}

// The name without a provider prefix ("openai/gpt-5" -> "gpt-5").
std::string_view base_name(std::string_view id) {
  auto slash = id.rfind('/');
  return slash == std::string_view::npos ? id : id.substr(slash + 1);
}

// One of the name's dash-separated words ("mini" in gpt-5-mini, not in gemini-2.5-pro).
bool has_word(std::string_view name, std::string_view word) {
  for (size_t start = 0; start <= name.size();) {
    size_t end = name.find('-', start);
    if (end == std::string_view::npos) end = name.size();
    if (name.substr(start, end - start) == word) return true;
    start = end + 1;
  }
  return false;
}

bool is_small(std::string_view name) {
  for (std::string_view w : {"haiku", "mini", "nano", "lite", "small"})
    if (has_word(name, w)) return true;
  return false;
}

// Where the family's own order puts a model of equal version (lower first).
int family_order(Family f, std::string_view name) {
  static const std::vector<std::string_view> kClaude = {"sonnet", "opus", "haiku"};
  static const std::vector<std::string_view> kGpt = {"codex", "", "mini", "nano"};
  static const std::vector<std::string_view> kGemini = {"pro", "flash", "lite"};
  const auto& words = f == Family::kClaude ? kClaude : f == Family::kGemini ? kGemini : kGpt;
  for (size_t i = 0; i < words.size(); ++i)
    if (!words[i].empty() && has_word(name, words[i])) return static_cast<int>(i);
  // gpt: a plain model (no word of the list) comes right after the codex ones.
  return f == Family::kGpt ? 1 : static_cast<int>(words.size());
}

// The version numbers in a name (dates, 4 digits and more, apart): claude-sonnet-4-5-20250929
// has version {4, 5} and date 20250929; gpt-4.1-mini {4, 1}; gemini-2.5-flash {2, 5}.
struct Version {
  std::vector<long> numbers;
  long date = 0;
};

Version version_of(std::string_view name) {
  Version v;
  for (size_t i = 0; i < name.size();) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) ++j;
    const std::string digits(name.substr(i, j - i));
    const long n = std::stol(digits.substr(0, 9));
    if (digits.size() >= 4)
      v.date = std::max(v.date, n);
    else
      v.numbers.push_back(n);
    i = j;
  }
  return v;
}

int family_rank(Family f) {
  switch (f) {
    case Family::kGpt:
      return 0;
    case Family::kClaude:
      return 1;
    case Family::kGemini:
      return 2;
    case Family::kAny:
      break;
  }
  return 3;
}

Pick flag_pick(const SlotSpec& slot, const std::string& flag,
               const std::optional<std::vector<std::string>>& served, bool force) {
  const bool on_list = served && std::count(served->begin(), served->end(), flag) > 0;
  if (served && !on_list && !force)
    check_served(slot.from_small_flag ? "--small-model" : "--model", flag, *served, force);
  return {.slot = slot.name,
          .id = flag,
          .source = served && !on_list ? Source::kForced : Source::kFlag,
          .write = true,
          .served = on_list};
}

// A slot without a flag, the list known.
Pick auto_pick(const SlotSpec& slot, Family family, const std::optional<Configured>& conf,
               const std::vector<std::string>& served) {
  Pick p{.slot = slot.name};
  const bool conf_fits =
      conf && !conf->id.empty() && (slot.word.empty() || contains(base_name(conf->id), slot.word));
  if (conf_fits && std::count(served.begin(), served.end(), conf->id) > 0) {
    p.id = conf->id;
    p.source = Source::kConfigured;
    p.write = !conf->elsewhere || conf->rewrite;
    p.served = true;
    return p;
  }
  auto best = ranked(served, family, slot.tier, slot.word);
  if (!best.empty()) {
    p.id = best.front();
    p.source = Source::kChosen;
    p.write = true;
    p.served = true;
    return p;
  }
  p.id = conf ? conf->id : "";
  p.source = Source::kNone;
  return p;
}

}  // namespace

std::string family_label(Family f) {
  switch (f) {
    case Family::kClaude:
      return "claude-*";
    case Family::kGpt:
      return "gpt-*/o*";
    case Family::kGemini:
      return "gemini-*";
    case Family::kAny:
      break;
  }
  return "any";
}

Family family_of(std::string_view id) {
  const std::string_view m = base_name(id);
  auto starts = [&](std::string_view p) { return m.substr(0, p.size()) == p; };
  if (starts("claude-")) return Family::kClaude;
  if (starts("gemini-")) return Family::kGemini;
  if (starts("gpt-") || starts("chatgpt-") || starts("codex-") ||
      (m.size() > 1 && m[0] == 'o' && std::isdigit(static_cast<unsigned char>(m[1]))))
    return Family::kGpt;
  return Family::kAny;
}

bool in_family(std::string_view id, Family f) {
  const std::string_view m = base_name(id);
  if (m.empty()) return false;
  for (std::string_view w : {"embed", "tts", "whisper", "transcri", "realtime", "image", "audio",
                             "dall-e", "moderation", "rerank", "speech"})
    if (contains(m, w)) return false;
  return f == Family::kAny || family_of(id) == f;
}

std::vector<std::string> ranked(const std::vector<std::string>& served, Family f, Tier tier,
                                std::string_view word) {
  using Key = std::tuple<int, int, std::vector<long>, int, long, std::string>;
  std::vector<std::pair<Key, std::string>> keyed;
  std::set<std::string> seen;
  for (const auto& id : served) {
    const std::string_view name = base_name(id);
    if (!in_family(id, f) || (!word.empty() && !has_word(name, word)) || !seen.insert(id).second)
      continue;
    const Family own = family_of(id);
    const bool wrong_size = is_small(name) != (tier == Tier::kSmall);
    Version v = version_of(name);
    // Descending version and date: negate them so that one ascending sort does everything.
    std::vector<long> neg;
    for (long n : v.numbers) neg.push_back(-n);
    neg.push_back(1);  // a longer version (4.5) sorts before its prefix (4)
    keyed.push_back({Key{wrong_size ? 1 : 0, f == Family::kAny ? family_rank(own) : 0, neg,
                         family_order(own, name), -v.date, id},
                     id});
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> out;
  out.reserve(keyed.size());
  for (auto& [k, id] : keyed) out.push_back(id);
  return out;
}

std::vector<Pick> choose_models(const ChoiceInput& in,
                                const std::optional<std::vector<std::string>>& served) {
  std::vector<Pick> out;
  for (size_t i = 0; i < in.slots.size(); ++i) {
    const SlotSpec& slot = in.slots[i];
    const std::string& flag = slot.from_small_flag ? in.small_model : (i == 0 ? in.model : "");
    std::optional<Configured> conf;
    if (auto it = in.configured.find(slot.name); it != in.configured.end()) conf = it->second;
    Family family = in.family;
    if (i > 0 && family == Family::kAny && !out.empty() && !out.front().id.empty())
      family = family_of(out.front().id);
    Pick p;
    const std::string option = slot.from_small_flag ? "--small-model" : i == 0 ? "--model" : "";
    if (!flag.empty()) {
      p = flag_pick(slot, flag, served, in.force);
    } else if (!served) {
      p = {.slot = slot.name, .id = conf ? conf->id : "", .source = Source::kUnknown};
    } else {
      p = auto_pick(slot, family, conf, *served);
    }
    if (slot.optional && p.source == Source::kNone && p.id.empty()) continue;
    if (slot.optional && p.source == Source::kUnknown) continue;
    p.option = option;
    p.word = slot.word;
    out.push_back(p);
  }
  return out;
}

void check_one_family(const std::vector<std::pair<std::string, Family>>& clis,
                      std::string_view option, const std::string& value) {
  std::vector<std::pair<std::string, Family>> specific;
  for (const auto& c : clis)
    if (c.second != Family::kAny &&
        std::none_of(specific.begin(), specific.end(),
                     [&](const auto& s) { return s.second == c.second; }))
      specific.push_back(c);
  if (specific.size() < 2) return;
  std::string which;
  for (size_t i = 0; i < specific.size(); ++i)
    which += (i == 0                     ? ""
              : i + 1 == specific.size() ? " and "
                                         : ", ") +
             specific[i].first + " (" + family_label(specific[i].second) + ")";
  throw usage_error(
      std::string(option) + " " + value + " would go to CLIs of different families, " + which +
      ", and one model cannot be right for all of them: set them up one at " +
      "a time (`lwgw setup " + specific[0].first + " " + std::string(option) +
      " …`, then `lwgw setup " + specific[1].first + " " + std::string(option) + " …`), or leave " +
      std::string(option) + " out and setup picks a served model for each");
}

void check_served(std::string_view option, const std::string& value,
                  const std::vector<std::string>& served, bool force) {
  if (force || std::count(served.begin(), served.end(), value) > 0) return;
  throw usage_error("the gateway does not serve " + value + " (" + std::string(option) +
                    "); it serves: " + served_list(served) +
                    ". Pick one of those, or add --force to write " + value + " anyway");
}

std::string served_list(const std::vector<std::string>& served) {
  std::string list;
  for (size_t i = 0; i < served.size() && i < 12; ++i) list += (i ? ", " : "") + served[i];
  if (served.size() > 12) list += ", …";
  return list.empty() ? "nothing" : list;
}

std::string describe(const std::vector<Pick>& picks) {
  if (!picks.empty() && std::all_of(picks.begin(), picks.end(),
                                    [](const Pick& p) { return p.source == Source::kUnknown; }))
    return picks.size() > 1 ? "models not checked (the gateway's list is unknown): left as they are"
                            : "model not checked (the gateway's list is unknown): left as it is";
  std::string out;
  for (const Pick& p : picks) {
    out += (out.empty() ? "" : ", ") + p.slot + " ";
    const std::string id = p.id.empty() ? "its built-in default" : p.id;
    switch (p.source) {
      case Source::kFlag:
        out += id + (p.served ? " (served)" : " (not checked: the gateway's list is unknown)");
        break;
      case Source::kForced:
        out += id + " (NOT served; written because of --force)";
        break;
      case Source::kConfigured:
        out += id + " (served, as configured)";
        break;
      case Source::kChosen:
        out += id + " (served)";
        break;
      case Source::kNone:
        out += id + " (NOT served)";
        break;
      case Source::kUnknown:
        out += id + " (not checked)";
        break;
    }
  }
  return out;
}

std::vector<std::string> warnings(std::string_view cli, std::string_view title, Family family,
                                  const std::vector<Pick>& picks,
                                  const std::vector<std::string>& served) {
  std::vector<std::string> out;
  const std::string c(cli);
  for (const Pick& p : picks) {
    const std::string fix = p.option.empty()
                                ? "change that setting to one of them"
                                : "pick one with `lwgw setup " + c + " " + p.option + " NAME`";
    if (p.source == Source::kForced)
      out.push_back(c + ": " + p.id + " is not on the gateway's list and was written because of " +
                    "--force: " + std::string(title) +
                    "'s requests for it fail (model_not_allowed) until the gateway serves it");
    if (p.source != Source::kNone) continue;
    const std::string asks =
        p.id.empty() ? "its built-in default model" : p.id + " (its own setting)";
    out.push_back(c + ": the gateway serves no " +
                  (family == Family::kAny ? std::string("chat") : family_label(family)) +
                  (p.word.empty() ? "" : " " + p.word) + " model for " + std::string(title) +
                  "'s " + p.slot + ", so its requests for " + asks +
                  " will fail (model_not_allowed). The gateway serves: " + served_list(served) +
                  "; " + fix);
  }
  return out;
}

}  // namespace lwgw::setup
