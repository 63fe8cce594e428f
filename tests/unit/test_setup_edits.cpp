// The pure parts of setup: marked blocks, the Codex TOML splice, JSON merges, YAML checks, diffs.
#include <doctest/doctest.h>

#include <toml++/toml.h>
#include <random>

#include "lwgw/http_client.hpp"
#include "lwgw/setup/edits.hpp"

using namespace lwgw::setup;

namespace {

std::string random_lines(std::mt19937& rng, bool final_newline) {
  static const std::vector<std::string> pool = {"export PATH=$HOME/bin:$PATH",
                                                "# a comment",
                                                "",
                                                "alias g=git",
                                                "  indented line",
                                                "echo 'lwgw is mentioned here'",
                                                "# >>> conda initialize >>>",
                                                "# <<< conda initialize <<<",
                                                "if true; then :; fi",
                                                "\t tab",
                                                "line with trailing space  ",
                                                "crlf line\r",
                                                "ünïcödé"};
  std::string s;
  int n = static_cast<int>(rng() % 8);
  for (int i = 0; i < n; ++i) s += pool[rng() % pool.size()] + "\n";
  if (!final_newline && !s.empty()) s.pop_back();
  if (!final_newline && s.empty() && rng() % 2) s = "no newline";
  return s;
}

}  // namespace

TEST_CASE("property: random rc content survives block set + remove, and edits around it stay") {
  std::mt19937 rng(20261127);
  const std::string body =
      "if [ -f \"$HOME/.config/lwgw/env.sh\" ]; then . \"$HOME/.config/lwgw/env.sh\"; fi\n";
  for (int iter = 0; iter < 500; ++iter) {
    std::string orig = random_lines(rng, rng() % 3 != 0);
    bool added = false;
    std::string with = block_set(orig, body, &added);
    CHECK(block_body(with) == body);
    CHECK(block_set(with, body) == with);  // idempotent
    CHECK(block_remove(with, added) == orig);
    // The user adds lines before and after the block later: theirs survive, ours go.
    std::string before = random_lines(rng, true), after = random_lines(rng, true);
    std::string edited = before + with + after;
    std::string expect = before + orig + (added ? "\n" : "") + after;
    if (after.empty() && added) expect = before + orig;
    CHECK(block_remove(edited, added) == expect);
  }
}

TEST_CASE("blocks: lone or repeated markers are refused with their line") {
  const std::string lone = std::string("a\n") + kBlockBegin + "\nb\n";
  try {
    (void)block_set(lone, "x\n");
    FAIL("no error");
  } catch (const Malformed& e) {
    CHECK(e.line == 2);
  }
  CHECK_THROWS_AS(block_remove(std::string(kBlockEnd) + "\n"), Malformed);
}

TEST_CASE("property: random Codex config content survives the splice and its revert") {
  std::mt19937 rng(5566);
  const std::vector<std::string> roots = {"model = \"o3\"", "approval_policy = \"on-request\"",
                                          "# root comment", "",
                                          "sandbox_mode = \"workspace-write\"  # inline"};
  const std::vector<std::string> tables = {
      "[tui]\ntheme = \"dark\"\n",
      "# about mcp\n[mcp_servers.x]\ncommand = \"npx\"\nargs = [\"-y\", \"x\"]\n",
      "[model_providers.other]\nname = \"Other\"\nbase_url = \"http://h/v1\"\n",
      "[projects.\"/a b\"]\ntrust_level = \"trusted\"\n",
      "[[hooks]]\nname = \"a\"\n",
      "[notice]\nhide = true\n"};
  Target t{Mode::kProxy, "http://127.0.0.1:5566", "tok", "/bin/lwgw"};
  for (int iter = 0; iter < 300; ++iter) {
    std::string doc;
    for (const auto& r : roots)
      if (rng() % 2) doc += r + "\n";
    for (int i = 0, n = static_cast<int>(rng() % 4); i < n; ++i) {
      std::string tb = tables[rng() % tables.size()];
      if (doc.find(tb.substr(0, tb.find('\n'))) != std::string::npos) continue;
      doc += (doc.empty() ? "" : "\n") + tb;
    }
    std::vector<Edit> edits = codex_edits(t, rng() % 2 ? "gw-model" : "", {});
    std::string set = toml_apply(doc, edits);
    toml::table parsed = toml::parse(set, std::string_view{});
    CHECK(parsed["model_provider"].value<std::string>() == "lwgw");
    CHECK(parsed["model_providers"]["lwgw"]["wire_api"].value<std::string>() == "responses");
    CHECK(parsed["model_providers"]["lwgw"]["base_url"].value<std::string>() ==
          "http://127.0.0.1:5566/v1");
    CHECK(parsed["model_providers"]["lwgw"]["env_key"].value<std::string>() == "LWGW_API_KEY");
    // model_provider sits before the first table header.
    auto first_table = set.find("\n[");
    CHECK(set.find("model_provider = \"lwgw\"") <
          (first_table == std::string::npos ? set.size() : first_table));
    CHECK(toml_apply(set, edits) == set);  // idempotent
    CHECK(toml_revert(set, edits) == doc);
    // A table the user adds afterwards survives the revert.
    std::string user = set + "\n[user_added]\nk = 1\n";
    CHECK(toml_revert(user, edits) == doc + "\n[user_added]\nk = 1\n");
  }
}

