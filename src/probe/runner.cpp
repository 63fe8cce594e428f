// The probes: which requests smoke/diff send, how each answer is judged, and running them.
#include <nlohmann/json.hpp>
#include <sstream>

#include "lwgw/gateway.hpp"
#include "lwgw/probe/probe.hpp"
#include "lwgw/util/text.hpp"

namespace lwgw::probe {

namespace {

using json = nlohmann::json;

constexpr const char* kNotExposed =
    "not exposed (404): the hosted ingress publishes only /v1… and /health";

std::optional<json> body_json(const http::Response& r) {
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string media_type(const http::Response& r) {
  std::string ct = r.header("Content-Type").value_or("");
  return util::trim_right(util::lower(ct.substr(0, ct.find(';'))), " ");
}

std::string http_error(const http::Response& r) {
  std::string s = "HTTP " + std::to_string(r.status);
  if (auto m = envelope_message(r.body)) s += ": " + *m;
  return s;
}

std::string fmt_seconds(double s) {
  std::ostringstream o;
  o.precision(3);
  o << s;
  return o.str();
}

Result base_result(const Spec& spec, const http::Response& r) {
  Result res;
  res.probe = spec.name;
  res.request = spec.method + " " + spec.path;
  res.seconds = r.seconds;
  res.http_status = r.status;
  if (r.status != 0) res.transcript = from_response(r);
  return res;
}

Result verdict(Result r, Verdict v, std::string reason) {
  r.verdict = v;
  r.reason = std::move(reason);
  return r;
}

/// A health body: {"status": S, "version": S, "uptime_s": number}; returns what is wrong.
std::string health_problems(const std::optional<json>& j) {
  if (!j || !j->is_object()) return "the body is not a JSON object";
  std::string missing;
  if (!j->contains("status") || !(*j)["status"].is_string()) missing += " status";
  if (!j->contains("version") || !(*j)["version"].is_string()) missing += " version";
  if (!j->contains("uptime_s") || !(*j)["uptime_s"].is_number()) missing += " uptime_s";
  return missing.empty() ? "" : "the body lacks" + missing;
}

Result judge_unauth(const Result& res, const http::Response& r) {
  if (r.status == 200)
    return verdict(res, Verdict::kFail,
                   "200 without a key: the gateway does not enforce authentication");
  if (r.status != 401) return verdict(res, Verdict::kFail, http_error(r) + " (expected 401)");
  std::vector<std::string> wrong;
  auto j = body_json(r);
  std::string type, message;
  if (media_type(r) != "application/json") wrong.push_back("Content-Type is not application/json");
  if (j && j->is_object() && j->contains("error") && (*j)["error"].is_object()) {
    const auto& e = (*j)["error"];
    type = e.value("type", "");
    message = e.value("message", "");
  } else {
    wrong.push_back("no JSON error envelope");
  }
  if (j && type != "invalid_api_key")
    wrong.push_back("error.type is \"" + type + "\", expected invalid_api_key");
  if (j && (message.find("Authorization") == std::string::npos ||
            message.find("x-api-key") == std::string::npos))
    wrong.push_back("the message does not name the accepted headers (Authorization, x-api-key)");
  bool trace = (r.header("X-Langwatch-Trace-Id") && r.header("X-Langwatch-Span-Id")) ||
               r.header("Traceparent");
  if (!trace) wrong.push_back("no trace headers (X-LangWatch-Trace-Id/Span-Id or Traceparent)");
  if (!wrong.empty()) {
    std::string s = "401 but ";
    for (size_t i = 0; i < wrong.size(); ++i) s += (i ? "; " : "") + wrong[i];
    return verdict(res, Verdict::kFail, s);
  }
  return verdict(res, Verdict::kPass,
                 "401 invalid_api_key naming the accepted headers, trace headers present");
}

struct Frame {
  std::string event;
  std::string data;
};

std::vector<Frame> sse_frames(const std::string& body) {
  std::vector<Frame> frames;
  Frame cur;
  bool any = false;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (any) frames.push_back(cur);
      cur = {};
      any = false;
      continue;
    }
    if (line.rfind("event:", 0) == 0) {
      cur.event = line.substr(6);
      cur.event.erase(0, cur.event.find_first_not_of(' '));
      any = true;
    } else if (line.rfind("data:", 0) == 0) {
      std::string d = line.substr(5);
      if (!d.empty() && d.front() == ' ') d.erase(0, 1);
      cur.data += cur.data.empty() ? d : "\n" + d;
      any = true;
    }
  }
  if (any) frames.push_back(cur);
  return frames;
}

}  // namespace

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "PASS";
    case Verdict::kFail:
      return "FAIL";
    case Verdict::kWarn:
      return "WARN";
    case Verdict::kSkip:
      break;
  }
  return "SKIP";
}

