// Running helper programs (secret-tool, security, systemctl…) with secrets only on stdin.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lwgw/environment.hpp"

namespace lwgw::process {

struct Result {
  int exit_code = -1;  // -1 when the program could not be started or was killed
  std::string out;
  std::string err;
  bool timed_out = false;  // killed after the timeout
};

/// Runs `argv` (argv[0] looked up in the Env's PATH) with `input` on its stdin and the Env as
/// its environment; waits and captures both outputs. Never throws for a failing program.
Result run(const std::vector<std::string>& argv, const std::string& input, const Env& env);
/// The same, killing the program (and the process group it runs in) after `timeout_ms`
/// (negative: no limit); `timed_out` tells.
Result run(const std::vector<std::string>& argv, const std::string& input, const Env& env,
           int timeout_ms);

/// The absolute path of `program` along the Env's PATH, or nullopt.
std::optional<std::filesystem::path> find_in_path(const std::string& program, const Env& env);

/// The environment as a `NAME=value` list.
std::vector<std::string> to_envp(const Env& env);
/// The NULL-terminated char* array execve() wants, pointing into `strings` (which must outlive
/// it and not change).
std::vector<char*> c_strings(std::vector<std::string>& strings);

}  // namespace lwgw::process