TEST_CASE(
    "json: edits record what they replace, revert restores it, malformed input has line:col") {
  std::vector<Edit> e = gemini_edits();
  std::string orig =
      "{\n    \"security\": {\"auth\": {\"selectedType\": \"oauth-personal\"}},\n    \"ui\": "
      "{}\n}\n";
  std::string set = json_apply(orig, e);
  CHECK(set.find("    \"security\"") != std::string::npos);  // the file's indent is kept
  REQUIRE(e[0].previous);
  CHECK(*e[0].previous == "oauth-personal");
  CHECK_FALSE(e[1].previous);
  std::string back = json_revert(set, e);
  nlohmann::ordered_json a, b;
  CHECK_FALSE(parse_json(back, a));
  CHECK_FALSE(parse_json(orig, b));
  CHECK(a == b);
  nlohmann::ordered_json doc;
  auto err = parse_json("{\n  \"a\": 1,\n  \"b\": tru\n}\n", doc);
  REQUIRE(err);
  CHECK(err->line == 3);
  CHECK(find_json_comment("{\"url\": \"http://x\"} // c") == std::make_pair(1, 21));
  CHECK_FALSE(find_json_comment("{\"url\": \"http://x/*y*/\"}"));
}

TEST_CASE("yaml: the conservative check accepts ordinary aider files and refuses odd ones") {
  CHECK_FALSE(check_yaml(""));
  CHECK_FALSE(
      check_yaml("# c\nmodel: x\nread:\n  - a.md\n  - b.md\nlint-cmd: [\"python: flake8\",\n  "
                 "x]\nmsg: |\n  text: here\n  - not a key\n"));
  CHECK(check_yaml("a: 1\n\tb: 2\n")->line == 2);
  CHECK(check_yaml("- a\n- b\n")->line == 1);
  CHECK(check_yaml("a: [1, 2\n")->line == 1);
  CHECK(check_yaml("a: \"open\n")->line == 1);
  CHECK(check_yaml("a: 1\n---\nb: 2\n")->line == 2);
  CHECK(yaml_top_level_key_line("x: 1\nopenai-api-key: k\n", "openai-api-key") == 2);
  CHECK(
      yaml_top_level_key_line(std::string(kBlockBegin) + "\nopenai-api-key: k\n" + kBlockEnd + "\n",
                              "openai-api-key") == 0);
  CHECK(yaml_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
}

TEST_CASE("unified diff: hunks, context, missing final newline") {
  CHECK(unified_diff("a\n", "a\n", "x", "y").empty());
  CHECK(unified_diff("a\nb\nc\n", "a\nB\nc\n", "a/f", "b/f") ==
        "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
  CHECK(unified_diff("", "x\n", "/dev/null", "b/f") ==
        "--- /dev/null\n+++ b/f\n@@ -0,0 +1 @@\n+x\n");
  CHECK(unified_diff("x", "x\n", "a", "b") ==
        "--- a\n+++ b\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x\n");
  std::string big_a, big_b;
  for (int i = 0; i < 20; ++i) {
    big_a += std::to_string(i) + "\n";
    big_b += (i == 2 || i == 17 ? "changed" : std::to_string(i)) + std::string("\n");
  }
  std::string d = unified_diff(big_a, big_b, "a", "b");
  CHECK(d.find("@@ -1,6 +1,6 @@") != std::string::npos);
  CHECK(d.find("@@ -15,6 +15,6 @@") != std::string::npos);
}

TEST_CASE("env scripts: quoting, NO_PROXY always extended with loopback, shell default") {
  Target t{Mode::kProxy, "http://127.0.0.1:5566", "it's", "/x"};
  lwgw::Env env;
  auto v = env_vars(t, false);
  CHECK(env_script("bash", v).find("export LWGW_API_KEY='it'\\''s'") != std::string::npos);
  CHECK(env_script("fish", v).find("set -gx LWGW_API_KEY 'it\\'s'") != std::string::npos);
  // No proxy variable set at setup time: NO_PROXY is written all the same (a VPN client may set
  // HTTPS_PROXY later).
  for (const char* shell : {"bash", "fish"}) {
    CHECK(env_script(shell, v).find("NO_PROXY") != std::string::npos);
    CHECK(env_script(shell, v).find("no_proxy") != std::string::npos);
    CHECK(env_script(shell, v).find("::1") != std::string::npos);
  }
  CHECK(lwgw::http::no_proxy_with_loopback("") == "127.0.0.1,localhost,::1");
  CHECK(lwgw::http::no_proxy_with_loopback(".corp,localhost") == ".corp,localhost,127.0.0.1,::1");
  CHECK(lwgw::http::no_proxy_with_loopback("127.0.0.1,localhost,::1") == "127.0.0.1,localhost,::1");
  env.set("SHELL", "/usr/local/bin/fish");
  CHECK(default_shell(env) == "fish");
  env.set("SHELL", "/bin/tcsh");
  CHECK(default_shell(env) == "bash");
}

TEST_CASE("json: a number too large for a double is malformed input, not an exception") {
  nlohmann::ordered_json doc;
  std::optional<Malformed> m;
  CHECK_NOTHROW(m = parse_json("{\"n\": 1e999}", doc));
  REQUIRE(m.has_value());
  CHECK(std::string(m->what()).find("not valid JSON") != std::string::npos);
}

TEST_CASE(
    "toml: a config.toml without a final newline gets none from setup, and teardown is exact") {
  Target t{Mode::kProxy, "http://127.0.0.1:5566", "tok", "/bin/lwgw"};
  for (const std::string doc : {"model = \"o3\"", "model = \"o3\"\n[tui]\ntheme = \"dark\"",
                                "# only a comment", "[tui]\ntheme = \"dark\"\n# end"}) {
    CAPTURE(doc);
    std::vector<Edit> edits = codex_edits(t, "", {});
    std::string set = toml_apply(doc, edits);
    CHECK(set.back() != '\n');  // the file keeps its style
    CHECK(toml_apply(set, edits) == set);
    CHECK(toml_revert(set, edits) == doc);
  }
}

TEST_CASE("toml: a provider table only implied by a deeper header gets its own, and loses it") {
  // `[model_providers.lwgw.x]` implies `[model_providers.lwgw]` without a header: lwgw's keys
  // must not land in the `.x` section, and teardown takes the header lwgw wrote.
  Target t{Mode::kProxy, "http://127.0.0.1:5566", "tok", "/bin/lwgw"};
  const std::string doc = "[model_providers.lwgw.x]\nk = 1\n";
  std::vector<Edit> edits = codex_edits(t, "", {});
  std::string set = toml_apply(doc, edits);
  toml::table parsed = toml::parse(set, std::string_view{});
  CHECK(parsed["model_providers"]["lwgw"]["base_url"].value<std::string>() ==
        "http://127.0.0.1:5566/v1");
  CHECK(parsed["model_providers"]["lwgw"]["x"]["k"].value<int>() == 1);
  CHECK_FALSE(parsed["model_providers"]["lwgw"]["x"]["base_url"]);
  CHECK(toml_revert(set, edits) == doc);
}

TEST_CASE("json: a key lwgw deletes goes back to its place in its object on revert") {
  // Teardown's revert (used when the user edited the file after setup) keeps key order.
  const std::string orig =
      "{\n  \"model\": \"opus\",\n  \"apiKeyHelper\": \"/bin/helper\",\n  \"theme\": \"dark\"\n}\n";
  std::vector<Edit> e(2);
  e[0].path = {"env", "ANTHROPIC_BASE_URL"};
  e[0].value = "http://127.0.0.1:5566";
  e[1].path = {"apiKeyHelper"};  // a deletion
  std::string set = json_apply(orig, e);
  CHECK(set.find("apiKeyHelper") == std::string::npos);
  // Round-trip through the manifest, as teardown reads it.
  std::vector<Edit> stored;
  for (const auto& x : e) stored.push_back(edit_from_json(edit_to_json(x)));
  CHECK(json_revert(set, stored) == orig);
  // The key it followed is gone: it goes back last.
  std::string edited = set;
  edited.replace(edited.find("  \"model\": \"opus\",\n"), 19, "");
  CHECK(json_revert(edited, stored) ==
        "{\n  \"theme\": \"dark\",\n  \"apiKeyHelper\": \"/bin/helper\"\n}\n");
  // It was first: it goes back first.
  const std::string first = "{\n  \"apiKeyHelper\": \"h\",\n  \"a\": 1\n}\n";
  std::vector<Edit> f(1);
  f[0].path = {"apiKeyHelper"};
  CHECK(json_revert(json_apply(first, f), f) == first);
}