Target select_target(bool via_proxy, const std::string& gateway_url,
                     const std::string& proxy_listen, const std::optional<std::string>& vk,
                     const std::optional<std::string>& local_token) {
  Target t;
  t.via_proxy = via_proxy;
  if (via_proxy) {
    t.base_url = "http://" + proxy_listen;
    t.key = local_token;
    t.key_label = "the local token";
  } else {
    t.base_url = util::trim_trailing_slashes(gateway_url);
    t.key = vk;
    t.key_label = "the virtual key";
  }
  if (t.key && t.key->empty()) t.key.reset();
  return t;
}

const std::vector<Spec>& basic_probes() {
  static const std::vector<Spec> specs = [] {
    auto make = [](const char* name, const char* method, const char* path) {
      Spec x;
      x.name = name;
      x.method = method;
      x.path = path;
      return x;
    };
    std::vector<Spec> s;
    s.push_back(make("healthz", "GET", "/healthz"));
    s.push_back(make("startupz", "GET", "/startupz"));
    s.push_back(make("readyz", "GET", "/readyz"));
    s.push_back(make("unauth-models", "GET", "/v1/models"));
    Spec chat = make("unauth-chat", "POST", "/v1/chat/completions");
    chat.headers = {{"Content-Type", "application/json"}};
    chat.body = R"({"model":"lwgw-smoke","messages":[{"role":"user","content":"ping"}]})";
    s.push_back(chat);
    Spec models = make("auth-models", "GET", "/v1/models");
    models.auth = Auth::kKey;
    s.push_back(models);
    return s;
  }();
  return specs;
}

Result judge(const Spec& spec, const http::Response& r) {
  Result res = base_result(spec, r);
  if (r.status == 0) return verdict(res, Verdict::kFail, "no answer: " + r.error);
  auto j = body_json(r);
  if (spec.name == "healthz") {
    if (r.status == 404) {
      res.not_exposed = true;
      return verdict(res, Verdict::kSkip, kNotExposed);
    }
    if (r.status != 200) return verdict(res, Verdict::kFail, http_error(r) + " (expected 200)");
    if (auto p = health_problems(j); !p.empty())
      return verdict(res, Verdict::kFail, "200 but " + p);
    auto version = r.header("X-Langwatch-Gateway-Version");
    if (!version)
      return verdict(res, Verdict::kFail, "200 but no X-LangWatch-Gateway-Version header");
    return verdict(res, Verdict::kPass,
                   "200 " + (*j)["status"].get<std::string>() + ", version " +
                       (*j)["version"].get<std::string>() + ", build " + *version + ", up " +
                       fmt_seconds((*j)["uptime_s"].get<double>()) + " s");
  }
  if (spec.name == "startupz" || spec.name == "readyz") {
    if (r.status == 404) {
      res.not_exposed = true;
      return verdict(res, Verdict::kSkip, kNotExposed);
    }
    std::string state = j && j->is_object() ? j->value("status", "") : "";
    if (r.status == 200)
      return verdict(res, Verdict::kPass, "200 " + (state.empty() ? "ok" : state));
    if (r.status == 503 && spec.name == "startupz" && (state == "degraded" || state == "starting"))
      return verdict(res, Verdict::kPass,
                     "503 " + state + ": the cold-boot window before the gateway marks itself " +
                         "started (200 afterwards)");
    if (r.status == 503 && state == "draining")
      return verdict(res, Verdict::kWarn,
                     "503 draining: the gateway got SIGTERM and is shutting down (not a crash)");
    if (r.status == 503 && (state == "starting" || state == "degraded"))
      return verdict(res, Verdict::kWarn, "503 " + state + ": not ready yet");
    return verdict(res, Verdict::kFail, http_error(r) + " (expected 200)");
  }
  if (spec.name == "unauth-models" || spec.name == "unauth-chat") return judge_unauth(res, r);
  if (spec.name == "auth-models") {
    if (r.status == 401 || r.status == 403)
      return verdict(res, Verdict::kFail, "the key was rejected: " + http_error(r));
    if (r.status != 200) return verdict(res, Verdict::kFail, http_error(r) + " (expected 200)");
    if (!j || !j->is_object() || j->value("object", "") != "list" || !j->contains("data") ||
        !(*j)["data"].is_array())
      return verdict(res, Verdict::kFail,
                     "200 but not an OpenAI list {\"object\":\"list\",\"data\":[…]}");
    const auto& data = (*j)["data"];
    std::string names;
    for (size_t i = 0; i < data.size() && i < 3; ++i)
      if (data[i].is_object() && data[i].contains("id") && data[i]["id"].is_string())
        names += (names.empty() ? "" : ", ") + data[i]["id"].get<std::string>();
    if (data.size() > 3) names += ", …";
    return verdict(res, Verdict::kPass,
                   "200, " + std::to_string(data.size()) + " model" +
                       (data.size() == 1 ? "" : "s") + (names.empty() ? "" : " (" + names + ")"));
  }
  return verdict(res, Verdict::kFail, "unknown probe");
}

