// The access log line: a fixed set of fields, in a fixed order, written by hand (a general JSON
// library costs more per request than the rest of the proxy's own work).
#include "access_log.hpp"

#include <cstdio>

namespace lwgw::proxy {

namespace {

// Appends `s` as a JSON string; bytes that are not valid UTF-8 become U+FFFD.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      // A UTF-8 sequence: its length from the lead byte, each continuation byte checked.
      std::size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
      bool ok = len > 0 && i + len <= s.size();
      for (std::size_t k = 1; ok && k < len; ++k)
        ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
      if (ok) {
        out.append(s.data() + i, len);
        i += len - 1;
      } else {
        out += "\xef\xbf\xbd";
      }
    }
  }
  out += '"';
}

void field(std::string& out, const char* name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":";
  append_json_string(out, value);
}

void field(std::string& out, const char* name, std::uint64_t value) {
  out += ",\"";
  out += name;
  out += "\":";
  out += std::to_string(value);
}

}  // namespace

std::string access_log_line(const AccessRecord& r, const std::string& ts) {
  std::string out;
  out.reserve(320);
  out += "{\"ts\":";
  append_json_string(out, ts);
  field(out, "level", r.status >= 500 || !r.outcome.empty() ? "warn" : "info");
  field(out, "msg", "request");
  field(out, "method", r.method);
  field(out, "path", r.path);
  out += ",\"status\":" + std::to_string(r.status);
  field(out, "duration_ms", static_cast<std::uint64_t>(r.duration_ms > 0 ? r.duration_ms : 0));
  field(out, "ttfb_ms", static_cast<std::uint64_t>(r.ttfb_ms > 0 ? r.ttfb_ms : 0));
  field(out, "bytes_in", r.bytes_in);
  field(out, "bytes_out", r.bytes_out);
  out += r.stream ? ",\"stream\":true" : ",\"stream\":false";
  field(out, "client", r.client);
  if (!r.model.empty()) field(out, "model", r.model);
  if (!r.request_id.empty()) field(out, "request_id", r.request_id);
  if (!r.budget.empty()) field(out, "budget_warning", r.budget);
  if (!r.outcome.empty()) field(out, "outcome", r.outcome);
  if (!r.error.empty()) field(out, "error", r.error);
  out += '}';
  return out;
}

}  // namespace lwgw::proxy
