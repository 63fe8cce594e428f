// `lwgw config show|get|set|unset|path`: the layered configuration and edits of the user file.
#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include <chrono>
#include <csignal>

#include "lwgw/commands/table.hpp"
#include "lwgw/daemon/service.hpp"
#include "lwgw/daemon/start.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/daemon/stop.hpp"
#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/proxy/settings.hpp"
#include "lwgw/setup/engine.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw {

namespace {

nlohmann::json to_json(const ConfigValue& v) {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (auto* b = std::get_if<bool>(&v)) return *b;
  return std::get<std::vector<std::string>>(v);
}

const ConfigKey& known_key(const std::string& name) {
  const ConfigKey* k = find_config_key(name);
  if (!k) {
    std::string all;
    for (const auto& key : config_keys()) all += "\n  " + key.name;
    throw usage_error("unknown config key '" + name + "'; known keys:" + all);
  }
  return *k;
}

// A running proxy re-reads its configuration on SIGHUP; only its address needs a restart
// (proxy.listen itself: follow_listen).
void tell_running_proxy(Context& ctx, const ConfigKey& key) {
  if (key.name.rfind("proxy.", 0) != 0 && key.name.rfind("gateway.", 0) != 0) return;
  if (key.name == "proxy.listen") return;
  auto live = daemon::find_running(ctx.paths(), ctx.env);
  if (!live) return;
  if (key.name == "proxy.allow_remote" || key.name == "proxy.max_connections") {
    ctx.log().warn("the running proxy (pid " + std::to_string(live->state.pid) +
                   ") keeps its old " + key.name + " until `lwgw down && lwgw up`");
    return;
  }
  ::kill(live->state.pid, SIGHUP);
  ctx.log().info("told the running proxy (pid " + std::to_string(live->state.pid) + ") to reload");
}

// The proxy's new address: a running proxy started by `lwgw up` restarts there (the login
// service is rewritten and restarted by refresh_service).
void move_proxy(Context& ctx) {
  if (daemon::refresh_service(ctx, *ctx.io.err)) return;
  auto target = daemon::find_stop_target(ctx.paths(), ctx.env);
  if (!target || !target->live) return;
  *ctx.io.err << "lwgw: restarting the proxy (pid " << target->pid << ") on the new address\n"
              << std::flush;
  daemon::stop(target->pid, std::chrono::seconds(60));
  daemon::remove_state(ctx.paths(), target->pid);
  daemon::Started st = daemon::start_background(ctx, "");
  *ctx.io.err << "lwgw: proxy listening on " << st.url << " (pid " << st.pid << ")\n";
}

// After proxy.listen changed: the CLIs set up in proxy mode and the proxy follow it (setup again
// through the manifest), unless --no-reapply, which says what to run instead.
int follow_listen(Context& ctx, const std::string& before, bool reapply) {
  ctx.reload_config();
  const std::string now = ctx.config().get_string("proxy.listen");
  if (now == before) return 0;
  const auto cli_list = setup::clis_in_mode(ctx.paths(), setup::Mode::kProxy);
  auto live = daemon::find_running(ctx.paths(), ctx.env);
  if (!reapply) {
    if (!cli_list.empty())
      ctx.log().warn(util::join(cli_list) + " still point" + (cli_list.size() == 1 ? "s" : "") +
                     " at " + before + ": run `lwgw setup` to move them");
    if (live)
      ctx.log().warn("the running proxy (pid " + std::to_string(live->state.pid) + ") keeps " +
                     live->state.listen + " until `lwgw down && lwgw up`");
    return 0;
  }
  int code = 0;
  if (!cli_list.empty()) {
    *ctx.io.err << "lwgw: pointing " << util::join(cli_list) << " at http://" << now << "\n";
    setup::SetupRequest r;
    r.no_service = true;  // the proxy is moved below
    code = setup::reapply_setup(ctx, r, setup::Mode::kProxy);
  }
  move_proxy(ctx);
  return code;
}

// --json for set/unset: one document, with setup's own report (when proxy.listen moved the CLIs)
// under "reapplied".
int json_result(Context& ctx, nlohmann::json doc, const std::function<int()>& follow) {
  std::ostream* out = ctx.io.out;
  std::ostringstream inner;
  ctx.io.out = &inner;
  int code = 0;
  try {
    code = follow();
  } catch (...) {
    ctx.io.out = out;
    throw;
  }
  ctx.io.out = out;
  auto reapplied = nlohmann::json::parse(inner.str(), nullptr, false);
  doc["reapplied"] = reapplied.is_discarded() ? nlohmann::json(nullptr) : reapplied;
  doc["exit"] = code;
  *out << doc.dump(2) << "\n";
  return code;
}

int show(Context& ctx) {
  const Config& cfg = ctx.config();
  auto& out = *ctx.io.out;
  if (ctx.opts.json) {
    nlohmann::json doc = nlohmann::json::object();
    for (const auto& k : config_keys()) {
      const auto& s = cfg.setting(k.name);
      doc[k.name] = {{"value", to_json(s.value)}, {"origin", s.origin}};
    }
    out << doc.dump(2) << "\n";
    return 0;
  }
  size_t kw = 0, vw = 0;
  for (const auto& k : config_keys()) {
    kw = std::max(kw, k.name.size());
    vw = std::max(vw, to_display(cfg.setting(k.name).value).size());
  }
  for (const auto& k : config_keys()) {
    const auto& s = cfg.setting(k.name);
    std::string v = to_display(s.value);
    out << k.name << std::string(kw - k.name.size() + 2, ' ') << v
        << std::string(vw - v.size() + 2, ' ') << ctx.paint("(" + s.origin + ")", 2) << "\n";
  }
  return 0;
}

int get(Context& ctx, const std::string& name) {
  const ConfigKey& key = known_key(name);
  const auto& s = ctx.config().setting(key.name);
  if (ctx.opts.json)
    *ctx.io.out << nlohmann::json{{"key", key.name},
                                  {"value", to_json(s.value)},
                                  {"origin", s.origin}}
                       .dump()
                << "\n";
  else
    *ctx.io.out << to_display(s.value) << "\n";
  return 0;
}

int set(Context& ctx, const std::string& name, const std::string& text, bool reapply) {
  const ConfigKey& key = known_key(name);
  const std::string listen_before = ctx.config().get_string("proxy.listen");
  const auto& file = ctx.paths().config_file;
  ConfigValue value = parse_config_value(key, text);
  validate_config_value(key, value, "config set");
  if (key.name == "proxy.listen" && !ctx.config().get_bool("proxy.allow_remote") &&
      !is_loopback_host(parse_listen(text).host))
    throw config_error(proxy::loopback_refusal(text));
  edit_config_file(ctx.paths(), [&](const std::string& before) {
    return config_text_set(before, key, value, file.string());
  });
  if (ctx.opts.json)
    return json_result(
        ctx, {{"key", key.name}, {"value", to_json(value)}, {"file", file.string()}}, [&] {
          tell_running_proxy(ctx, key);
          return key.name == "proxy.listen" ? follow_listen(ctx, listen_before, reapply) : 0;
        });
  *ctx.io.err << "lwgw: " << key.name << " = " << to_toml_literal(value) << " in "
              << display_path(file, ctx.paths().home) << "\n";
  if (!key.env.empty() && ctx.env.get(key.env) && !ctx.env.get(key.env)->empty())
    ctx.log().warn(key.env + " is set in this environment and overrides this value");
  tell_running_proxy(ctx, key);
  return key.name == "proxy.listen" ? follow_listen(ctx, listen_before, reapply) : 0;
}

int unset(Context& ctx, const std::string& name, bool reapply) {
  const ConfigKey& key = known_key(name);
  const std::string listen_before = ctx.config().get_string("proxy.listen");
  const auto& file = ctx.paths().config_file;
  const bool removed = edit_config_file(ctx.paths(), [&](const std::string& before) {
    return before.empty() ? before : config_text_unset(before, key, file.string());
  });
  if (ctx.opts.json)
    return json_result(
        ctx, {{"key", key.name}, {"removed", removed}, {"file", file.string()}}, [&] {
          if (!removed) return 0;
          tell_running_proxy(ctx, key);
          return key.name == "proxy.listen" ? follow_listen(ctx, listen_before, reapply) : 0;
        });
  if (!removed) {
    *ctx.io.err << "lwgw: " << key.name << " was not set in "
                << display_path(file, ctx.paths().home) << "\n";
    return 0;
  }
  tell_running_proxy(ctx, key);
  *ctx.io.err << "lwgw: removed " << key.name << " from " << display_path(file, ctx.paths().home)
              << "\n";
  return key.name == "proxy.listen" ? follow_listen(ctx, listen_before, reapply) : 0;
}

}  // namespace

