// Levelled, redacted logging to a stream.
#include "lwgw/log.hpp"

#include <algorithm>
#include <cctype>

#include "lwgw/redact.hpp"

namespace lwgw {

std::optional<Level> parse_level(const std::string& name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  if (n == "error") return Level::kError;
  if (n == "warn" || n == "warning") return Level::kWarn;
  if (n == "info") return Level::kInfo;
  if (n == "debug") return Level::kDebug;
  if (n == "trace") return Level::kTrace;
  return std::nullopt;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::kError:
      return "error";
    case Level::kWarn:
      return "warn";
    case Level::kInfo:
      return "info";
    case Level::kDebug:
      return "debug";
    case Level::kTrace:
      return "trace";
  }
  return "info";
}

void Logger::write(Level level, const char* tag, const std::string& msg) {
  if (level <= Level::kWarn) ++problems_;
  if (!enabled(level)) return;
  std::lock_guard<std::mutex> lock(mutex_);
  *out_ << "lwgw: " << tag << redact(msg) << '\n' << std::flush;
}

}  // namespace lwgw
