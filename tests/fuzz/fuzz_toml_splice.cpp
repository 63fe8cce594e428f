// Codex's config.toml: lwgw's edits spliced into any valid document re-parse, read back as
// written, and teardown's revert gives the document back byte for byte.
#include <cstdint>
#include <string>
#include <vector>

#include "lwgw/setup/edits.hpp"
#include "lwgw/toml_edit.hpp"
#include "property.hpp"

using namespace lwgw;
using namespace lwgw::setup;

namespace {
std::vector<Edit> codex_edits() {
  std::vector<Edit> e(3);
  e[0].path = {"model_provider"};
  e[0].value = "\"lwgw\"";
  e[1].path = {"model_providers", "lwgw", "base_url"};
  e[1].value = "\"http://127.0.0.1:5566/v1\"";
  e[2].path = {"model_providers", "lwgw", "env_key"};
  e[2].value = "\"LWGW_API_KEY\"";
  return e;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    toml_edit::validate(text);
  } catch (const toml_edit::ParseError&) {
    return 0;  // refused before any edit
  }
  std::string once;
  try {
    once = toml_edit::set(text, {"fuzz"}, "key", "\"value\"");
  } catch (const std::runtime_error&) {
    once.clear();  // an unsafe edit (inline table, a key naming a table) is refused
  }
  if (!once.empty()) {
    toml_edit::validate(once);  // throws (and so fails) when the output does not re-parse
    LWGW_PROPERTY(toml_edit::raw_value(once, {"fuzz"}, "key") == std::string("\"value\""));
  }
  std::vector<Edit> edits = codex_edits();
  std::string applied;
  try {
    applied = toml_apply(text, edits);
  } catch (const std::runtime_error&) {
    return 0;
  }
  toml_edit::validate(applied);
  LWGW_PROPERTY(toml_edit::raw_value(applied, {}, "model_provider") == std::string("\"lwgw\""));
  // Byte for byte, a final newline (or its absence) included.
  LWGW_PROPERTY(toml_revert(applied, edits) == text);
  return 0;
}