void configure_config(CLI::App& cmd, Context& ctx, Action& action) {
  cmd.require_subcommand(1);
  auto key = std::make_shared<std::string>();
  auto value = std::make_shared<std::string>();
  auto no_reapply = std::make_shared<bool>(false);
  const char* no_reapply_help =
      "proxy.listen: do not move the CLIs set up for the proxy, nor the proxy, to the new "
      "address (prints what to run instead)";

  cmd.add_subcommand("show", "Print every key, its value and where it came from")->callback([&] {
    action = [&ctx] { return show(ctx); };
  });

  auto* g = cmd.add_subcommand("get", "Print one key's effective value");
  g->add_option("key", *key, "e.g. proxy.listen")->required();
  g->callback([&ctx, &action, key] { action = [&ctx, key] { return get(ctx, *key); }; });

  auto* s = cmd.add_subcommand("set", "Set a key in the user config file (comments are kept)");
  s->add_option("key", *key, "e.g. proxy.listen")->required();
  s->add_option("value", *value, "the new value; lists as a,b or [\"a\", \"b\"]")->required();
  s->add_flag("--no-reapply", *no_reapply, no_reapply_help);
  s->callback([&ctx, &action, key, value, no_reapply] {
    action = [&ctx, key, value, no_reapply] { return set(ctx, *key, *value, !*no_reapply); };
  });

  auto* u = cmd.add_subcommand("unset", "Remove a key from the user config file");
  u->add_option("key", *key, "e.g. proxy.listen")->required();
  u->add_flag("--no-reapply", *no_reapply, no_reapply_help);
  u->callback([&ctx, &action, key, no_reapply] {
    action = [&ctx, key, no_reapply] { return unset(ctx, *key, !*no_reapply); };
  });

  cmd.add_subcommand("path", "Print the user config file's path")->callback([&] {
    action = [&ctx] {
      if (ctx.opts.json)
        *ctx.io.out << nlohmann::json{{"path", ctx.paths().config_file.string()}}.dump() << "\n";
      else
        *ctx.io.out << ctx.paths().config_file.string() << "\n";
      return 0;
    };
  });
  for (auto* sub : cmd.get_subcommands([](CLI::App*) { return true; })) sub->fallthrough();
}

}  // namespace lwgw
