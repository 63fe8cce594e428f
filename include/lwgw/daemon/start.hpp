// Starting the proxy in the background (what `lwgw up` does, and `lwgw exec` and `lwgw setup`
// when no proxy runs), and telling lwgw from another program on the proxy's address.
#pragma once

#include <string>

#include "lwgw/context.hpp"

namespace lwgw::daemon {

/// What answers on a proxy address.
struct Listener {
  enum class Kind {
    kLwgw,     // lwgw's GET /_lwgw/healthz answered (a socket-activated proxy starts on it)
    kNone,     // nothing listens (connection refused)
    kForeign,  // another program, or an lwgw that does not answer
  };
  Kind kind = Kind::kNone;
  std::string detail;  // kForeign: what answered and who holds the port, for messages
};

/// Asks http://`listen`/_lwgw/healthz (2 s to connect, 5 s in all).
Listener probe_listener(const std::string& listen, const Env& env);

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
