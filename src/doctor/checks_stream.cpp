// doctor's stream.* checks (--deep only): one tiny streamed request per dialect the configured
// CLIs use, through the proxy where they go through it: status, the stream's terminal event,
// time to the first byte, and the largest gap between reads (a buffering middlebox delivers the
// whole stream at once).
#include <algorithm>

#include <nlohmann/json.hpp>

#include "groups.hpp"
#include "lwgw/doctor/net.hpp"
#include "lwgw/doctor/support.hpp"
#include "lwgw/http_client.hpp"
#include "lwgw/probe/probe.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::doctor {

namespace {

/// The dialect each CLI speaks (Cursor's requests come from its servers).
std::string dialect_of(const std::string& cli) {
  if (cli == "claude-code") return "messages";
  if (cli == "codex") return "responses";
  if (cli == "gemini-cli") return "gemini";
  if (cli == "opencode" || cli == "aider") return "chat";
  return "";
}

/// The last frame's name: its `event:`, its JSON `type`, `[DONE]`, or Gemini's finishReason.
std::string terminal_event(const std::string& body) {
  std::string last_event, last_data;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    const std::string line = body.substr(start, end - start);
    if (line.rfind("event:", 0) == 0) last_event = util::trim(line.substr(6));
    if (line.rfind("data:", 0) == 0) last_data = util::trim(line.substr(5));
    start = end + 1;
  }
  if (last_data == "[DONE]") return "[DONE]";
  auto j = nlohmann::json::parse(last_data, nullptr, false);
  if (j.is_object() && j.contains("type") && j["type"].is_string()) return j["type"];
  if (j.is_object() && j.contains("candidates") && j["candidates"].is_array() &&
      !j["candidates"].empty() && j["candidates"][0].contains("finishReason"))
    return "finishReason " + j["candidates"][0]["finishReason"].dump();
  return last_event.empty() ? "(none)" : last_event;
}

std::string ms(double v) {
  return std::to_string(static_cast<long>(v)) + " ms";
}

Result deep(const Facts& f, const Done& done, const std::string& dialect) {
  std::vector<std::string> users;
  bool via_proxy = false;
  for (const auto& [cli, mode] : f.clis)
    if (dialect_of(cli) == dialect) {
      users.push_back(cli);
      via_proxy = via_proxy || mode == "proxy";
    }
  if (users.empty()) return skip("no CLI set up speaks the " + dialect + " dialect");
  const Result* l = done.find("proxy.listener");
  if (via_proxy && (!l || l->details.value("kind", "") != "lwgw"))
    return skip("the proxy does not answer (proxy.listener)");
  const Result* auth = done.find("gateway.auth");
  nlohmann::json list = {{"data", nlohmann::json::array()}};
  for (const auto& id : auth->details.value("models", std::vector<std::string>{}))
    list["data"].push_back({{"id", id}});
  const std::string model = probe::pick_model(dialect, list.dump());
  if (model.empty()) return skip("the gateway serves no model for the " + dialect + " dialect");
  const probe::Spec spec = probe::completion_probe(dialect, model);
  auto key = expected_key(f, via_proxy ? "proxy" : "direct");
  if (!key) return skip("no key to send");
  http::Request req;
  req.method = "POST";
  req.url = http::join_url(via_proxy ? f.proxy_root() : f.gateway, spec.path);
  req.headers = spec.headers;
  req.headers.push_back(
      {spec.key_header, spec.key_header == "Authorization" ? "Bearer " + *key : *key});
  req.body = spec.body;
  req.ca_file = f.ca_file;
  req.connect_timeout_s = 3;
  req.timeout_s = std::max(1L, static_cast<long>(f.seconds_left(15)));
  const net::Stream s = net::stream(req, f.env);
  const probe::Result judged = probe::judge_stream(dialect, s.response);
  const std::string route = via_proxy ? "through the proxy" : "to the gateway";
  Result r;
  if (judged.verdict == probe::Verdict::kFail) {
    r = fail(spec.path.substr(0, spec.path.find('?')) + " " + route + ": " + judged.reason,
             {"see the request in the proxy's log", "lwgw logs -n 20"});
  } else {
    const std::string end = terminal_event(s.response.body);
    r = ok("200 " + route + ", ends with " + end + ", first byte after " + ms(s.ttfb_ms) +
           ", largest gap " + ms(s.max_gap_ms));
    const size_t frames = std::count(s.response.body.begin(), s.response.body.end(), '\n');
    if (s.pieces == 1 && frames > 4)
      r = warn("the whole stream arrived in one piece after " + ms(s.ttfb_ms) + " " + route +
                   ": something on the way buffers streams",
               {"exempt the gateway from the buffering proxy (NO_PROXY) or ask its operators", ""});
  }
  return r.with("model", model)
      .with("clis", users)
      .with("ttfb_ms", static_cast<long>(s.ttfb_ms))
      .with("max_gap_ms", static_cast<long>(s.max_gap_ms))
      .with("reads", s.pieces);
}

Check deep_check(const std::string& dialect, const std::string& title) {
  return {.id = "stream." + dialect,
          .group = "stream",
          .title = title + " (--deep)",
          .needs = {"gateway.auth"},
          .after = {"proxy.listener"},
          .slow = true,
          .limit_s = 15,
          .deep = true,
          .run = [dialect](const Facts& f, const Done& d) { return deep(f, d, dialect); }};
}

}  // namespace

std::vector<Check> stream_checks() {
  return {deep_check("messages", "a streamed POST /v1/messages (Claude Code)"),
          deep_check("responses", "a streamed POST /v1/responses (Codex)"),
          deep_check("chat", "a streamed POST /v1/chat/completions (opencode, Aider)"),
          deep_check("gemini", "a streamed :streamGenerateContent (Gemini CLI)")};
}

}  // namespace lwgw::doctor
