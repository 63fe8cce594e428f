// Command-line parsing and dispatch: the one place exceptions are caught and printed.
#include "lwgw/app.hpp"

#include <algorithm>
#include <csignal>
#include <iostream>
#include <sstream>

#include <termios.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

#include "lwgw/cli_args.hpp"
#include "lwgw/commands/table.hpp"
#include "lwgw/crash_point.hpp"
#include "lwgw/error.hpp"
#include "lwgw/http_client.hpp"
#include "lwgw/redact.hpp"
#include "lwgw/util/suggest.hpp"

namespace lwgw {

namespace {

constexpr const char* kFooter =
    "Exit codes: 0 ok, 1 failed, 2 usage error, 3 configuration or credential problem,\n"
    "4 the local proxy is not running.\n"
    "Run 'lwgw help <command>' (or 'lwgw <command> --help') for a command's options; 'man lwgw'\n"
    "for the manual.";

void add_global_options(CLI::App& app, GlobalOptions& o) {
  app.add_option("--config", o.config_path, "Use this config file instead of the user one")
      ->type_name("PATH");
  app.add_flag("-v,--verbose", o.verbose, "More detail (repeat for trace)");
  app.add_flag("-q,--quiet", o.quiet, "Only errors");
  app.add_flag("--no-color", o.no_color, "No ANSI colours (also when NO_COLOR is set)");
  app.add_flag("--json", o.json, "Machine-readable output");
}

std::string self_path(const char* argv0) {
#if defined(__APPLE__)
  char buf[4096];
  uint32_t size = sizeof buf;
  if (_NSGetExecutablePath(buf, &size) == 0) return std::string(buf);
#else
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) return p.string();
#endif
  std::error_code ec2;
  auto abs = std::filesystem::absolute(argv0 ? argv0 : "lwgw", ec2);
  return ec2 ? std::string("lwgw") : abs.string();
}

// Redacts whole lines on their way to the real stream; partial lines go out on flush.
class RedactingBuf : public std::streambuf {
 public:
  explicit RedactingBuf(std::ostream& dst) : dst_(dst) {}
  ~RedactingBuf() override { sync(); }

 protected:
  int_type overflow(int_type ch) override {
    if (ch == traits_type::eof()) return traits_type::not_eof(ch);
    line_ += static_cast<char>(ch);
    if (ch == '\n') emit();
    return ch;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) overflow(traits_type::to_int_type(s[i]));
    return n;
  }
  int sync() override {
    emit();
    dst_.flush();
    return 0;
  }

 private:
  void emit() {
    if (line_.empty()) return;
    dst_ << redact(line_);
    line_.clear();
  }
  std::ostream& dst_;
  std::string line_;
};

std::optional<std::string> tty_read_secret(const std::string& prompt) {
  if (!::isatty(STDIN_FILENO)) return std::nullopt;
  std::cerr << prompt << std::flush;
  termios old{};
  bool restore = ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  bool ok = static_cast<bool>(std::getline(std::cin, line));
  if (restore) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::cerr << "\n";
  if (!ok) return std::nullopt;
  return line;
}

/// `--json` among the arguments before a `--` (the options may not have been parsed).
bool wants_json(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--") return false;
    if (a == "--json") return true;
  }
  return false;
}

const char* exit_name(Exit e) {
  switch (e) {
    case Exit::kUsage:
      return "usage";
    case Exit::kConfig:
      return "config";
    case Exit::kNotRunning:
      return "not_running";
    default:
      return "failed";
  }
}

/// An error as the command's result: JSON on stdout with --json, else text on stderr.
int report_error(Context& ctx, bool json, Exit code, const std::string& message,
                 const std::string& hint = "") {
  if (json) {
    nlohmann::ordered_json j{{"error",
                              {{"code", exit_name(code)},
                               {"message", redact(message)},
                               {"exit", static_cast<int>(code)}}}};
    if (!hint.empty()) j["error"]["hint"] = hint;
    *ctx.io.out << j.dump(2) << "\n";
  } else {
    *ctx.io.err << "lwgw: error: " << redact(message) << "\n";
    if (!hint.empty()) *ctx.io.err << hint << "\n";
  }
  return static_cast<int>(code);
}

