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
  // A transcript shows no difference from itself, raw or normalised.
  LWGW_PROPERTY(probe::compare(t, t).empty());
  LWGW_PROPERTY(probe::compare(once, once).empty());
  // A normalised transcript printed (as `lwgw smoke --record` writes it) and parsed again shows
  // the same lines.
  const probe::Transcript reread = probe::parse_transcript(probe::format_transcript(once));
  LWGW_PROPERTY(probe::transcript_lines(reread) == probe::transcript_lines(once));
  return 0;
}
