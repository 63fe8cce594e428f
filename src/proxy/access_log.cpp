// The access log line: a fixed set of fields, in a fixed order.
#include "access_log.hpp"

#include <nlohmann/json.hpp>

namespace lwgw::proxy {

std::string access_log_line(const AccessRecord& r, const std::string& ts) {
  nlohmann::ordered_json line = {{"ts", ts},
                                 {"level", r.status >= 500 || !r.outcome.empty() ? "warn" : "info"},
                                 {"msg", "request"},
                                 {"method", r.method},
                                 {"path", r.path},
                                 {"status", r.status},
                                 {"duration_ms", static_cast<std::int64_t>(r.duration_ms)},
                                 {"ttfb_ms", static_cast<std::int64_t>(r.ttfb_ms)},
                                 {"bytes_in", r.bytes_in},
                                 {"bytes_out", r.bytes_out},
                                 {"stream", r.stream},
                                 {"client", r.client}};
  if (!r.request_id.empty()) line["request_id"] = r.request_id;
  if (!r.budget.empty()) line["budget_warning"] = r.budget;
  if (!r.outcome.empty()) line["outcome"] = r.outcome;
  if (!r.error.empty()) line["error"] = r.error;
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace lwgw::proxy
