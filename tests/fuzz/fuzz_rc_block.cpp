// The marked block in shell rc files: set then remove gives the file back byte for byte.
#include <cstdint>
#include <string>

#include "lwgw/setup/edits.hpp"
#include "property.hpp"

using namespace lwgw::setup;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string body =
      "[ -f \"$HOME/.config/lwgw/env.sh\" ] && . \"$HOME/.config/lwgw/env.sh\"";
  bool had_block = false;
  std::string edited;
  bool added = false;
  try {
    had_block = block_body(text).has_value();
    edited = block_set(text, body, &added);
  } catch (const Malformed&) {
    return 0;  // refused: a pure function, so the file stays as it was
  }
  LWGW_PROPERTY(block_body(edited) == body + "\n" || block_body(edited) == body);
  LWGW_PROPERTY(block_set(edited, body) == edited);  // applying twice changes nothing
  if (!had_block) LWGW_PROPERTY(block_remove(edited, added) == text);
  return 0;
}
