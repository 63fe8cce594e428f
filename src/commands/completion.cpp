// `lwgw completion`: bash, zsh and fish scripts generated from the command tree itself, and the
// hidden `--values KIND` helper they call for what depends on this machine (offline, cached only).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <sstream>

#include "lwgw/commands/table.hpp"
#include "lwgw/completion/values.hpp"
#include "lwgw/config.hpp"
#include "lwgw/error.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw {

namespace {

/// What a value completes to: fixed words, file names, a `--values` kind, or nothing.
struct Values {
  std::vector<std::string> words;
  std::string dynamic;  // a completion::value_kinds() kind, or "config-value"
  bool files = false;
};

struct Opt {
  std::vector<std::string> names;  // --long and -s
  std::string description;
  bool takes_value;
  Values values;
};

struct Pos {
  std::string name;
  bool repeats;
  Values values;
};

struct Node {
  std::string name;
  std::string description;
  std::string path;       // "setup", "config set"; "" for lwgw itself
  std::vector<Opt> opts;  // its own, then the global ones it does not shadow
  std::vector<Pos> positionals;
  std::vector<Node> children;
};

/// A help text on one line (the shells' description fields are single-line).
std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

const ValueSpec* find_spec(const std::string& path, const std::string& name) {
  for (const auto& s : value_specs())
    if (s.command == path && s.name == name) return &s;
  return nullptr;
}

Values from_spec(const ValueSpec& s) {
  return {s.words, s.dynamic, false};
}

/// FILE or PATH in the type name (`builtin|FILE`) means file names, with the lower-case words.
std::optional<Values> from_type_name(const std::string& type_name) {
  Values v;
  std::vector<std::string> parts;
  std::stringstream in(type_name);
  for (std::string part; std::getline(in, part, '|');) parts.push_back(part);
  for (const auto& part : parts) {
    if (part == "FILE" || part == "PATH")
      v.files = true;
    else if (!part.empty() && std::none_of(part.begin(), part.end(),
                                           [](unsigned char c) { return std::isupper(c); }))
      v.words.push_back(part);
  }
  if (!v.files) return std::nullopt;
  return v;
}

std::vector<Opt> options_of(const CLI::App& app, const std::string& path) {
  std::vector<Opt> out;
  auto visible = [](const CLI::Option* opt) {
    return opt->nonpositional() && !opt->get_group().empty();
  };
  for (const CLI::Option* o : app.get_options(visible)) {
    Opt opt{{}, one_line(o->get_description()), o->get_items_expected_max() > 0, {}};
    for (const auto& l : o->get_lnames()) opt.names.push_back("--" + l);
    for (const auto& s : o->get_snames()) opt.names.push_back("-" + s);
    if (opt.takes_value) {
      const ValueSpec* spec = nullptr;
      for (const auto& n : opt.names)
        if (!spec) spec = find_spec(path, n);
      if (spec) {
        opt.values = from_spec(*spec);
      } else if (auto v = from_type_name(o->get_type_name())) {
        opt.values = *v;
      } else {
        throw failure("completion: option " + opt.names.front() + " of '" +
                      (path.empty() ? "lwgw" : path) +
                      "' takes a value but declares no completion for it: add it to "
                      "value_specs() in src/commands/table.cpp");
      }
    }
    out.push_back(std::move(opt));
  }
  return out;
}

std::vector<Pos> positionals_of(const CLI::App& app, const std::string& path, int depth) {
  std::vector<Pos> out;
  for (const CLI::Option* o :
       app.get_options([](const CLI::Option* opt) { return opt->get_positional(); })) {
    Pos p{o->get_name(), o->get_items_expected_max() > 1, {}};
    if (const ValueSpec* spec = find_spec(path, p.name)) {
      p.values = from_spec(*spec);
    } else if (depth == 1 && out.empty()) {  // the table's words: the first argument
      for (const auto& c : command_table())
        if (path == c.name) p.values.words = c.words;
    }
    out.push_back(std::move(p));
  }
  return out;
}

void add_globals(Node& n, const std::vector<Opt>& global) {
  for (const auto& g : global) {
    bool shadowed = std::any_of(n.opts.begin(), n.opts.end(), [&](const Opt& o) {
      return std::find(o.names.begin(), o.names.end(), g.names.front()) != o.names.end();
    });
    if (!shadowed) n.opts.push_back(g);
  }
  for (auto& c : n.children) add_globals(c, global);
}

Node build(const CLI::App& app, int depth, const std::string& path) {
  Node n{app.get_name(),        one_line(app.get_description()),  path,
         options_of(app, path), positionals_of(app, path, depth), {}};
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    n.children.push_back(
        build(*sub, depth + 1, path.empty() ? sub->get_name() : path + " " + sub->get_name()));
  return n;
}

Node tree_of(const CLI::App& root) {
  Node tree = build(root, 0, "");
  for (auto& c : tree.children) add_globals(c, tree.opts);
  return tree;
}

std::string join(const std::vector<std::string>& v, std::string_view sep = " ") {
  return util::join(v, sep);
}

std::string sq(const std::string& s) {  // single-quoted for sh/zsh
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string fish_sq(const std::string& s) {  // fish: \ and ' are escaped inside single quotes
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

std::vector<std::string> child_names(const Node& n) {
  std::vector<std::string> v;
  for (const auto& c : n.children) v.push_back(c.name);
  return v;
}

std::vector<std::string> option_names(const std::vector<Opt>& opts) {
  std::vector<std::string> v;
  for (const auto& o : opts) v.insert(v.end(), o.names.begin(), o.names.end());
  return v;
}

/// Every option name that takes a value anywhere: the scanner skips the word after it.
std::vector<std::string> valued_names(const Node& root) {
  std::vector<std::string> out;
  auto collect = [&](const Node& n, auto&& self) -> void {
    for (const auto& o : n.opts)
      if (o.takes_value)
        for (const auto& name : o.names)
          if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    for (const auto& c : n.children) self(c, self);
  };
  collect(root, collect);
  return out;
}

/// The commands that have subcommands: their second word is a subcommand, not an argument.
std::vector<std::string> parents(const Node& root) {
  std::vector<std::string> out;
  for (const auto& c : root.children)
    if (!c.children.empty()) out.push_back(c.name);
  return out;
}

/// Every completion context, by "cmd/sub": lwgw itself ("/"), each command ("setup/"), each
/// subcommand ("config/set").
struct Scope {
  std::string key;
  const Node* node;
};
std::vector<Scope> contexts(const Node& root) {
  std::vector<Scope> out{{"/", &root}};
  for (const auto& c : root.children) {
    out.push_back({c.name + "/", &c});
    for (const auto& g : c.children) out.push_back({c.name + "/" + g.name, &g});
  }
  return out;
}

/// What an empty or non-option word completes to: a subcommand, or the positional argument's
/// values for the number of arguments before it.
struct Slot {
  std::string pattern;  // "0", "1", "*"
  Values values;
};
std::vector<Slot> slots(const Node& n) {
  std::vector<Slot> out;
  for (size_t i = 0; i < n.positionals.size(); ++i) {
    const Pos& p = n.positionals[i];
    out.push_back({p.repeats ? "*" : std::to_string(i), p.values});
    if (p.repeats) break;
  }
  return out;
}

// ---- bash ----

std::string bash_values(const Values& v) {
  if (v.dynamic == "config-value") {
    std::string s = "case \"${pos[0]}\" in\n";
    for (const auto& k : config_keys()) {
      auto kv = completion::config_key_values(k);
      if (kv.files)
        s += "          " + k.name + ") _lwgw_files ;;\n";
      else if (!kv.words.empty())
        s += "          " + k.name + ") _lwgw_reply " + sq(join(kv.words)) + " ;;\n";
    }
    return s + "        esac";
  }
  if (!v.dynamic.empty()) return "_lwgw_values " + v.dynamic;
  std::string s;
  if (v.files) s = "_lwgw_files";
  if (!v.words.empty()) s += (s.empty() ? "_lwgw_reply " : "; _lwgw_more ") + sq(join(v.words));
  return s.empty() ? ":" : s;
}

std::string bash(const Node& root) {
  std::ostringstream s;
  const std::string valued = join(valued_names(root), "|");
  s << "# bash completion for lwgw (generated by `lwgw completion bash`; do not edit)\n"
    << "_lwgw_reply() { COMPREPLY=($(compgen -W \"$1\" -- \"$cur\")); }\n"
    << "_lwgw_more() { COMPREPLY+=($(compgen -W \"$1\" -- \"$cur\")); }\n"
    << "_lwgw_files() {\n"
    << "  local f\n"
    << "  compopt -o filenames 2>/dev/null\n"
    << "  while IFS= read -r f; do COMPREPLY+=(\"$f\"); done < <(compgen -f -- \"$cur\")\n"
    << "}\n"
    << "# This machine's values (the CLIs set up, the cached models): offline, never the network.\n"
    << "_lwgw_values() { _lwgw_reply \"$(command lwgw completion --values \"$1\" 2>/dev/null)\"; "
       "}\n"
    << "_lwgw() {\n"
    << "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
    << "  local cmd=\"\" sub=\"\" i w\n"
    << "  local -a pos=()\n"
    << "  COMPREPLY=()\n"
    << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
    << "    w=\"${COMP_WORDS[i]}\"\n"
    << "    case \"$w\" in\n"
    << "      -*) ;;\n"
    << "      *) case \"${COMP_WORDS[i-1]}\" in " << valued << ") continue ;; esac\n"
    << "         if [[ -z $cmd ]]; then cmd=\"$w\"\n"
    << "         elif [[ -z $sub && \" " << join(parents(root))
    << " \" == *\" $cmd \"* ]]; then sub=\"$w\"\n"
    << "         else pos+=(\"$w\"); fi ;;\n"
    << "    esac\n"
    << "  done\n"
    << "  case \"$cmd/$sub\" in\n";
  for (const auto& [key, node] : contexts(root)) {
    const Node& n = *node;
    s << "    " << sq(key) << ")\n"
      << "      case \"$prev\" in\n";
    for (const auto& o : n.opts)
      if (o.takes_value)
        s << "        " << join(o.names, "|") << ") " << bash_values(o.values) << "; return 0 ;;\n";
    s << "      esac\n"
      << "      if [[ $cur == -* ]]; then _lwgw_reply " << sq(join(option_names(n.opts)))
      << "; return 0; fi\n";
    if (!n.children.empty()) {
      s << "      _lwgw_reply " << sq(join(child_names(n))) << " ;;\n";
      continue;
    }
    auto sl = slots(n);
    if (sl.empty()) {
      s << "      ;;\n";
      continue;
    }
    s << "      case ${#pos[@]} in\n";
    for (const auto& slot : sl)
      s << "        " << slot.pattern << ") " << bash_values(slot.values) << " ;;\n";
    s << "      esac ;;\n";
  }
  s << "  esac\n"
    << "  return 0\n"
    << "}\n"
    << "complete -F _lwgw lwgw\n";
  return s.str();
}

// ---- zsh ----

std::string zsh_escape_colon(std::string d) {
  for (size_t p = d.find(':'); p != std::string::npos; p = d.find(':', p + 2)) d.insert(p, "\\");
  return d;
}

std::string zsh_values(const Values& v) {
  if (v.dynamic == "config-value") {
    std::string s = "case $pos[1] in\n";
    for (const auto& k : config_keys()) {
      auto kv = completion::config_key_values(k);
      if (kv.files)
        s += "          (" + k.name + ") _files ;;\n";
      else if (!kv.words.empty())
        s += "          (" + k.name + ") compadd -- " + join(kv.words) + " ;;\n";
    }
    return s + "        esac";
  }
  if (!v.dynamic.empty())
    return "compadd -- ${(f)\"$(command lwgw completion --values " + v.dynamic + " 2>/dev/null)\"}";
  std::string s;
  if (!v.words.empty()) s = "compadd -- " + join(v.words);
  if (v.files) s += (s.empty() ? "" : "; ") + std::string("_files");
  return s.empty() ? "return 1" : s;
}

std::string zsh(const Node& root) {
  std::ostringstream s;
  s << "#compdef lwgw\n"
    << "# zsh completion for lwgw (generated by `lwgw completion zsh`; do not edit)\n"
    << "_lwgw() {\n"
    << "  local cur=$words[CURRENT] prev=$words[CURRENT-1] cmd= sub= i w\n"
    << "  local -a pos opts subs\n"
    << "  for (( i = 2; i < CURRENT; i++ )); do\n"
    << "    w=$words[i]\n"
    << "    case $w in\n"
    << "      (-*) ;;\n"
    << "      (*) case $words[i-1] in (" << join(valued_names(root), "|") << ") continue ;; esac\n"
    << "          if [[ -z $cmd ]]; then cmd=$w\n"
    << "          elif [[ -z $sub && \" " << join(parents(root))
    << " \" == *\" $cmd \"* ]]; then sub=$w\n"
    << "          else pos+=($w); fi ;;\n"
    << "    esac\n"
    << "  done\n"
    << "  case \"$cmd/$sub\" in\n";
  for (const auto& [key, node] : contexts(root)) {
    const Node& n = *node;
    s << "    (" << sq(key) << ")\n"
      << "      case $prev in\n";
    for (const auto& o : n.opts)
      if (o.takes_value)
        s << "        (" << join(o.names, "|") << ") " << zsh_values(o.values) << "; return ;;\n";
    s << "      esac\n"
      << "      if [[ $cur == -* ]]; then\n"
      << "        opts=(";
    for (const auto& o : n.opts)
      for (const auto& name : o.names) s << " " << sq(name + ":" + zsh_escape_colon(o.description));
    s << " )\n"
      << "        _describe -t options 'lwgw option' opts\n"
      << "        return\n"
      << "      fi\n";
    if (!n.children.empty()) {
      s << "      subs=(";
      for (const auto& c : n.children)
        s << " " << sq(c.name + ":" + zsh_escape_colon(c.description));
      s << " )\n"
        << "      _describe -t commands 'lwgw" << (n.path.empty() ? "" : " " + n.path)
        << " command' subs ;;\n";
      continue;
    }
    auto sl = slots(n);
    if (sl.empty()) {
      s << "      return 1 ;;\n";
      continue;
    }
    s << "      case $#pos in\n";
    for (const auto& slot : sl)
      s << "        (" << slot.pattern << ") " << zsh_values(slot.values) << " ;;\n";
    s << "      esac ;;\n";
  }
  s << "  esac\n"
    << "}\n"
    << "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
    << "  _lwgw \"$@\"\n"
    << "else\n"
    << "  compdef _lwgw lwgw\n"
    << "fi\n";
  return s.str();
}

// ---- fish ----

std::string fish_values(const Values& v, const std::string& indent) {
  if (v.dynamic == "config-value") {
    std::string s = "switch $pos[1]\n";
    for (const auto& k : config_keys()) {
      auto kv = completion::config_key_values(k);
      if (kv.files)
        s += indent + "    case " + k.name + "\n" + indent + "        __fish_complete_path $cur\n";
      else if (!kv.words.empty())
        s += indent + "    case " + k.name + "\n" + indent + "        printf '%s\\n' " +
             join(kv.words) + "\n";
    }
    return s + indent + "end";
  }
  if (!v.dynamic.empty()) return "command lwgw completion --values " + v.dynamic + " 2>/dev/null";
  std::string s;
  if (!v.words.empty()) s = "printf '%s\\n' " + join(v.words);
  if (v.files) s += (s.empty() ? "" : "; ") + std::string("__fish_complete_path $cur");
  return s.empty() ? "true" : s;
}

std::string fish_described(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string s = "printf '%s\\t%s\\n'";
  for (const auto& [name, about] : items) s += " " + fish_sq(name) + " " + fish_sq(about);
  return s;
}

std::string fish(const Node& root) {
  std::ostringstream s;
  s << "# fish completion for lwgw (generated by `lwgw completion fish`; do not edit)\n"
    << "function __lwgw_complete\n"
    << "    set -l tokens (commandline -opc)\n"
    << "    set -l cur (commandline -ct)\n"
    << "    set -l prev $tokens[-1]\n"
    << "    set -l cmd ''\n"
    << "    set -l sub ''\n"
    << "    set -l pos\n"
    << "    for i in (seq 2 (count $tokens))\n"
    << "        set -l w $tokens[$i]\n"
    << "        string match -q -- '-*' $w; and continue\n"
    << "        contains -- $tokens[(math $i - 1)] " << join(valued_names(root))
    << "; and continue\n"
    << "        if test -z \"$cmd\"\n"
    << "            set cmd $w\n"
    << "        else if test -z \"$sub\"; and contains -- $cmd " << join(parents(root)) << "\n"
    << "            set sub $w\n"
    << "        else\n"
    << "            set -a pos $w\n"
    << "        end\n"
    << "    end\n"
    << "    switch \"$cmd/$sub\"\n";
  for (const auto& [key, node] : contexts(root)) {
    const Node& n = *node;
    s << "        case " << fish_sq(key) << "\n"
      << "            switch $prev\n";
    for (const auto& o : n.opts)
      if (o.takes_value) {
        s << "                case";
        for (const auto& name : o.names) s << " " << fish_sq(name);
        s << "\n                    " << fish_values(o.values, "                    ")
          << "\n                    return\n";
      }
    s << "            end\n"
      << "            if string match -q -- '-*' $cur\n";
    std::vector<std::pair<std::string, std::string>> opts;
    for (const auto& o : n.opts)
      for (const auto& name : o.names) opts.emplace_back(name, o.description);
    s << "                " << fish_described(opts) << "\n"
      << "                return\n"
      << "            end\n";
    if (!n.children.empty()) {
      std::vector<std::pair<std::string, std::string>> subs;
      for (const auto& c : n.children) subs.emplace_back(c.name, c.description);
      s << "            " << fish_described(subs) << "\n";
      continue;
    }
    auto sl = slots(n);
    if (sl.empty()) continue;
    s << "            switch (count $pos)\n";
    for (const auto& slot : sl)
      s << "                case " << fish_sq(slot.pattern) << "\n                    "
        << fish_values(slot.values, "                    ") << "\n";
    s << "            end\n";
  }
  s << "    end\n"
    << "end\n"
    << "complete -c lwgw -f -a '(__lwgw_complete)'\n";
  return s.str();
}

}  // namespace

std::string completion_script(const CLI::App& root, const std::string& shell) {
  Node tree = tree_of(root);
  if (shell == "bash") return bash(tree);
  if (shell == "zsh") return zsh(tree);
  if (shell == "fish") return fish(tree);
  throw usage_error("unknown shell '" + shell + "' (bash, zsh or fish)");
}

void configure_completion(CLI::App& cmd, Context& ctx, Action& action) {
  struct Opts {
    std::string shell;
    std::string values;
  };
  auto o = std::make_shared<Opts>();
  cmd.add_option("shell", o->shell, "bash, zsh or fish")
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  // Hidden: what the scripts call on a TAB (man page, COMPLETION).
  cmd.add_option("--values", o->values, "internal: this machine's values of KIND, one a line")
      ->check(CLI::IsMember(completion::value_kinds()))
      ->group("");
  cmd.footer(
      "The scripts complete options after '-', subcommands, CLI names, config keys and values, "
      "--shell, and setup --model from the models the gateway served at the last setup or login; "
      "teardown offers the CLIs set up. They never wait on the network.");
  cmd.callback([&ctx, &action, &cmd, o] {
    if (!o->values.empty()) {
      action = [&ctx, o] {
        std::string gateway;
        try {
          gateway = ctx.config().get_string("gateway.url");
        } catch (const std::exception&) {
          // A malformed config: no gateway, so no models; a TAB prints no error.
        }
        for (const auto& v : completion::dynamic_values(ctx.paths(), o->values, gateway))
          *ctx.io.out << v << "\n";
        return 0;
      };
      return;
    }
    action = [&ctx, &cmd, o] {
      if (ctx.opts.json)
        throw usage_error("--json does not apply to `completion`: it prints a shell script");
      if (o->shell.empty()) throw usage_error("completion: which shell? bash, zsh or fish");
      *ctx.io.out << completion_script(*cmd.get_parent(), o->shell);
      return 0;
    };
  });
}

}  // namespace lwgw
