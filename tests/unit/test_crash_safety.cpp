// Issue 16 item 1: setup and teardown killed at every step boundary (LWGW_TEST_CRASH_AT makes the
// real binary _exit there) leave nothing behind that the next run cannot settle: teardown then
// restores every file byte for byte, and no temp file is left anywhere.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <map>

#include "lwgw/crash_point.hpp"
#include "lwgw/fs.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
namespace stdfs = std::filesystem;

namespace {

const std::string kToken = "lwgw_lt_TESTTOKENtesttoken0123456789abcdefghijklmno";
const std::string kVk = "vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV";

// Every file, link and directory under HOME (bytes, link target, mode) except lwgw's own state
// and credentials.
std::map<std::string, std::string> snapshot(const TempHome& t) {
  std::map<std::string, std::string> tree;
  for (auto it = stdfs::recursive_directory_iterator(t.home());
       it != stdfs::recursive_directory_iterator(); ++it) {
    const auto rel = stdfs::relative(it->path(), t.home()).string();
    if (rel.rfind(".local", 0) == 0 || rel == ".config/lwgw/credentials") continue;
    const auto st = it->symlink_status();
    std::string e = std::to_string(static_cast<unsigned>(st.permissions()) & 07777) + " ";
    if (stdfs::is_symlink(st))
      e += "link " + stdfs::read_symlink(it->path()).string();
    else if (stdfs::is_directory(st))
      e += "dir";
    else
      e += t.read(it->path());
    tree[rel] = e;
  }
  return tree;
}

// Temp files of interrupted atomic writes anywhere under the test root.
std::vector<std::string> temps(const TempHome& t) {
  std::vector<std::string> out;
  for (auto it = stdfs::recursive_directory_iterator(t.root());
       it != stdfs::recursive_directory_iterator(); ++it)
    if (fs::is_temp_name(it->path().filename().string())) out.push_back(it->path().string());
  return out;
}

// A logged-in HOME with a dotfile of every kind already there (some CLIs' files are new).
struct Home {
  TempHome t;
  Env env = t.env();
  std::map<std::string, std::string> before;

  Home() {
    env.set("SHELL", "/bin/bash");
    env.set("LWGW_GATEWAY_URL", "http://127.0.0.1:" + std::to_string(unused_port()));
    const auto cred = t.home() / ".config/lwgw/credentials";
    t.write(cred, "{\n  \"local_token\": \"" + kToken + "\",\n  \"vk\": \"" + kVk + "\"\n}\n");
    ::chmod(cred.parent_path().c_str(), 0700);
    ::chmod(cred.c_str(), 0600);
    t.write(t.home() / ".claude/settings.json", "{\n    \"model\": \"opus\"\n}\n");
    t.write(t.home() / ".codex/config.toml", "# mine\nmodel = \"gpt-5\"\n");
    t.write(t.home() / ".bashrc", "alias ll='ls -l'");  // no final newline
    t.write(t.home() / ".aider.conf.yml", "auto-commits: false\n");
    ::chmod((t.home() / ".bashrc").c_str(), 0640);
    before = snapshot(t);
  }
  RunResult run(const std::vector<std::string>& args, const std::string& crash = "") const {
    Env e = env;
    if (!crash.empty()) e.set("LWGW_TEST_CRASH_AT", crash);
    return run_bin(args, e);
  }
  RunResult setup(const std::string& crash = "") const {
    return run({"setup", "--all", "--shell", "all", "--no-service"}, crash);
  }
  RunResult teardown(const std::string& crash = "") const {
    return run({"teardown", "--all"}, crash);
  }
  // After a clean teardown: HOME exactly as before setup, no temp file anywhere.
  void check_restored(const std::string& what) const {
    auto r = teardown();
    CHECK_MESSAGE(r.code == 0, what << ": " << r.out << r.err);
    CHECK_MESSAGE(snapshot(t) == before, what << ": " << r.out << r.err);
    CHECK_MESSAGE(temps(t).empty(), what);
  }
};

const std::vector<std::string> kSetupSteps = {"setup.backed_up", "setup.announced", "setup.written",
                                              "setup.recorded", "fs.temp_written"};
const std::vector<std::string> kTeardownSteps = {"teardown.announced", "teardown.removed",
                                                 "teardown.written", "fs.temp_written"};

}  // namespace

TEST_CASE("LWGW_TEST_CRASH_AT names a step and which time it is reached") {
  CHECK(crash_point::parse("setup.written").step == "setup.written");
  CHECK(crash_point::parse("setup.written").n == 1);
  CHECK(crash_point::parse("fs.temp_written@12").n == 12);
  CHECK(crash_point::parse("x@").n == 0);
  CHECK(crash_point::parse("@3").n == 0);
}

TEST_CASE("atomic_write temp names are recognised, and only they") {
  CHECK(fs::is_temp_name(".settings.json.lwgw-a1B2c3", "settings.json"));
  CHECK(fs::is_temp_name(".settings.json.lwgw-a1B2c3"));
  CHECK_FALSE(fs::is_temp_name(".settings.json.lwgw-a1B2c3", "config.toml"));
  CHECK_FALSE(fs::is_temp_name("settings.json.lwgw-a1B2c3"));
  CHECK_FALSE(fs::is_temp_name(".settings.json.lwgw-a1B2"));
  CHECK_FALSE(fs::is_temp_name(".bashrc"));
}

TEST_CASE("setup --all killed at every step boundary: teardown restores every file") {
  for (const auto& step : kSetupSteps) {
    bool reached = true;
    for (int n = 1; reached; ++n) {
      Home h;
      const std::string at = step + "@" + std::to_string(n);
      auto r = h.setup(at);
      reached = r.code == crash_point::kExitCode;
      if (n == 1) REQUIRE_MESSAGE(reached, step << " is never reached: " << r.err);
      h.check_restored("teardown after a crash at " + at);
    }
  }
}

TEST_CASE("setup --all killed at every step boundary: setup again, then teardown, restores") {
  for (const auto& step : kSetupSteps) {
    bool reached = true;
    for (int n = 1; reached; ++n) {
      Home h;
      const std::string at = step + "@" + std::to_string(n);
      reached = h.setup(at).code == crash_point::kExitCode;
      auto again = h.setup();
      CHECK_MESSAGE(again.code == 0, at << ": " << again.err);
      h.check_restored("setup and teardown after a crash at " + at);
    }
  }
}

TEST_CASE("teardown --all killed at every step boundary: teardown again restores every file") {
  for (const auto& step : kTeardownSteps) {
    bool reached = true;
    for (int n = 1; reached; ++n) {
      Home h;
      REQUIRE(h.setup().code == 0);
      const std::string at = step + "@" + std::to_string(n);
      auto r = h.teardown(at);
      reached = r.code == crash_point::kExitCode;
      if (n == 1) REQUIRE_MESSAGE(reached, step << " is never reached: " << r.err);
      h.check_restored("teardown after a crash at " + at);
    }
  }
}
