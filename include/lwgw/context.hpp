// What every command receives: the injected environment, paths, terminal and global options.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "lwgw/config.hpp"
#include "lwgw/environment.hpp"
#include "lwgw/log.hpp"

namespace lwgw {

class CredentialStore;

/// The terminal side: streams, whether they are TTYs, and a no-echo prompt.
struct Io {
  std::istream* in;
  std::ostream* out;  // redacted line by line while a command runs
  std::ostream* err;  // redacted line by line while a command runs
  /// The unredacted stdout, for the rare output whose purpose is a secret (`env --direct`).
  std::ostream* raw_out = nullptr;
  bool in_tty = false;
  bool out_tty = false;
  /// Prompts on the terminal with echo off and returns the line; nullopt on EOF/no terminal.
  std::function<std::optional<std::string>(const std::string& prompt)> read_secret;
};

/// Options valid before or after any command.
struct GlobalOptions {
  std::string config_path;  // --config
  int verbose = 0;          // -v (repeatable)
  bool quiet = false;       // -q
  bool no_color = false;    // --no-color
  bool json = false;        // --json
};

class Context {
 public:
  Context(Env env, Io io, std::string self_exe);
  ~Context();

  Env env;
  Io io;
  GlobalOptions opts;
  std::string self_exe;  // absolute path of the running lwgw binary

  /// Paths, resolved on first use (after --config is known). Throws Error(kConfig) without HOME.
  const Paths& paths();
  /// The layered configuration, loaded on first use; prints its warnings once.
  Config& config();
  /// Reads the configuration again on next use (after a command changed the user file).
  void reload_config();
  /// The credential store chosen by the configuration.
  CredentialStore& credentials();
  /// stderr logger honouring -v/-q and log.level.
  Logger& log();
  /// Drops the logger (it points at the stream of the command that just ended).
  void end_command() { log_.reset(); }

  /// Colour is used only on a TTY, without --no-color and without NO_COLOR.
  bool color() const;
  /// Wraps `text` in an ANSI colour when color() allows (31 red, 32 green, 33 yellow, 2 dim).
  std::string paint(const std::string& text, int code) const;

 private:
  std::optional<Paths> paths_;
  std::optional<Config> config_;
  std::unique_ptr<CredentialStore> store_;
  std::unique_ptr<Logger> log_;
};

}  // namespace lwgw
