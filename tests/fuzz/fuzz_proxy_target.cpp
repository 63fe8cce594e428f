// Request-target routing (path_escapes, routes, the `?key=` strip) and credential extraction.
#include <curl/curl.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "lwgw/proxy/rules.hpp"
#include "property.hpp"

using namespace lwgw::proxy;

namespace {
// What libcurl makes of the path when it normalises (no CURLU_PATH_AS_IS): the proxy's own
// check must leave nothing for it to remove.
bool curl_keeps(const std::string& path) {
  CURLU* u = curl_url();
  bool same = true;
  if (curl_url_set(u, CURLUPART_URL, ("http://gateway.invalid" + path).c_str(), 0) == CURLUE_OK) {
    char* got = nullptr;
    if (curl_url_get(u, CURLUPART_PATH, &got, 0) == CURLUE_OK) {
      same = path == got;
      curl_free(got);
    }
  }
  curl_url_cleanup(u);
  return same;
}

bool plain(std::string_view s) {  // what the HTTP/1.1 parser lets through in a path
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '#' || c == '?') return false;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = in.find('\n');
  const std::string target = "/" + in.substr(0, nl);
  const std::string path(path_of(target));
  if (!path_escapes(path) && plain(path)) LWGW_PROPERTY(curl_keeps(path));
  const std::string stripped = strip_query_key(target);
  LWGW_PROPERTY(stripped.rfind(path, 0) == 0);
  // No query parameter named `key` is left (the gateway must never see the local token).
  std::string_view query = std::string_view(stripped).substr(path.size());
  if (!query.empty()) query.remove_prefix(1);
  for (std::size_t start = 0; start <= query.size();) {
    const std::size_t amp = query.find('&', start);
    const std::string_view param =
        query.substr(start, amp == std::string_view::npos ? amp : amp - start);
    LWGW_PROPERTY(param.substr(0, 4) != "key=" && param != "key");
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }

  // Headers: the rest, one `name:value` per line.
  HeaderList headers;
  std::string rest = nl == std::string::npos ? "" : in.substr(nl + 1);
  for (std::size_t start = 0; start < rest.size();) {
    std::size_t end = rest.find('\n', start);
    if (end == std::string::npos) end = rest.size();
    const std::string line = rest.substr(start, end - start);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos)
      headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    start = end + 1;
  }
  const ClientCredential cred = find_client_credential(headers, target);
  const std::string vk = "vk-lw-FUZZFUZZFUZZFUZZFUZZFUZZ01";
  const HeaderList out = upstream_request_headers(headers, cred.place, vk);
  int credentials = 0;
  for (const auto& [k, v] : out) {
    const bool is_cred =
        header_name_equals(k, "authorization") || header_name_equals(k, "x-api-key") ||
        header_name_equals(k, "x-goog-api-key") || header_name_equals(k, "xi-api-key");
    if (!is_cred) continue;
    ++credentials;
    LWGW_PROPERTY(v == vk || v == "Bearer " + vk);  // exactly one credential, and it is the VK
  }
  LWGW_PROPERTY(credentials == 1);
  return 0;
}
