// lwgw-standin-gateway: a loopback stand-in for the LangWatch AI Gateway (tests and `make demo`).
// Reproduces the LangWatch AI Gateway's HTTP contract: probes, auth from the
// four key headers, error envelopes, /v1/models, streams for the four dialects, trace headers,
// budget warnings, policy/budget errors, a mid-stream error on request and drain on SIGTERM.
// It serves only the models of `--models` (default: one per family) and answers any other model,
// in the body or in a Gemini path, with the gateway's 400 model_not_allowed/model_not_recognized.
// `--profile seed` answers like the gateway's verified smoke output of 2026-04-19, `--profile
// current` like today.
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using json = nlohmann::ordered_json;

struct Profile {
  std::string name;
  bool seed = false;
  bool unauth_200 = false;          // broken: /v1/models answers 200 without a key
  bool healthz_500 = false;         // broken: /healthz answers 500
  bool error_type_changed = false;  // broken: the 401 carries another error type
};

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string profile = "current";
  std::vector<std::string> keys;
  std::string keys_file;
  std::string budget_warning;
  std::vector<std::string> deny_tools;
  int frame_delay_ms = 20;
  int drain_delay_ms = 3000;
  int cold_boot_ms = 0;
  std::string record;
  int clock_offset_s = 0;  // the Date header's distance from this machine's clock
  std::string build_version = "dev";
  std::vector<std::string> models = {"gpt-5-mini", "claude-haiku-4-5-20251001", "gemini-2.5-flash"};
};

// ---------------------------------------------------------------------------------------------
// small helpers

