// JSON settings files (Claude Code, Gemini CLI, opencode): lwgw's edits keep the document
// valid, and teardown's revert gives back the same document (same keys, order and values).
#include <cstdint>
#include <string>
#include <vector>

#include "lwgw/setup/edits.hpp"
#include "property.hpp"

using namespace lwgw::setup;
using json = nlohmann::ordered_json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  json before;
  if (parse_json(text, before) || !before.is_object()) return 0;  // refused: left alone
  std::vector<Edit> edits(3);
  edits[0].path = {"env", "ANTHROPIC_BASE_URL"};
  edits[0].value = "http://127.0.0.1:5566";
  edits[1].path = {"env", "ANTHROPIC_AUTH_TOKEN"};
  edits[1].value = "lwgw_lt_fuzz";
  edits[2].path = {"apiKeyHelper"};  // no value: a deletion
  std::string applied;
  try {
    applied = json_apply(text, edits);
  } catch (const Malformed&) {
    return 0;  // e.g. "env" is not an object: refused
  }
  json after;
  LWGW_PROPERTY(!parse_json(applied, after));
  LWGW_PROPERTY(json_get(after, {"env", "ANTHROPIC_AUTH_TOKEN"}) == json("lwgw_lt_fuzz"));
  LWGW_PROPERTY(!json_get(after, {"apiKeyHelper"}));
  json reverted;
  LWGW_PROPERTY(!parse_json(json_revert(applied, edits), reverted));
  // The same document: keys, values and order (a key lwgw deleted goes back where it was).
  LWGW_PROPERTY(reverted == before);
  LWGW_PROPERTY(reverted.dump() == before.dump());
  return 0;
}
