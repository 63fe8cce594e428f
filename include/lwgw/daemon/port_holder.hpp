// Who holds a local TCP port (for the "port already in use" message).
#pragma once

#include <optional>
#include <string>

namespace lwgw::daemon {

/// The pid and program listening on a local TCP port, from /proc (Linux); nullopt if unknown.
struct Holder {
  int pid = 0;
  std::string program;
};
std::optional<Holder> port_holder(int port);

/// Whether something listens on a local TCP port (Linux: /proc/net/tcp{,6}), even when its owner
/// cannot be seen (another user's process); false when unknown.
bool port_listening(int port);

/// Whether process `pid` holds the socket listening on a local TCP port (Linux: one of its fds
/// is that socket; a socket shared with a service manager counts for both).
enum class Hold {
  kYes,
  kNo,       // something else listens there
  kNobody,   // nothing listens on the port
  kUnknown,  // cannot tell (no /proc, or another user's process)
};
Hold holds_listener(int pid, int port);

}  // namespace lwgw::daemon
