// toml_edit: values set, replaced and removed without disturbing anything else in the file.
#include <doctest/doctest.h>

#include <toml++/toml.h>
#include <random>

#include "lwgw/toml_edit.hpp"

using namespace lwgw;

TEST_CASE("set replaces a value in place and keeps comments") {
  std::string in = "# top\n[proxy]\n# the address\nlisten = \"127.0.0.1:1\" # mine\nx = 1\n";
  auto out = toml_edit::set(in, {"proxy"}, "listen", "\"127.0.0.1:2\"");
  CHECK(out == "# top\n[proxy]\n# the address\nlisten = \"127.0.0.1:2\" # mine\nx = 1\n");
}

TEST_CASE("set adds a key after the last entry of its table, before the next table") {
  std::string in = "[a]\nx = 1\n\n# about b\n[b]\ny = 2\n";
  auto out = toml_edit::set(in, {"a"}, "z", "true");
  CHECK(out == "[a]\nx = 1\nz = true\n\n# about b\n[b]\ny = 2\n");
}

TEST_CASE("set appends a missing table at the end") {
  auto out = toml_edit::set("[a]\nx = 1\n", {"model_providers", "lwgw"}, "name", "\"lwgw\"");
  CHECK(out == "[a]\nx = 1\n\n[model_providers.lwgw]\nname = \"lwgw\"\n");
  // A text without a final newline keeps its style, and remove() takes back exactly that.
  out = toml_edit::set("[a]\nx = 1", {"model_providers", "lwgw"}, "name", "\"lwgw\"");
  CHECK(out == "[a]\nx = 1\n\n[model_providers.lwgw]\nname = \"lwgw\"");
  CHECK(toml_edit::remove(out, {"model_providers", "lwgw"}, "name") ==
        "[a]\nx = 1\n\n[model_providers.lwgw]");
  CHECK(toml_edit::set("", {"a"}, "k", "1") == "[a]\nk = 1\n");
}

TEST_CASE("set puts root keys before the first table") {
  std::string in = "# codex\nmodel = \"x\"\n\n[tui]\nfoo = 1\n";
  auto out = toml_edit::set(in, {}, "model_provider", "\"lwgw\"");
  CHECK(out == "# codex\nmodel = \"x\"\nmodel_provider = \"lwgw\"\n\n[tui]\nfoo = 1\n");
  auto parsed = toml::parse(out, std::string_view{});
  CHECK(parsed["model_provider"].value<std::string>() == "lwgw");
  CHECK(toml_edit::set("[t]\na = 1\n", {}, "k", "2") == "k = 2\n[t]\na = 1\n");
}

TEST_CASE("set replaces multi-line arrays whole") {
  std::string in = "[p]\nlist = [\n  \"a\",\n  \"b\",\n] # end\nn = 1\n";
  auto out = toml_edit::set(in, {"p"}, "list", "[\"c\"]");
  CHECK(out == "[p]\nlist = [\"c\"] # end\nn = 1\n");
}

TEST_CASE("remove deletes the key's line(s) only") {
  std::string in = "[p]\n# keep me\nlisten = \"x\" # gone too\nn = 1\n";
  CHECK(toml_edit::remove(in, {"p"}, "listen") == "[p]\n# keep me\nn = 1\n");
  CHECK(toml_edit::remove(in, {"p"}, "absent") == in);
  CHECK(toml_edit::remove(in, {"q"}, "listen") == in);
}

TEST_CASE("malformed input is refused with line and column") {
  try {
    toml_edit::set("a = 1\nb = = 2\n", {}, "c", "1");
    FAIL("expected a parse error");
  } catch (const toml_edit::ParseError& e) {
    CHECK(e.line == 2);
    CHECK(e.column == 5);
  }
}

TEST_CASE("inline tables are not edited behind the user's back") {
  CHECK_THROWS(toml_edit::set("p = { a = 1 }\n", {"p"}, "b", "2"));
  // Replacing an existing value inside is a precise splice, so it is allowed.
  CHECK(toml_edit::set("p = { a = 1 }\n", {"p"}, "a", "2") == "p = { a = 2 }\n");
}

TEST_CASE("quote escapes what TOML needs") {
  CHECK(toml_edit::quote("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"");
  CHECK(toml_edit::format_key("model_providers") == "model_providers");
  CHECK(toml_edit::format_key("a.b") == "\"a.b\"");
}

TEST_CASE("property: random surrounding content survives set then remove") {
  std::mt19937 rng(20261127);
  const std::vector<std::string> pieces = {"# a comment\n",
                                           "\n",
                                           "alpha = 1\n",
                                           "beta = \"two\" # trailing\n",
                                           "gamma = [\n  1,\n  2,\n]\n",
                                           "delta = '''\n[not a table]\n'''\n",
                                           "eps = { x = 1 }\n",
                                           "\"quoted key\" = true\n",
                                           "dotted.key = 3\n"};
  for (int round = 0; round < 200; ++round) {
    std::string doc;
    int n_root = static_cast<int>(rng() % 4);
    for (int i = 0; i < n_root; ++i) doc += pieces[rng() % pieces.size()];
    int tables = static_cast<int>(rng() % 3);
    for (int t = 0; t < tables; ++t) {
      doc += "[t" + std::to_string(t) + "]\n";
      int n = static_cast<int>(rng() % 4);
      for (int i = 0; i < n; ++i) doc += pieces[rng() % pieces.size()];
    }
    // Skip documents with duplicate keys (invalid TOML by construction).
    try {
      toml_edit::validate(doc);
    } catch (const toml_edit::ParseError&) {
      continue;
    }
    std::vector<std::string> table;
    if (rng() % 2 == 0 && tables > 0) table = {"t" + std::to_string(rng() % tables)};
    if (rng() % 3 == 0) table = {"fresh", "table"};
    auto with = toml_edit::set(doc, table, "lwgw_key", "\"v\"");
    auto parsed = toml::parse(with, std::string_view{});
    const toml::node* node = &parsed;
    for (const auto& part : table) node = node->as_table()->get(part);
    REQUIRE(node);
    CHECK(node->as_table()->get("lwgw_key")->value<std::string>() == "v");
    auto without = toml_edit::remove(with, table, "lwgw_key");
    if (table.size() == 2) {
      // The appended table header stays; everything before it is the original document.
      CHECK(without.rfind(doc, 0) == 0);
    } else {
      CHECK(without == doc);
    }
  }
}
