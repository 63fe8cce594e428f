// The proxy's request-head parser and body decoder, and the check of the gateway's head lines.
#include <cstdint>
#include <string>
#include <string_view>

#include "lwgw/proxy/http1.hpp"
#include "property.hpp"

using namespace lwgw::proxy;

namespace {
bool clean(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u == '\r' || u == '\n' || u == 0) return false;
  }
  return true;
}

// Whatever the split, a body decodes to the same bytes with the same verdict.
void check_body(const http1::RequestHead& head, std::string_view rest) {
  http1::BodyDecoder whole(head, 1 << 20);
  std::string one;
  const std::size_t used = whole.feed(rest, &one);
  const std::size_t split = rest.size() / 2;
  http1::BodyDecoder parts(head, 1 << 20);
  std::string two;
  std::size_t used2 = parts.feed(rest.substr(0, split), &two);
  if (used2 == split && !parts.done() && parts.error() == http1::ParseError::kNone)
    used2 += parts.feed(rest.substr(split), &two);
  LWGW_PROPERTY(whole.error() == parts.error());
  if (whole.error() == http1::ParseError::kNone) {
    LWGW_PROPERTY(one == two);
    LWGW_PROPERTY(used == used2);
    LWGW_PROPERTY(whole.done() == parts.done());
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t end = in.find("\r\n\r\n");
  const std::string_view head_text = end == std::string_view::npos ? in : in.substr(0, end + 4);
  const http1::HeadResult r = http1::parse_head(head_text);
  if (r.error == http1::ParseError::kNone) {
    const auto& h = r.head;
    LWGW_PROPERTY(h.headers.size() <= http1::kMaxHeaders);
    LWGW_PROPERTY(h.target == "*" || (!h.target.empty() && h.target.front() == '/'));
    LWGW_PROPERTY(h.target.find('#') == std::string::npos);
    LWGW_PROPERTY(!(h.chunked && h.content_length));
    for (const auto& [name, value] : h.headers) {
      LWGW_PROPERTY(!name.empty() && clean(name) && name.find(' ') == std::string::npos);
      LWGW_PROPERTY(name.find(':') == std::string::npos);
      LWGW_PROPERTY(clean(value));
    }
    if (end != std::string_view::npos) check_body(h, in.substr(end + 4));
  }
  // The same bytes as lines of a gateway's response head.
  std::string_view rest = in;
  while (!rest.empty()) {
    const std::size_t lf = rest.find('\n');
    const std::string_view line =
        rest.substr(0, lf == std::string_view::npos ? rest.size() : lf + 1);
    rest.remove_prefix(line.size());
    const http1::ResponseLine l = http1::parse_response_line(line);
    if (l.kind == http1::ResponseLine::Kind::kField)
      LWGW_PROPERTY(clean(l.name) && clean(l.value) && !l.name.empty());
    if (l.kind == http1::ResponseLine::Kind::kStatus)
      LWGW_PROPERTY(l.status >= 100 && l.status <= 599 && clean(l.reason));
  }
  return 0;
}