/// The command word when it names no command: `unknown command 'stup'; did you mean 'setup'?`.
std::optional<std::string> unknown_command(const std::vector<std::string>& args) {
  const auto at = cli_args::command_index(args);
  if (!at) return std::nullopt;
  const std::string& word = args[*at];
  std::vector<std::string> names{"help"};
  for (const auto& spec : command_table()) names.emplace_back(spec.name);
  if (std::find(names.begin(), names.end(), word) != names.end()) return std::nullopt;
  return "unknown command '" + word + "'" + util::did_you_mean(word, names);
}

}  // namespace

std::string version_text();

int run_command(const std::vector<std::string>& args, Context& ctx);

int run(const std::vector<std::string>& args, Context& ctx) {
  // Everything a command prints passes through redact(); only raw_out is left as it is.
  std::ostream* real_out = ctx.io.out;
  std::ostream* real_err = ctx.io.err;
  RedactingBuf out_buf(*real_out), err_buf(*real_err);
  std::ostream out(&out_buf), err(&err_buf);
  if (!ctx.io.raw_out) ctx.io.raw_out = real_out;
  ctx.io.out = &out;
  ctx.io.err = &err;
  int code = run_command(args, ctx);
  ctx.end_command();
  out.flush();
  err.flush();
  ctx.io.out = real_out;
  ctx.io.err = real_err;
  return code;
}

int run_command(const std::vector<std::string>& raw_args, Context& ctx) {
  // `help COMMAND` and `exec CLI ARGS…` in the shape CLI11 parses (cli_args.hpp).
  const std::vector<std::string> args = cli_args::normalize(raw_args);
  if (auto unknown = unknown_command(args))
    return report_error(ctx, wants_json(args), Exit::kUsage, *unknown,
                        "Run 'lwgw --help' for usage.");
  std::ostream& out = *ctx.io.out;
  std::ostream& err = *ctx.io.err;
  CLI::App app{"lwgw connects your coding CLIs to the LangWatch AI Gateway.", "lwgw"};
  app.footer(kFooter);
  app.set_version_flag("--version", version_text());
  app.fallthrough();
  app.require_subcommand(0, 1);
  add_global_options(app, ctx.opts);

  Action action;
  for (const auto& spec : command_table()) {
    CLI::App* sub = app.add_subcommand(spec.name, spec.summary);
    sub->fallthrough();
    spec.configure(*sub, ctx, action);
  }

  // Help as the command's result: the text, or {"help": text} with --json.
  auto help = [&](const CLI::Error& e) {
    if (!wants_json(args)) return app.exit(e, out, err);
    std::ostringstream text;
    const int code = app.exit(e, text, err);
    out << nlohmann::ordered_json{{"help", text.str()}}.dump(2) << "\n";
    return code;
  };
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return help(e);
  } catch (const CLI::CallForAllHelp& e) {
    return help(e);
  } catch (const CLI::CallForVersion&) {
    out << version_text() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    return report_error(ctx, wants_json(args), Exit::kUsage, e.what(),
                        "Run 'lwgw --help' for usage.");
  } catch (const Error& e) {
    // Thrown by an option's callback while parsing (a command's own checks belong in its
    // action, but nothing thrown here may escape as an abort).
    return report_error(ctx, wants_json(args), e.code(), e.what());
  } catch (const std::exception& e) {
    return report_error(ctx, wants_json(args), Exit::kFailed, e.what());
  }

  if (!action) {
    out << app.help();
    return 0;
  }
  try {
    return action();
  } catch (const Error& e) {
    return report_error(ctx, ctx.opts.json, e.code(), e.what());
  } catch (const std::exception& e) {
    return report_error(ctx, ctx.opts.json, Exit::kFailed, e.what());
  } catch (...) {
    return report_error(ctx, ctx.opts.json, Exit::kFailed, "unexpected failure");
  }
}

int main_entry(int argc, char** argv, char** envp) {
  std::signal(SIGPIPE, SIG_IGN);
  http::global_init();
  Io io{&std::cin,
        &std::cout,
        &std::cerr,
        &std::cout,
        ::isatty(STDIN_FILENO) != 0,
        ::isatty(STDOUT_FILENO) != 0,
        tty_read_secret};
  Context ctx(Env::from_environ(envp), io, self_path(argc > 0 ? argv[0] : nullptr));
  crash_point::arm(ctx.env);
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  int code = run(args, ctx);
  std::cout.flush();
  return code;
}

}  // namespace lwgw
