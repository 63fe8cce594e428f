// The atomic-write helper and path resolution from an injected environment.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "lwgw/environment.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;
namespace stdfs = std::filesystem;

static mode_t mode_of(const stdfs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

TEST_CASE("atomic_write creates files with the requested mode and parents 0700") {
  TempHome t;
  auto f = t.home() / "a" / "b" / "file.txt";
  fs::atomic_write(f, "hello", 0600);
  CHECK(t.read(f) == "hello");
  CHECK(mode_of(f) == 0600);
  CHECK(mode_of(f.parent_path()) == 0700);
}

TEST_CASE("atomic_write keeps an existing file's mode unless forced") {
  TempHome t;
  auto f = t.home() / "rc";
  t.write(f, "old");
  ::chmod(f.c_str(), 0640);
  fs::atomic_write(f, "new", 0600);
  CHECK(t.read(f) == "new");
  CHECK(mode_of(f) == 0640);
  fs::atomic_write(f, "secret", 0600, true);
  CHECK(mode_of(f) == 0600);
}

TEST_CASE("atomic_write writes through a symlink and keeps it a link") {
  TempHome t;
  auto real = t.home() / "dotfiles" / "zshrc";
  t.write(real, "# mine\n");
  auto link = t.home() / ".zshrc";
  stdfs::create_symlink("dotfiles/zshrc", link);
  fs::atomic_write(link, "# mine\n# lwgw\n");
  CHECK(stdfs::is_symlink(link));
  CHECK(t.read(real) == "# mine\n# lwgw\n");
  // Chains of links and dangling links land in the final target.
  auto link2 = t.home() / ".zshrc2";
  stdfs::create_symlink(link, link2);
  fs::atomic_write(link2, "x");
  CHECK(t.read(real) == "x");
  auto dangling = t.home() / ".dangling";
  stdfs::create_symlink("dotfiles/new-target", dangling);
  fs::atomic_write(dangling, "y");
  CHECK(stdfs::is_symlink(dangling));
  CHECK(t.read(t.home() / "dotfiles" / "new-target") == "y");
}

TEST_CASE("atomic_write leaves no temp files behind") {
  TempHome t;
  auto dir = t.home() / "d";
  fs::atomic_write(dir / "f", "1");
  fs::atomic_write(dir / "f", "2");
  int count = 0;
  for (auto& e : stdfs::directory_iterator(dir)) (void)e, ++count;
  CHECK(count == 1);
}

TEST_CASE("read_file: absent is nullopt, unreadable is an error") {
  TempHome t;
  CHECK_FALSE(fs::read_file(t.home() / "nope").has_value());
  auto f = t.home() / "locked";
  t.write(f, "x");
  ::chmod(f.c_str(), 0000);
  if (::geteuid() != 0) CHECK_THROWS_AS(fs::read_file(f), Error);  // root reads anything
}

TEST_CASE("paths follow HOME and XDG, ignore relative XDG values, and need HOME") {
  Env env;
  env.set("HOME", "/home/u");
  auto p = resolve_paths(env);
  CHECK(p.config_file == "/home/u/.config/lwgw/config.toml");
  CHECK(p.credentials_file == "/home/u/.config/lwgw/credentials");
  CHECK(p.state_dir == "/home/u/.local/state/lwgw");
  CHECK(p.runtime_dir == p.state_dir);
  CHECK(p.codex_home == "/home/u/.codex");
  CHECK(p.claude_config_dir == "/home/u/.claude");
  CHECK(p.zdotdir == "/home/u");
  CHECK(p.system_config == "/etc/lwgw/config.toml");
  env.set("XDG_CONFIG_HOME", "/x/conf");
  env.set("XDG_STATE_HOME", "relative/state");
  env.set("XDG_RUNTIME_DIR", "/run/user/1000");
  env.set("CODEX_HOME", "/c");
  env.set("ZDOTDIR", "/z");
  p = resolve_paths(env);
  CHECK(p.config_file == "/x/conf/lwgw/config.toml");
  CHECK(p.state_dir == "/home/u/.local/state/lwgw");
  CHECK(p.runtime_dir == "/run/user/1000/lwgw");
  CHECK(p.codex_home == "/c");
  CHECK(p.zdotdir == "/z");
  Env none;
  CHECK_THROWS_AS(resolve_paths(none), Error);
  CHECK(display_path("/home/u/.zshrc", "/home/u") == "~/.zshrc");
  CHECK(display_path("/home/user2/x", "/home/u") == "/home/user2/x");
}
