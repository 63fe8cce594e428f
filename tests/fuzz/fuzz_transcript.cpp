// The transcript normaliser (`lwgw diff`): normalising twice changes nothing, and a normalised
// transcript survives printing and parsing.
#include <cstdint>
#include <string>

#include "lwgw/error.hpp"
#include "lwgw/probe/probe.hpp"
#include "property.hpp"

using namespace lwgw;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  probe::Transcript t;
  try {
    t = probe::parse_transcript(text);
  } catch (const Error&) {
    return 0;  // no status line: refused
  }
  const probe::Transcript once = probe::normalise(t);
  const probe::Transcript twice = probe::normalise(once);
  LWGW_PROPERTY(probe::format_transcript(twice) == probe::format_transcript(once));
  (void)probe::compare(once, t);
  // Not yet checked (see tests/fuzz/known/README.md): compare(once, once) is empty, and a
  // normalised transcript printed and parsed again gives the same lines.
  return 0;
}
