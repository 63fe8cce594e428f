// Levelled logging for the command-line side; every line goes through redact().
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>

namespace lwgw {

enum class Level { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3, kTrace = 4 };

/// Parses "error|warn|info|debug|trace" (case-insensitive); nullopt otherwise.
std::optional<Level> parse_level(const std::string& name);
const char* level_name(Level level);

/// Writes `lwgw: warning: …`-style lines to one stream, redacted, thread-safe.
class Logger {
 public:
  explicit Logger(std::ostream& out, Level level = Level::kInfo) : out_(&out), level_(level) {}
  void set_level(Level level) { level_ = level; }
  Level level() const { return level_; }
  bool enabled(Level level) const { return level <= level_; }

  void error(const std::string& msg) { write(Level::kError, "error: ", msg); }
  void warn(const std::string& msg) { write(Level::kWarn, "warning: ", msg); }
  void info(const std::string& msg) { write(Level::kInfo, "", msg); }
  void debug(const std::string& msg) { write(Level::kDebug, "debug: ", msg); }
  /// How many warnings and errors were reported so far (shown or not, with -q).
  int problems() const { return problems_.load(); }

 private:
  void write(Level level, const char* tag, const std::string& msg);
  std::ostream* out_;
  Level level_;
  std::mutex mutex_;
  std::atomic<int> problems_{0};
};

}  // namespace lwgw
