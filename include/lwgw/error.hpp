// Exit codes and the one exception type the control plane throws (caught once in lwgw::run).
#pragma once

#include <stdexcept>
#include <string>

namespace lwgw {

/// Exit codes, as documented in the man page (EXIT STATUS).
enum class Exit : int {
  kOk = 0,
  kFailed = 1,      // the operation or a check failed
  kUsage = 2,       // usage error
  kConfig = 3,      // configuration or credential problem
  kNotRunning = 4,  // the local proxy is not running
};

/// An error for the user: `what()` is the message without the `lwgw: ` prefix.
class Error : public std::runtime_error {
 public:
  Error(Exit code, const std::string& message) : std::runtime_error(message), code_(code) {}
  Exit code() const { return code_; }

 private:
  Exit code_;
};

inline Error usage_error(const std::string& m) {
  return Error(Exit::kUsage, m);
}
inline Error config_error(const std::string& m) {
  return Error(Exit::kConfig, m);
}
inline Error failure(const std::string& m) {
  return Error(Exit::kFailed, m);
}

}  // namespace lwgw
