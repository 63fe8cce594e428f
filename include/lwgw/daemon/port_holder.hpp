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

}  // namespace lwgw::daemon
