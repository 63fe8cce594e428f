// The proxy as a daemon, all of it: state file and liveness, the rotating log, who holds a port,
// the login-service files. Each part has its own header in lwgw/daemon/, beside its source in
// src/daemon/ (as do spawn, stop, host, preflight and service_plan).
#pragma once

#include "lwgw/daemon/log_file.hpp"
#include "lwgw/daemon/port_holder.hpp"
#include "lwgw/daemon/service_files.hpp"
#include "lwgw/daemon/state.hpp"