std::string random_hex(size_t n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::string s(n, '0');
  for (auto& c : s) c = digits[rng() % 16];
  return s;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// The provider a model id belongs to, as /v1/models says it (owned_by); empty when the name fits
/// no provider the gateway knows.
std::string provider_of(const std::string& id) {
  const std::string m = id.substr(id.rfind('/') == std::string::npos ? 0 : id.rfind('/') + 1);
  auto starts = [&](const char* p) { return m.rfind(p, 0) == 0; };
  if (starts("claude-")) return "anthropic";
  if (starts("gemini-")) return "google";
  if (starts("gpt-") || starts("chatgpt-") || starts("codex-") || starts("text-embedding-") ||
      (m.size() > 1 && m[0] == 'o' && std::isdigit(static_cast<unsigned char>(m[1]))))
    return "openai";
  return "";
}

std::string seconds_text(int ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  std::ostringstream o;
  o << ms / 1000.0 << "s";
  return o.str();
}

// ---------------------------------------------------------------------------------------------

class StandIn {
 public:
  StandIn(Options o, Profile p) : opt_(std::move(o)), prof_(std::move(p)) {
    for (const auto& k : opt_.keys) add_key_spec(k);
    if (!opt_.keys_file.empty()) {
      std::ifstream in(opt_.keys_file);
      if (!in) throw std::runtime_error("cannot read --keys " + opt_.keys_file);
      std::string line;
      while (std::getline(in, line)) {
        if (auto h = line.find('#'); h != std::string::npos) line.resize(h);
        std::istringstream ls(line);
        std::string key, state;
        if (!(ls >> key)) continue;
        ls >> state;
        keys_[key] = state.empty() ? "ok" : state;
      }
    }
    if (!opt_.record.empty()) {
      record_.open(opt_.record, std::ios::app);
      if (!record_) throw std::runtime_error("cannot open --record " + opt_.record);
    }
    started_ = std::chrono::steady_clock::now();
  }

  httplib::Server& server() { return svr_; }
  std::atomic<bool>& draining() { return draining_; }
  const Profile& profile() const { return prof_; }

  void routes() {
    svr_.new_task_queue = [] { return new httplib::ThreadPool(64); };
    // Without it small writes on a keep-alive connection wait for the peer's delayed ACK (Nagle):
    // 40 ms stalls that would swamp any proxy measurement made against the stand-in.
    svr_.set_tcp_nodelay(true);
    // Every answer carries Date (RFC 9110), shifted by --clock-offset-s to stage clock skew.
    svr_.set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
      const std::time_t now = std::time(nullptr) + opt_.clock_offset_s;
      std::tm tm{};
      ::gmtime_r(&now, &tm);
      char buf[64];
      std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
      res.set_header("Date", buf);
    });
    svr_.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          res.status = 500;
          res.set_content("{\"error\":{\"type\":\"internal\",\"message\":\"stand-in failure\"}}\n",
                          "application/json");
        });
    auto wrap = [this](void (StandIn::*fn)(const httplib::Request&, httplib::Response&)) {
      return [this, fn](const httplib::Request& req, httplib::Response& res) {
        const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
        (this->*fn)(req, res);
        record(req, res);
      };
    };
    svr_.Get("/healthz", wrap(&StandIn::healthz));
    svr_.Get("/readyz", wrap(&StandIn::readyz));
    svr_.Get("/startupz", wrap(&StandIn::startupz));
    svr_.Get("/health", wrap(&StandIn::health));
    svr_.Get("/metrics", wrap(&StandIn::metrics));
    svr_.Get("/v1/models", wrap(&StandIn::models));
    svr_.Post("/v1/chat/completions", wrap(&StandIn::chat));
    svr_.Post("/v1/messages", wrap(&StandIn::messages));
    svr_.Post("/v1/responses", wrap(&StandIn::responses));
    svr_.Post("/v1/embeddings", wrap(&StandIn::embeddings));
    svr_.Post(R"(/v1beta/models/([^:/]+):(\w+))", wrap(&StandIn::gemini));
    svr_.Get(".*", wrap(&StandIn::not_found));
    svr_.Post(".*", wrap(&StandIn::not_found));
    svr_.Put(".*", wrap(&StandIn::not_found));
    svr_.Patch(".*", wrap(&StandIn::not_found));
    svr_.Delete(".*", wrap(&StandIn::not_found));
    svr_.Options(".*", wrap(&StandIn::not_found));
  }

  void log(const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mu_);
    std::cerr << line << "\n" << std::flush;
  }

 private:
  // ---- per-request bookkeeping -----------------------------------------------------------

  void add_key_spec(const std::string& spec) {
    auto colon = spec.rfind(':');
    if (colon == std::string::npos)
      keys_[spec] = "ok";
    else
      keys_[spec.substr(0, colon)] = spec.substr(colon + 1);
  }

  /// The model a request names: the Gemini path's, else the JSON body's; empty when none.
  static std::string requested_model(const httplib::Request& req) {
    static const std::string kGemini = "/v1beta/models/";
    if (req.path.rfind(kGemini, 0) == 0) {
      std::string rest = req.path.substr(kGemini.size());
      return rest.substr(0, rest.find_first_of(":/"));
    }
    auto j = json::parse(req.body, nullptr, false);
    if (j.is_object() && j.contains("model") && j["model"].is_string()) return j["model"];
    return "";
  }

  /// One line per request, written once it has been answered: what it asked for and the answer's
  /// status and gateway error code.
  void record(const httplib::Request& req, const httplib::Response& res) {
    if (!record_.is_open()) return;
    static const char* kCredHeaders[] = {"Authorization", "x-api-key", "x-goog-api-key",
                                         "xi-api-key"};
    json creds = json::object();
    for (const char* h : kCredHeaders)
      if (req.has_header(h)) creds[lower(h)] = req.get_header_value(h);
    json headers = json::array();
    for (const auto& [k, v] : req.headers) {
      if (k == "REMOTE_ADDR" || k == "REMOTE_PORT" || k == "LOCAL_ADDR" || k == "LOCAL_PORT")
        continue;
      headers.push_back(json::array({k, v}));
    }
    json line = {{"method", req.method}, {"target", req.target},
                 {"path", req.path},     {"credential_headers", creds},
                 {"headers", headers},   {"body_size", req.body.size()}};
    if (std::string m = requested_model(req); !m.empty()) line["model"] = m;
    line["status"] = res.status;
    if (res.has_header("X-Langwatch-Handled-Error"))
      line["error"] = res.get_header_value("X-Langwatch-Handled-Error");
    std::lock_guard<std::mutex> lock(record_mu_);
    record_ << line.dump() << "\n" << std::flush;
  }

  double uptime() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }
  bool cold() const { return uptime() * 1000.0 < opt_.cold_boot_ms; }

  /// X-Request-Id (today) or X-Langwatch-Request-Id (seed); the client's own id when it sent one.
  std::string request_id(const httplib::Request& req, httplib::Response& res) {
    std::string id = req.get_header_value("X-Request-Id");
    if (id.empty()) id = "req_" + random_hex(30);
    res.set_header(prof_.seed ? "X-Langwatch-Request-Id" : "X-Request-Id", id);
    res.set_header("X-Langwatch-Gateway-Version", opt_.build_version);
    return id;
  }

  void trace_headers(httplib::Response& res, bool traceparent) {
    std::string trace = random_hex(32), span = random_hex(16);
    if (traceparent) res.set_header("Traceparent", "00-" + trace + "-" + span + "-01");
    res.set_header("X-Langwatch-Span-Id", span);
    res.set_header("X-Langwatch-Trace-Id", trace);
  }

  void send_json(httplib::Response& res, int status, const std::string& body) {
    res.status = status;
    res.set_content(body, "application/json");
  }

  void error(httplib::Response& res, int status, const std::string& type, const std::string& msg,
             const json& meta = nullptr) {
    json err = {{"type", type}, {"code", type}, {"message", msg}};
    if (!meta.is_null()) err["meta"] = meta;
    if (!prof_.seed) res.set_header("X-Langwatch-Handled-Error", type);
    send_json(res, status, json{{"error", err}}.dump() + "\n");
  }

  void health_body(httplib::Response& res, int status, const std::string& state,
                   const json& checks = nullptr) {
    json body = {{"status", state},
                 {"version", prof_.seed ? opt_.build_version : std::string("local")},
                 {"uptime_s", uptime()}};
    if (!checks.is_null()) body["checks"] = checks;
    send_json(res, status, body.dump() + "\n");
  }

  /// Authenticates like the gateway: the first of the four headers. Writes the error and returns
  /// false when the request may not proceed.
  bool authenticate(const httplib::Request& req, httplib::Response& res, bool want_200_anyway) {
    std::string key;
    if (auto a = req.get_header_value("Authorization"); !a.empty()) {
      key = a.rfind("Bearer ", 0) == 0 ? a.substr(7) : a;
    } else if (req.has_header("x-api-key")) {
      key = req.get_header_value("x-api-key");
    } else if (req.has_header("x-goog-api-key")) {
      key = req.get_header_value("x-goog-api-key");
    } else if (req.has_header("xi-api-key")) {
      key = req.get_header_value("xi-api-key");
    }
    if (key.empty()) {
      if (want_200_anyway) return true;
      trace_headers(res, prof_.seed);
      if (prof_.seed)
        send_json(res, 401,
                  json{{"error",
                        {{"type", prof_.error_type_changed ? "unauthorized" : "invalid_api_key"},
                         {"code", "missing_api_key"},
                         {"message",
                          "missing API key; supply Authorization: Bearer lw_vk_... or "
                          "x-api-key"}}}}
                      .dump());
      else
        error(res, 401, prof_.error_type_changed ? "unauthorized" : "invalid_api_key",
              "missing API key; supply Authorization: Bearer <key>, x-api-key, "
              "x-goog-api-key, or xi-api-key header");
      return false;
    }
    std::string state = "ok";
    if (!keys_.empty()) {
      auto it = keys_.find(key);
      state = it == keys_.end() ? "unknown" : it->second;
    }
    trace_headers(res, state == "ok" || prof_.seed);
    if (state == "ok") return true;
    if (state == "unknown") {
      error(res, 401, "invalid_api_key", "invalid_api_key");
    } else if (state == "revoked" || state == "disabled" || state == "expired") {
      error(res, prof_.seed ? 401 : 403, "virtual_key_" + state,
            "this virtual key is " + state + "; ask your LangWatch admin for a new one");
    } else if (state == "budget_exceeded") {
      error(res, 402, "budget_exceeded", "budget exceeded for project (monthly)",
            {{"budget_scope", "project"}, {"budget_window", "month"}});
    } else if (state == "rate_limited") {
      res.set_header("Retry-After", "30");
      error(res, 429, "rate_limited", "rate limit reached for this virtual key");
    } else {
      error(res, 503, "auth_upstream_unavailable", "control plane unreachable");
    }
    return false;
  }

  /// Errors requested by the `x-standin-fail` header (before any stream starts), and the body cap.
  bool injected_failure(const httplib::Request& req, httplib::Response& res) {
    std::string fail = req.get_header_value("x-standin-fail");
    static const std::map<std::string, std::pair<int, std::string>> kErrors = {
        {"budget_exceeded", {402, "budget exceeded for project (monthly)"}},
        {"policy_violation", {403, "tool \"shell.exec\" is blocked by policy"}},
        {"rate_limited", {429, "rate limit reached for this virtual key"}},
        {"model_not_allowed", {400, "model is not allowed for this virtual key"}},
        {"payload_too_large", {413, "request body exceeds 32 MiB"}},
        {"provider_error", {502, "the provider answered 500"}},
        {"provider_timeout", {504, "the provider did not answer in time"}},
        {"circuit_open", {503, "circuit open for this provider"}},
    };
    if (auto it = kErrors.find(fail); it != kErrors.end()) {
      error(res, it->second.first, it->first, it->second.second);
      return true;
    }
    if (req.body.size() > 32u * 1024 * 1024) {
      error(res, 413, "payload_too_large", "request body exceeds 32 MiB");
      return true;
    }
    return false;
  }

  /// A model outside --models: model_not_allowed when a provider the gateway knows makes it,
  /// model_not_recognized otherwise (400 either way, like the gateway).
  bool model_refused(const std::string& model, httplib::Response& res) {
    if (std::find(opt_.models.begin(), opt_.models.end(), model) != opt_.models.end()) return false;
    std::string served;
    for (const auto& m : opt_.models) served += (served.empty() ? "" : ", ") + m;
    if (provider_of(model).empty())
      error(res, 400, "model_not_recognized",
            "model \"" + model +
                "\" is not recognized: no provider serves it (this gateway serves " + served + ")");
    else
      error(res, 400, "model_not_allowed",
            "model \"" + model + "\" is not allowed for this virtual key (it may use " + served +
                ")");
    return true;
  }

  /// The gateway's tool policy: 403 policy_violation when a request declares a denied tool.
  bool denied_tool(httplib::Response& res, const json& body) {
    if (opt_.deny_tools.empty() || !body.is_object() || !body.contains("tools") ||
        !body["tools"].is_array())
      return false;
    for (const auto& t : body["tools"]) {
      std::string name = t.value("name", "");
      if (name.empty() && t.contains("function") && t["function"].is_object())
        name = t["function"].value("name", "");
      for (const auto& deny : opt_.deny_tools)
        if (name == deny) {
          error(res, 403, "policy_violation", "tool \"" + name + "\" is blocked by policy");
          return true;
        }
    }
    return false;
  }

  void dispatched(const httplib::Request& req, httplib::Response& res) {
    std::string id = request_id(req, res);
    if (!prof_.seed) res.set_header("X-Langwatch-Gateway-Request-Id", id);
    if (!opt_.budget_warning.empty())
      res.set_header("X-Langwatch-Budget-Warning", opt_.budget_warning);
  }

  /// Streams `frames` one by one, flushing each with a pause; `event: error` mid-stream on request.
  void stream(const httplib::Request& req, httplib::Response& res,
              std::vector<std::string> frames) {
    bool fail = req.get_header_value("x-standin-fail") == "midstream";
    if (fail) {
      frames.resize(std::min<size_t>(frames.size(), 3));
      frames.push_back(
          "event: error\ndata: " +
          json{{"error",
                {{"type", "provider_error"},
                 {"code", "provider_error"},
                 {"message", "the provider closed the stream (stand-in failure on request)"}}}}
              .dump() +
          "\n\n");
    }
    auto shared = std::make_shared<std::vector<std::string>>(std::move(frames));
    auto index = std::make_shared<size_t>(0);
    int delay = opt_.frame_delay_ms;
    res.status = 200;
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream", [shared, index, delay](size_t, httplib::DataSink& sink) {
          try {
            if (*index >= shared->size()) {
              sink.done();
              return true;
            }
            if (*index > 0 && delay > 0)
              std::this_thread::sleep_for(std::chrono::milliseconds(delay));
            const std::string& f = (*shared)[(*index)++];
            if (!sink.write(f.data(), f.size())) return false;
            return true;
          } catch (...) {
            return false;
          }
        });
  }

  static std::string sse(const json& data, const std::string& event = "") {
    std::string s;
    if (!event.empty()) s += "event: " + event + "\n";
    return s + "data: " + data.dump() + "\n\n";
  }

  static json parse_body(const httplib::Request& req) {
    auto j = json::parse(req.body, nullptr, false);
    return j.is_discarded() ? json() : j;
  }

  static const std::vector<std::string>& tokens() {
    static const std::vector<std::string> t = {"Hello", " from", " the", " stand-in", " gateway"};
    return t;
  }
  static std::string reply_text() { return "Hello from the stand-in gateway"; }

  // ---- probes -------------------------------------------------------------------------------

  void healthz(const httplib::Request& req, httplib::Response& res) {
    request_id(req, res);
    if (prof_.healthz_500) {
      send_json(res, 500, "{\"status\":\"error\"}\n");
      return;
    }
    health_body(res, 200, "ok");
  }

  void readyz(const httplib::Request& req, httplib::Response& res) {
    request_id(req, res);
    if (draining_)
      health_body(res, 503, "draining");
    else if (cold())
      health_body(res, 503, "starting");
    else
      health_body(res, 200, "ok");
  }

  void startupz(const httplib::Request& req, httplib::Response& res) {
    request_id(req, res);
    if (cold())
      send_json(res, 503,
                "{\"status\":\"degraded\",\"checks\":{\"control_plane_reachable\":\"ok\"}}\n");
    else
      health_body(res, 200, "ok");
  }

  void health(const httplib::Request& req, httplib::Response& res) {
    request_id(req, res);
    send_json(res, 200,
              "{\"status\":\"ok\",\"checks\":{\"gateway\":\"ok\",\"control_plane\":\"ok\"}}\n");
  }

  void metrics(const httplib::Request& req, httplib::Response& res) {
    request_id(req, res);
    res.set_content("# stand-in gateway\nlangwatch_gateway_up 1\n", "text/plain; version=0.0.4");
  }

  void not_found(const httplib::Request& req, httplib::Response& res) {
    request_id(req, res);
    res.status = 404;
    res.set_content("404 page not found\n", "text/plain; charset=utf-8");
  }

  // ---- /v1 ----------------------------------------------------------------------------------

  void models(const httplib::Request& req, httplib::Response& res) {
    if (!authenticate(req, res, prof_.unauth_200)) {
      request_id(req, res);
      return;
    }
    dispatched(req, res);
    json data = json::array();
    for (const auto& id : opt_.models) {
      std::string owner = provider_of(id);
      data.push_back({{"id", id},
                      {"object", "model"},
                      {"created", 0},
                      {"owned_by", owner.empty() ? "custom" : owner}});
    }
    send_json(res, 200, json{{"object", "list"}, {"data", data}}.dump() + "\n");
  }

  bool pre_dispatch(const httplib::Request& req, httplib::Response& res, json& body) {
    if (!authenticate(req, res, false)) {
      request_id(req, res);
      return false;
    }
    body = parse_body(req);
    const bool gemini = req.path.rfind("/v1beta/", 0) == 0;
    bool refused = injected_failure(req, res);
    if (!refused && !gemini && !body.is_object()) {
      error(res, 400, "bad_request", "request body is not a JSON object");
      refused = true;
    } else if (!refused && !gemini && (!body.contains("model") || !body["model"].is_string())) {
      error(res, 400, "missing_model", "the request names no model");
      refused = true;
    }
    refused = refused || model_refused(requested_model(req), res) || denied_tool(res, body);
    if (refused) {
      request_id(req, res);
      return false;
    }
    dispatched(req, res);
    return true;
  }

  void chat(const httplib::Request& req, httplib::Response& res) {
    json body;
    if (!pre_dispatch(req, res, body)) return;
    std::string model = body["model"];
    std::string id = "chatcmpl-" + random_hex(24);
    long created = static_cast<long>(std::time(nullptr));
    auto chunk = [&](const json& delta, const json& finish) {
      return json{
          {"id", id},
          {"object", "chat.completion.chunk"},
          {"created", created},
          {"model", model},
          {"choices", json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}};
    };
    json usage = {{"prompt_tokens", 9}, {"completion_tokens", 7}, {"total_tokens", 16}};
    if (!body.value("stream", false)) {
      send_json(res, 200,
                json{{"id", id},
                     {"object", "chat.completion"},
                     {"created", created},
                     {"model", model},
                     {"choices",
                      json::array({{{"index", 0},
                                    {"message", {{"role", "assistant"}, {"content", reply_text()}}},
                                    {"finish_reason", "stop"}}})},
                     {"usage", usage}}
                    .dump());
      return;
    }
    std::vector<std::string> frames;
    frames.push_back(sse(chunk({{"role", "assistant"}, {"content", ""}}, nullptr)));
    for (const auto& t : tokens()) frames.push_back(sse(chunk({{"content", t}}, nullptr)));
    frames.push_back(sse(chunk(json::object(), "stop")));
    if (body.contains("stream_options") && body["stream_options"].value("include_usage", false)) {
      json u = chunk(json::object(), nullptr);
      u["choices"] = json::array();
      u["usage"] = usage;
      frames.push_back(sse(u));
    }
    frames.push_back("data: [DONE]\n\n");
    stream(req, res, std::move(frames));
  }

  /// The tool the stand-in "calls" with its canned input {"location": "Amsterdam"}: the first
  /// declared tool whose input_schema is empty or has a `location` property.
  /// A real CLI declares dozens of tools with other schemas (Claude Code: Bash, Read, …); calling
  /// one of those with a bogus input made it loop, re-sending the conversation without end.
  static std::string canned_tool(const json& body) {
    if (!body.contains("tools") || !body["tools"].is_array()) return "";
    for (const auto& t : body["tools"]) {
      if (!t.is_object()) continue;
      const json schema = t.value("input_schema", json::object());
      if (!schema.is_object()) continue;
      const json props = schema.value("properties", json::object());
      if (schema.empty() || (props.is_object() && props.contains("location")))
        return t.value("name", "tool");
    }
    return "";
  }

  void messages(const httplib::Request& req, httplib::Response& res) {
    json body;
    if (!pre_dispatch(req, res, body)) return;
    std::string model = body["model"];
    std::string id = "msg_" + random_hex(24);
    std::string tool = canned_tool(body);
    if (!body.value("stream", false)) {
      json content = json::array({{{"type", "text"}, {"text", reply_text()}}});
      if (!tool.empty())
        content.push_back({{"type", "tool_use"},
                           {"id", "toolu_" + random_hex(24)},
                           {"name", tool},
                           {"input", {{"location", "Amsterdam"}}}});
      send_json(res, 200,
                json{{"id", id},
                     {"type", "message"},
                     {"role", "assistant"},
                     {"model", model},
                     {"content", content},
                     {"stop_reason", tool.empty() ? "end_turn" : "tool_use"},
                     {"stop_sequence", nullptr},
                     {"usage", {{"input_tokens", 12}, {"output_tokens", 9}}}}
                    .dump());
      return;
    }
    std::vector<std::string> f;
    f.push_back(sse({{"type", "message_start"},
                     {"message",
                      {{"id", id},
                       {"type", "message"},
                       {"role", "assistant"},
                       {"model", model},
                       {"content", json::array()},
                       {"stop_reason", nullptr},
                       {"stop_sequence", nullptr},
                       {"usage", {{"input_tokens", 12}, {"output_tokens", 1}}}}}},
                    "message_start"));
    f.push_back(sse({{"type", "content_block_start"},
                     {"index", 0},
                     {"content_block", {{"type", "text"}, {"text", ""}}}},
                    "content_block_start"));
    f.push_back(sse({{"type", "ping"}}, "ping"));
    for (const auto& t : tokens())
      f.push_back(sse({{"type", "content_block_delta"},
                       {"index", 0},
                       {"delta", {{"type", "text_delta"}, {"text", t}}}},
                      "content_block_delta"));
    f.push_back(sse({{"type", "content_block_stop"}, {"index", 0}}, "content_block_stop"));
    if (!tool.empty()) {
      f.push_back(sse({{"type", "content_block_start"},
                       {"index", 1},
                       {"content_block",
                        {{"type", "tool_use"},
                         {"id", "toolu_" + random_hex(24)},
                         {"name", tool},
                         {"input", json::object()}}}},
                      "content_block_start"));
      for (const char* part : {"", "{\"location\":", " \"Amst", "erdam\"}"})
        f.push_back(sse({{"type", "content_block_delta"},
                         {"index", 1},
                         {"delta", {{"type", "input_json_delta"}, {"partial_json", part}}}},
                        "content_block_delta"));
      f.push_back(sse({{"type", "content_block_stop"}, {"index", 1}}, "content_block_stop"));
    }
    f.push_back(sse(
        {{"type", "message_delta"},
         {"delta",
          {{"stop_reason", tool.empty() ? "end_turn" : "tool_use"}, {"stop_sequence", nullptr}}},
         {"usage", {{"output_tokens", 9}}}},
        "message_delta"));
    f.push_back(sse({{"type", "message_stop"}}, "message_stop"));
    stream(req, res, std::move(f));
  }

  void responses(const httplib::Request& req, httplib::Response& res) {
    json body;
    if (!pre_dispatch(req, res, body)) return;
    std::string model = body["model"];
    std::string id = "resp_" + random_hex(24), item = "msg_" + random_hex(24);
    long created = static_cast<long>(std::time(nullptr));
    json usage = {{"input_tokens", 9}, {"output_tokens", 7}, {"total_tokens", 16}};
    json done_item = {
        {"id", item},
        {"type", "message"},
        {"status", "completed"},
        {"role", "assistant"},
        {"content",
         json::array(
             {{{"type", "output_text"}, {"text", reply_text()}, {"annotations", json::array()}}})}};
    auto response = [&](const std::string& status, bool full) {
      json r = {{"id", id},         {"object", "response"}, {"created_at", created},
                {"status", status}, {"model", model},       {"output", json::array()}};
      if (full) {
        r["output"].push_back(done_item);
        r["usage"] = usage;
      }
      return r;
    };
    if (!body.value("stream", false)) {
      send_json(res, 200, response("completed", true).dump());
      return;
    }
    int seq = 0;
    auto ev = [&](json j) {
      j["sequence_number"] = seq++;
      return sse(j);
    };
    std::vector<std::string> f;
    f.push_back(ev({{"type", "response.created"}, {"response", response("in_progress", false)}}));
    f.push_back(
        ev({{"type", "response.in_progress"}, {"response", response("in_progress", false)}}));
    f.push_back(ev({{"type", "response.output_item.added"},
                    {"output_index", 0},
                    {"item",
                     {{"id", item},
                      {"type", "message"},
                      {"status", "in_progress"},
                      {"role", "assistant"},
                      {"content", json::array()}}}}));
    f.push_back(
        ev({{"type", "response.content_part.added"},
            {"item_id", item},
            {"output_index", 0},
            {"content_index", 0},
            {"part", {{"type", "output_text"}, {"text", ""}, {"annotations", json::array()}}}}));
    for (const auto& t : tokens())
      f.push_back(ev({{"type", "response.output_text.delta"},
                      {"item_id", item},
                      {"output_index", 0},
                      {"content_index", 0},
                      {"delta", t}}));
    f.push_back(ev({{"type", "response.output_text.done"},
                    {"item_id", item},
                    {"output_index", 0},
                    {"content_index", 0},
                    {"text", reply_text()}}));
    f.push_back(ev({{"type", "response.content_part.done"},
                    {"item_id", item},
                    {"output_index", 0},
                    {"content_index", 0},
                    {"part", done_item["content"][0]}}));
    f.push_back(
        ev({{"type", "response.output_item.done"}, {"output_index", 0}, {"item", done_item}}));
    f.push_back(ev({{"type", "response.completed"}, {"response", response("completed", true)}}));
    f.push_back("data: [DONE]\n\n");
    stream(req, res, std::move(f));
  }

  void embeddings(const httplib::Request& req, httplib::Response& res) {
    json body;
    if (!pre_dispatch(req, res, body)) return;
    send_json(
        res, 200,
        json{{"object", "list"},
             {"data",
              json::array(
                  {{{"object", "embedding"}, {"index", 0}, {"embedding", {0.0125, -0.5, 0.25}}}})},
             {"model", body["model"]},
             {"usage", {{"prompt_tokens", 2}, {"total_tokens", 2}}}}
            .dump());
  }

  void gemini(const httplib::Request& req, httplib::Response& res) {
    std::string model = req.matches[1], method = req.matches[2];
    if (method != "generateContent" && method != "streamGenerateContent" &&
        method != "countTokens") {
      not_found(req, res);
      return;
    }
    json body;
    if (!pre_dispatch(req, res, body)) return;
    json usage = {{"promptTokenCount", 9}, {"candidatesTokenCount", 7}, {"totalTokenCount", 16}};
    auto candidate = [&](const std::string& text, bool last) {
      json c = {{"content", {{"parts", json::array({{{"text", text}}})}, {"role", "model"}}},
                {"index", 0}};
      if (last) c["finishReason"] = "STOP";
      json r = {{"candidates", json::array({c})}};
      if (last) r["usageMetadata"] = usage;
      r["modelVersion"] = model;
      r["responseId"] = random_hex(16);
      return r;
    };
    if (method == "countTokens") {
      send_json(res, 200, "{\"totalTokens\":9}");
      return;
    }
    if (method == "generateContent") {
      // Gemini CLI's model router asks for a JSON verdict; everything else gets the greeting.
      bool router = req.body.find("complexity_score") != std::string::npos;
      std::string text =
          router ? "{\"complexity_reasoning\":\"A short greeting is a simple request.\","
                   "\"complexity_score\":1}"
                 : reply_text();
      send_json(res, 200, candidate(text, true).dump());
      return;
    }
    std::vector<std::string> f;
    const auto& t = tokens();
    for (size_t i = 0; i < t.size(); ++i) f.push_back(sse(candidate(t[i], i + 1 == t.size())));
    stream(req, res, std::move(f));
  }

  Options opt_;
  Profile prof_;
  httplib::Server svr_;
  std::map<std::string, std::string> keys_;
  std::ofstream record_;
  std::mutex record_mu_, log_mu_;
  std::atomic<bool> draining_{false};
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"lwgw-standin-gateway: a loopback stand-in for the LangWatch AI Gateway"};
  app.add_option("--host", o.host, "Address to listen on (loopback)");
  app.add_option("--port", o.port, "Port; 0 = OS-chosen (printed as `listening HOST:PORT`)");
  app.add_option("--profile", o.profile,
                 "seed | current | broken-unauth-200 | broken-healthz-500 | "
                 "broken-error-type (the broken ones are `seed` with one fault)");
  app.add_option(
      "--key", o.keys,
      "A key it accepts; KEY:revoked|disabled|expired|budget_exceeded|rate_limited|cp_down "
      "marks "
      "one that fails that way (repeatable). No key given = any key is accepted");
  app.add_option("--keys", o.keys_file, "File with `KEY [STATE]` lines, as --key");
  app.add_option("--budget-warning", o.budget_warning,
                 "X-LangWatch-Budget-Warning value on every dispatched request (e.g. project:95)");
  app.add_option("--clock-offset-s", o.clock_offset_s,
                 "Seconds added to the Date header of every answer (stages clock skew)");
  app.add_option("--deny-tool", o.deny_tools, "403 policy_violation when a request declares it");
  app.add_option("--frame-delay-ms", o.frame_delay_ms, "Pause between stream frames");
  app.add_option("--drain-delay-ms", o.drain_delay_ms,
                 "After SIGTERM: /readyz 503 draining for this long, then stop");
  app.add_option("--cold-boot-ms", o.cold_boot_ms,
                 "/startupz 503 degraded and /readyz 503 starting for this long after start");
  app.add_option("--record", o.record,
                 "Append one JSON line per request to this file (with the model it names, the "
                 "status and the gateway error code of the answer)");
  app.add_option("--models", o.models,
                 "The models it serves, comma-separated (GET /v1/models lists them); any other "
                 "model is answered 400 model_not_allowed (model_not_recognized for a name no "
                 "provider makes)")
      ->delimiter(',')
      ->capture_default_str();
  app.footer(
      "Request header `x-standin-fail: midstream` ends a stream with `event: error`; "
      "`x-standin-fail: <code>` (budget_exceeded, policy_violation, rate_limited, "
      "model_not_allowed, payload_too_large, provider_error, provider_timeout, circuit_open) "
      "answers that error envelope.");
  CLI11_PARSE(app, argc, argv);

  Profile p;
  p.name = o.profile;
  if (o.profile == "seed") {
    p.seed = true;
  } else if (o.profile == "current") {
  } else if (o.profile == "broken-unauth-200") {
    p.seed = p.unauth_200 = true;
  } else if (o.profile == "broken-healthz-500") {
    p.seed = p.healthz_500 = true;
  } else if (o.profile == "broken-error-type") {
    p.seed = p.error_type_changed = true;
  } else {
    std::cerr << "lwgw-standin-gateway: unknown --profile " << o.profile << "\n";
    return 2;
  }

  // SIGTERM/SIGINT are handled by one thread (sigwait); block them before any thread starts.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  std::unique_ptr<StandIn> gw;
  try {
    gw = std::make_unique<StandIn>(o, p);
  } catch (const std::exception& e) {
    std::cerr << "lwgw-standin-gateway: " << e.what() << "\n";
    return 2;
  }
  gw->routes();
  auto& svr = gw->server();
  int port =
      o.port == 0 ? svr.bind_to_any_port(o.host) : (svr.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port <= 0) {
    std::cerr << "lwgw-standin-gateway: cannot listen on " << o.host << ":" << o.port << "\n";
    return 1;
  }
  std::cout << "listening " << o.host << ":" << port << std::endl;
  gw->log(p.seed ? "INFO msg=\"gateway_listening\" addr=\"" + o.host + ":" + std::to_string(port) +
                       "\" profile=\"" + p.name + "\""
                 : "level=INFO msg=lifecycle_listening addr=" + o.host + ":" +
                       std::to_string(port) + " profile=" + p.name);

  std::thread signals([&] {
    int sig = 0;
    sigwait(&sigs, &sig);
    gw->draining() = true;
    if (p.seed) {
      gw->log("INFO msg=\"gateway_draining\" pre_drain_wait=\"" + seconds_text(o.drain_delay_ms) +
              "\"");
    } else {
      gw->log(std::string("level=INFO msg=lifecycle_signal signal=") +
              (sig == SIGTERM ? "terminated" : "interrupt"));
      gw->log("level=INFO msg=lifecycle_draining drain_delay=" + seconds_text(o.drain_delay_ms));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(o.drain_delay_ms));
    if (p.seed) gw->log("INFO msg=\"gateway_shutting_down\" timeout=\"15s\"");
    svr.stop();
  });
  svr.listen_after_bind();
  signals.join();
  gw->log(p.seed ? "INFO msg=\"gateway_stopped\"" : "level=INFO msg=lifecycle_stop");
  return 0;
}
