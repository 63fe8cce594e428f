// The library's entry point: `main()` only forwards here.
#pragma once

#include <string>
#include <vector>

#include "lwgw/context.hpp"

namespace lwgw {

/// Parses `args` (without argv[0]) and runs the command. Returns the process exit code; never
/// throws. Errors are printed as `lwgw: error: …`, redacted.
int run(const std::vector<std::string>& args, Context& ctx);

/// Builds the real Context (environ, std streams, TTY prompt) and calls run().
int main_entry(int argc, char** argv, char** envp);

}  // namespace lwgw
