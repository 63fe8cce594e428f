// `lwgw logs` for a person: the proxy's JSON log lines as one readable line each, and the
// --since / --grep filters. Pure (no I/O), unit-tested.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace lwgw::logview {

/// The moment `--since VALUE` names: a duration back from `now` (`30s`, `10m`, `2h`, `1d`, `1w`,
/// combined as `1h30m`), or a time: RFC 3339 (`2026-11-27T14:39:03Z`, `…+01:00`), the same
/// without a zone (local time), or a date alone (its local midnight). nullopt when it is neither.
std::optional<std::time_t> parse_since(std::string_view text, std::time_t now);

/// The "ts" of a JSON log line; nullopt for a line without one (or one that is not JSON).
std::optional<std::time_t> line_time(std::string_view line);

/// How a line is shown as text.
struct TextStyle {
  bool color = false;  // ANSI colours: yellow for 4xx and warnings, red for 5xx and lwgw's errors
  /// Lines from another (local) day than `now` show their date too; 0: never.
  std::time_t now = 0;
};

/// One log line for a person (no newline). A request:
///   `14:39:03 claude-code POST /v1/messages 200 205 ms stream claude-sonnet-4 req_2c88…`
/// then, when they apply, the error code (the gateway's or lwgw's own), how it ended
/// (`client_closed`, …) and a budget warning. Lifecycle lines (listening, draining, stopped,
/// warnings) read as sentences. A line that is not a JSON object is returned as it is.
std::string to_text(std::string_view line, const TextStyle& style);

/// Which lines --since and --grep keep. A line without a time (something the daemon wrote to its
/// stderr) goes with the line before it.
class Filter {
 public:
  Filter(std::optional<std::time_t> since, std::string grep, std::time_t now = 0);
  /// Whether `line` is shown: at or after `since`, and containing the grep text, in the JSON
  /// line or in its text form (case-sensitive, like grep).
  bool keep(std::string_view line);
  bool active() const { return since_.has_value() || !grep_.empty(); }

 private:
  std::optional<std::time_t> since_;
  std::string grep_;
  std::time_t now_;
  bool previous_in_range_ = false;
};

}  // namespace lwgw::logview
