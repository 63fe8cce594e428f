// Starting the proxy in the background: what `lwgw up` does, and `lwgw exec` and `lwgw setup`
// when no proxy runs.
#pragma once

#include <string>

#include "lwgw/context.hpp"

namespace lwgw::daemon {

/// The proxy that runs after start_background().
struct Started {
  std::string url;       // http://127.0.0.1:5566
  int pid = 0;           // 0 when unknown (a socket-activated proxy found by its listener)
  bool already = false;  // it ran before: nothing was started
};

/// Starts `lwgw up --foreground` detached and waits until it listens (or says why it cannot),
/// unless lwgw already answers where it should listen (`listen_flag`, else proxy.listen).
/// Throws Error: configuration problems, the port held by another program, a start failure.
Started start_background(Context& ctx, const std::string& listen_flag);

}  // namespace lwgw::daemon
