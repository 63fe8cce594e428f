// Where the library versions lwgw builds against differ in their API, in one place. Each entry
// names the versions; everything else in lwgw uses only API that all of them share (Debian 12,
// Debian 13, Ubuntu 24.04, Homebrew).
#pragma once

#include <curl/curl.h>

namespace lwgw::compat {

/// Whether `code` is libcurl refusing a response header line too large to read (over 100 KiB):
/// CURLE_OUT_OF_MEMORY up to libcurl 8.5 (Debian 12: 7.88.1, Ubuntu 24.04: 8.5.0), CURLE_TOO_LARGE
/// from 8.6.0 (Debian 13: 8.14.1), which also added that code to curl.h.
inline bool curl_header_too_large(CURLcode code) {
#if LIBCURL_VERSION_NUM >= 0x080600
  if (code == CURLE_TOO_LARGE) return true;
#endif
  return code == CURLE_OUT_OF_MEMORY;
}

}  // namespace lwgw::compat
