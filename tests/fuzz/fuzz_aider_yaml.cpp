// ~/.aider.conf.yml: a file the YAML check accepts still passes it with lwgw's block, and
// removing the block gives it back byte for byte.
#include <cstdint>
#include <string>

#include "lwgw/setup/edits.hpp"
#include "property.hpp"

using namespace lwgw::setup;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (check_yaml(text)) return 0;  // refused: left alone
  try {
    if (block_body(text)) return 0;
  } catch (const Malformed&) {
    return 0;  // a lone or repeated marker: refused
  }
  const std::string body = "openai-api-base: " + yaml_quote("http://127.0.0.1:5566/v1") +
                           "\nopenai-api-key: " + yaml_quote("lwgw_lt_fuzz");
  std::string edited;
  bool added = false;
  try {
    edited = block_set(text, body, &added);
  } catch (const Malformed&) {
    return 0;
  }
  LWGW_PROPERTY(!check_yaml(edited));
  LWGW_PROPERTY(block_remove(edited, added) == text);
  return 0;
}