std::string stream_text(const std::string& dialect, const std::string& body) {
  std::string text;
  for (const auto& f : sse_frames(body)) {
    auto j = json::parse(f.data, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    if (dialect == "messages") {
      if (j.value("type", "") == "content_block_delta" && j.contains("delta") &&
          j["delta"].value("type", "") == "text_delta")
        text += j["delta"].value("text", "");
    } else if (dialect == "chat") {
      if (j.contains("choices") && j["choices"].is_array() && !j["choices"].empty() &&
          j["choices"][0].contains("delta") && j["choices"][0]["delta"].contains("content") &&
          j["choices"][0]["delta"]["content"].is_string())
        text += j["choices"][0]["delta"]["content"].get<std::string>();
    } else if (dialect == "responses") {
      if (j.value("type", "") == "response.output_text.delta") text += j.value("delta", "");
    } else if (dialect == "gemini") {
      if (j.contains("candidates") && j["candidates"].is_array())
        for (const auto& c : j["candidates"])
          if (c.contains("content") && c["content"].contains("parts"))
            for (const auto& p : c["content"]["parts"])
              if (p.contains("text") && p["text"].is_string()) text += p["text"].get<std::string>();
    }
  }
  return text;
}

Result judge_stream(const std::string& dialect, const http::Response& r) {
  Spec spec = completion_probe(dialect, "");
  Result res = base_result(spec, r);
  res.request = spec.method + " " + spec.path.substr(0, spec.path.find('?'));
  if (r.status == 0) return verdict(res, Verdict::kFail, "no answer: " + r.error);
  if (r.status != 200) return verdict(res, Verdict::kFail, http_error(r));
  if (media_type(r) != "text/event-stream")
    return verdict(res, Verdict::kFail,
                   "200 but Content-Type " + r.header("Content-Type").value_or("(none)") +
                       ", expected text/event-stream");
  auto frames = sse_frames(r.body);
  bool ended = false;
  for (const auto& f : frames) {
    if (f.event == "error") {
      std::string m = envelope_message(f.data).value_or(f.data);
      return verdict(
          res, Verdict::kFail,
          "mid-stream error after " + std::to_string(frames.size() - 1) + " frames: " + m);
    }
    auto j = json::parse(f.data, nullptr, false);
    std::string type = !j.is_discarded() && j.is_object() ? j.value("type", "") : "";
    if (dialect == "messages" && (f.event == "message_stop" || type == "message_stop"))
      ended = true;
    if ((dialect == "chat" || dialect == "responses") && f.data == "[DONE]") ended = true;
    if (dialect == "responses" && type == "response.completed") ended = true;
    if (dialect == "gemini" && !j.is_discarded() && j.is_object() && j.contains("candidates") &&
        j["candidates"].is_array() && !j["candidates"].empty() &&
        j["candidates"][0].contains("finishReason"))
      ended = true;
  }
  if (!ended)
    return verdict(
        res, Verdict::kFail,
        "the stream ended without its last frame (" + std::to_string(frames.size()) + " frames)");
  std::string text = stream_text(dialect, r.body);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return verdict(res, Verdict::kPass,
                 "200, " + std::to_string(frames.size()) + " frames: \"" + text + "\"");
}

Spec completion_probe(const std::string& dialect, const std::string& model) {
  Spec s;
  s.method = "POST";
  s.auth = Auth::kKey;
  s.completion = true;
  s.dialect = dialect;
  s.headers = {{"Content-Type", "application/json"}, {"Accept", "text/event-stream"}};
  const json user = {{"role", "user"}, {"content", "Reply with the single word: hello"}};
  if (dialect == "messages") {
    s.name = "completion-messages";
    s.path = "/v1/messages";
    s.key_header = "x-api-key";
    s.headers.push_back({"anthropic-version", "2023-06-01"});
    s.body =
        json{{"model", model}, {"max_tokens", 16}, {"stream", true}, {"messages", {user}}}.dump();
  } else if (dialect == "chat") {
    s.name = "completion-chat";
    s.path = "/v1/chat/completions";
    s.body = json{{"model", model}, {"stream", true}, {"messages", {user}}}.dump();
  } else if (dialect == "responses") {
    s.name = "completion-responses";
    s.path = "/v1/responses";
    s.body = json{{"model", model},
                  {"stream", true},
                  {"max_output_tokens", 16},
                  {"input", "Reply with the single word: hello"}}
                 .dump();
  } else {
    s.name = "completion-gemini";
    s.dialect = "gemini";
    s.path = "/v1beta/models/" + model + ":streamGenerateContent?alt=sse";
    s.key_header = "x-goog-api-key";
    s.body =
        json{{"contents",
              {{{"role", "user"}, {"parts", {{{"text", "Reply with the single word: hello"}}}}}}},
             {"generationConfig", {{"maxOutputTokens", 16}}}}
            .dump();
  }
  return s;
}

std::string pick_model(const std::string& dialect, const std::string& models_body) {
  auto j = json::parse(models_body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("data") || !j["data"].is_array()) return "";
  std::vector<std::string> ids;
  for (const auto& m : j["data"])
    if (m.is_object() && m.contains("id") && m["id"].is_string()) ids.push_back(m["id"]);
  auto first = [&](auto pred) -> std::string {
    for (const auto& id : ids)
      if (pred(id)) return id;
    return "";
  };
  auto has = [](const std::string& id, const char* word) {
    return id.find(word) != std::string::npos;
  };
  std::string m;
  if (dialect == "messages") m = first([&](const std::string& id) { return has(id, "claude"); });
  if (dialect == "gemini") return first([&](const std::string& id) { return has(id, "gemini"); });
  if (dialect == "chat" || dialect == "responses")
    m = first([&](const std::string& id) { return !has(id, "claude") && !has(id, "gemini"); });
  if (m.empty() && !ids.empty()) m = ids.front();
  return m;
}

std::vector<Result> run(const Target& target, bool completion, const Env& env) {
  auto send = [&](const Spec& spec, long timeout_s) {
    http::Request req;
    req.method = spec.method;
    req.url = http::join_url(target.base_url, spec.path);
    req.headers = spec.headers;
    req.body = spec.body;
    req.ca_file = target.ca_file;
    req.connect_timeout_s = target.connect_timeout_s;
    req.timeout_s = timeout_s;
    bool with_key = spec.auth == Auth::kKey || target.via_proxy;
    if (with_key && target.key) {
      if (spec.key_header == "Authorization")
        req.headers.push_back({"Authorization", "Bearer " + *target.key});
      else
        req.headers.push_back({spec.key_header, *target.key});
    }
    return http::send(req, env);
  };
  auto skipped = [](const Spec& spec, std::string reason) {
    Result r;
    r.probe = spec.name;
    r.request = spec.method + " " + spec.path.substr(0, spec.path.find('?'));
    r.verdict = Verdict::kSkip;
    r.reason = std::move(reason);
    return r;
  };

  std::vector<Result> results;
  std::string models_body;
  bool models_ok = false;
  for (const auto& spec : basic_probes()) {
    if (target.via_proxy && spec.auth == Auth::kNone && spec.name.rfind("unauth-", 0) == 0) {
      results.push_back(skipped(spec, "the local proxy authenticates clients itself"));
      continue;
    }
    if (spec.auth == Auth::kKey && !target.key) {
      results.push_back(skipped(spec, target.via_proxy
                                          ? "no local token (run `lwgw login`)"
                                          : "not logged in (run `lwgw login` or set LWGW_VK)"));
      continue;
    }
    http::Response r = send(spec, 30);
    if (results.empty() && r.status == 0) throw Unreachable{target.base_url, r.error};
    Result res = judge(spec, r);
    if (spec.name == "auth-models" && res.verdict == Verdict::kPass) {
      models_ok = true;
      models_body = r.body;
    }
    results.push_back(std::move(res));
  }
  if (!completion) return results;
  for (const char* dialect : {"messages", "chat", "responses", "gemini"}) {
    Spec spec = completion_probe(dialect, "MODEL");
    if (!models_ok) {
      results.push_back(skipped(spec, "needs auth-models to pass first"));
      continue;
    }
    std::string model = pick_model(dialect, models_body);
    if (model.empty()) {
      results.push_back(skipped(spec, "no model for this dialect in /v1/models"));
      continue;
    }
    spec = completion_probe(dialect, model);
    Result res = judge_stream(dialect, send(spec, 120));
    res.request = spec.method + " " + spec.path.substr(0, spec.path.find('?'));
    res.reason = model + ": " + res.reason;
    results.push_back(std::move(res));
  }
  return results;
}

}  // namespace lwgw::probe
