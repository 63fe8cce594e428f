// The command line before CLI11: "did you mean" suggestions, where the command word is,
// `help COMMAND` and `exec CLI ARGS…` (pure functions).
#include <doctest/doctest.h>

#include "lwgw/cli_args.hpp"
#include "lwgw/util/suggest.hpp"

using namespace lwgw;
using Args = std::vector<std::string>;

TEST_CASE("suggest: edit distance counts insertions, deletions, substitutions and swaps") {
  CHECK(util::edit_distance("setup", "setup") == 0);
  CHECK(util::edit_distance("stup", "setup") == 1);    // a letter missing
  CHECK(util::edit_distance("setupp", "setup") == 1);  // one too many
  CHECK(util::edit_distance("sevup", "setup") == 1);   // one wrong
  CHECK(util::edit_distance("setpu", "setup") == 1);   // two swapped
  CHECK(util::edit_distance("SETUP", "setup") == 0);   // case does not count
  CHECK(util::edit_distance("", "up") == 2);
  CHECK(util::edit_distance("doctor", "down") == 4);
}

TEST_CASE("suggest: the closest command, a unique prefix, or nothing") {
  const Args commands = {"help", "login",  "logout", "whoami",     "setup",  "teardown", "env",
                         "exec", "up",     "down",   "status",     "logs",   "service",  "smoke",
                         "diff", "doctor", "config", "completion", "version"};
  CHECK(util::closest("stup", commands) == "setup");
  CHECK(util::closest("setpu", commands) == "setup");
  CHECK(util::closest("statsu", commands) == "status");
  CHECK(util::closest("dwn", commands) == "down");
  CHECK(util::closest("teardwon", commands) == "teardown");
  CHECK(util::closest("Login", commands) == "login");
  CHECK(util::closest("doc", commands) == "doctor");  // the only command it begins
  CHECK(util::closest("compl", commands) == "completion");
  CHECK_FALSE(util::closest("s", commands));   // begins too many
  CHECK_FALSE(util::closest("xy", commands));  // 2 edits from "up": too far for 2 letters
  CHECK_FALSE(util::closest("frobnicate", commands));
  CHECK_FALSE(util::closest("", commands));
  CHECK(util::did_you_mean("stup", commands) == "; did you mean 'setup'?");
  CHECK(util::did_you_mean("frobnicate", commands).empty());
}

TEST_CASE("cli_args: the command word comes after global options and --config's value") {
  CHECK(cli_args::command_index({"setup"}) == 0u);
  CHECK(cli_args::command_index({"--json", "-v", "setup", "codex"}) == 2u);
  CHECK(cli_args::command_index({"--config", "my.toml", "status"}) == 2u);
  CHECK(cli_args::command_index({"--config=my.toml", "status"}) == 1u);
  CHECK_FALSE(cli_args::command_index({"--help"}));
  CHECK_FALSE(cli_args::command_index({}));
  CHECK_FALSE(cli_args::command_index({"--", "setup"}));
}

TEST_CASE("cli_args: help COMMAND is COMMAND --help") {
  CHECK(cli_args::normalize({"help"}) == Args{"--help"});
  CHECK(cli_args::normalize({"help", "setup"}) == Args{"setup", "--help"});
  CHECK(cli_args::normalize({"--no-color", "help", "config", "set"}) ==
        Args{"--no-color", "config", "set", "--help"});
  CHECK(cli_args::normalize({"help", "exec", "codex"}) == Args{"exec", "codex", "--help"});
  CHECK(cli_args::normalize({"help", "help"}) == Args{"--help"});
  CHECK(cli_args::normalize({"help", "nosuch"}) == Args{"nosuch", "--help"});
  CHECK(cli_args::normalize({"setup", "help"}) == Args{"setup", "help"});  // a CLI name there
}

TEST_CASE("cli_args: exec hands every argument after the CLI name to the CLI") {
  // Options after the name are the CLI's, and a `--` right after it is not passed on.
  CHECK(cli_args::normalize({"exec", "claude-code", "-p", "hi", "--model", "x"}) ==
        Args{"exec", "claude-code", "--", "-p", "hi", "--model", "x"});
  CHECK(cli_args::normalize({"exec", "codex", "--", "exec", "hello"}) ==
        Args{"exec", "codex", "--", "exec", "hello"});
  CHECK(cli_args::normalize({"exec", "codex", "--", "--", "x"}) ==
        Args{"exec", "codex", "--", "--", "x"});
  CHECK(cli_args::normalize({"exec", "codex", "a", "--", "b"}) ==
        Args{"exec", "codex", "--", "a", "--", "b"});
  // lwgw's own options, globals included, go before the name.
  CHECK(cli_args::normalize(
            {"--json", "exec", "--direct", "--config", "c.toml", "aider", "--help"}) ==
        Args{"--json", "exec", "--direct", "--config", "c.toml", "aider", "--", "--help"});
  CHECK(cli_args::normalize({"exec", "codex"}) == Args{"exec", "codex"});
  CHECK(cli_args::normalize({"exec", "codex", "--"}) == Args{"exec", "codex"});
  CHECK(cli_args::normalize({"exec", "--help"}) == Args{"exec", "--help"});
  CHECK(cli_args::normalize({"setup", "codex", "--dry-run"}) ==
        Args{"setup", "codex", "--dry-run"});
}
