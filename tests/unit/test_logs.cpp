// `lwgw logs` (issue 17): the model scanner the proxy runs over a request body's first KiB, the
// text form of log lines, --since / --grep, and the command's formats and exit codes (in process,
// on a log file written by the test; the daemon side is in test_daemon.cpp).
#include <doctest/doctest.h>

#include <ctime>
#include <sstream>

#include "../../src/proxy/access_log.hpp"
#include "lwgw/app.hpp"
#include "lwgw/context.hpp"
#include "lwgw/daemon/state.hpp"
#include "lwgw/logview.hpp"
#include "lwgw/proxy/model_scan.hpp"
#include "lwgw/util/clock.hpp"
#include "test_support.hpp"

using namespace lwgw;
using namespace lwgw::test;

namespace {

std::string scan(std::string_view body) {
  proxy::ModelScanner s;
  s.feed(body);
  return std::string(s.model());
}

const std::string kTs = "2026-11-27T14:39:03Z";

// 14:39:03 UTC as this machine's local clock shows it.
std::string local_clock() {
  std::tm tm{};
  strptime(kTs.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::time_t t = timegm(&tm);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &local);
  return buf;
}

std::string request_line(const std::string& extra, int status = 200) {
  return "{\"ts\":\"" + kTs +
         "\",\"level\":\"info\",\"msg\":\"request\",\"method\":\"POST\",\"path\":\"/v1/messages\","
         "\"status\":" +
         std::to_string(status) +
         ",\"duration_ms\":205,\"ttfb_ms\":90,\"bytes_in\":10,\"bytes_out\":20,\"stream\":true,"
         "\"client\":\"claude-code\"" +
         extra + "}";
}

// A log file in a temp HOME, for the command.
struct LogHome {
  TempHome t;
  Env env = t.env();
  std::filesystem::path file = daemon::log_file(resolve_paths(env));
  void write(const std::string& text) const {
    std::filesystem::create_directories(file.parent_path());
    t.write(file, text);
  }
};

// lwgw in process with stdout on a "terminal".
RunResult run_tty(const std::vector<std::string>& args, const Env& env) {
  std::istringstream in;
  std::ostringstream out, err;
  Io io{&in, &out, &err, &out, false, true, {}};
  Context ctx(env, io, LWGW_BIN);
  RunResult r;
  r.code = run(args, ctx);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace

TEST_CASE("the model scanner takes the top-level model only") {
  CHECK(scan("{\"model\":\"gpt-5\",\"messages\":[]}") == "gpt-5");
  CHECK(scan("  \n{ \"stream\" : true ,\r\n \"model\" : \"claude-sonnet-4\" }") ==
        "claude-sonnet-4");
  // Nested "model" keys (in messages, tools, metadata) are not the request's model.
  CHECK(scan("{\"metadata\":{\"model\":\"inner\"},\"model\":\"outer\"}") == "outer");
  CHECK(scan("{\"messages\":[{\"model\":\"inner\"},[\"model\"]],\"max_tokens\":5}").empty());
  CHECK(scan("{\"tools\":[{\"input_schema\":{\"properties\":{\"model\":{\"type\":\"string\"}}}}],"
             "\"model\":\"m\"}") == "m");
  // Strings are skipped whole: escaped quotes, braces, commas and "model" inside them do nothing.
  CHECK(scan("{\"system\":\"say \\\"model\\\": \\\"x\\\", {} [\",\"model\":\"real\"}") == "real");
  CHECK(scan("{\"system\":\"ends with a backslash \\\\\",\"model\":\"real\"}") == "real");
  CHECK(scan("{\"a\\\"model\":\"no\",\"model\":\"yes\"}") == "yes");
  // Keys that only look like it, escapes in the value, values that are not a name.
  CHECK(scan("{\"models\":\"no\",\"mode\":\"no\"}").empty());
  CHECK(scan("{\"model\":\"org\\/name \\\"q\\\"\"}") == "org/name \"q\"");
  CHECK(scan("{\"model\":\"a\\nb\"}").empty());
  CHECK(scan("{\"model\":null,\"x\":\"model\"}").empty());
  CHECK(scan("{\"model\":42}").empty());
  CHECK(scan("{\"model\":\"\"}").empty());
  CHECK(
      scan("{\"model\":\"" + std::string(proxy::ModelScanner::kMaxModel + 1, 'm') + "\"}").empty());
  // Not a JSON object.
  CHECK(scan("[{\"model\":\"x\"}]").empty());
  CHECK(scan("model=gpt-5").empty());
  CHECK(scan("").empty());
  CHECK(scan("{\"model\":\"unterminated").empty());
}

TEST_CASE("the model scanner reads the body in pieces and no further than its first KiB") {
  const std::string body =
      "{\"system\":\"a \\\"quoted\\\" model\",\"meta\":{\"model\":\"no\"},\"model\":\"gpt-5-mini\","
      "\"messages\":[]}";
  for (std::size_t cut = 0; cut <= body.size(); ++cut) {
    for (std::size_t cut2 = cut; cut2 <= body.size(); cut2 += 7) {
      proxy::ModelScanner s;
      s.feed(std::string_view(body).substr(0, cut));
      s.feed(std::string_view(body).substr(cut, cut2 - cut));
      s.feed(std::string_view(body).substr(cut2));
      CHECK_MESSAGE(s.model() == "gpt-5-mini", "cut at " << cut << ", " << cut2);
      CHECK(s.done());
    }
  }
  proxy::ModelScanner one;
  for (char c : body) one.feed(std::string_view(&c, 1));
  CHECK(one.model() == "gpt-5-mini");

  // The model starting or ending past 1024 bytes is unknown; fully inside it is found.
  const std::string pad_to = "{\"p\":\"";
  auto with_model_ending_at = [&](std::size_t end) {
    const std::string tail = "\",\"model\":\"m\"";
    return pad_to + std::string(end - pad_to.size() - tail.size(), 'x') + tail + "}";
  };
  CHECK(scan(with_model_ending_at(1024)) == "m");
  CHECK(scan(with_model_ending_at(1025)).empty());
  CHECK(scan(with_model_ending_at(5000)).empty());
  proxy::ModelScanner big;
  big.feed("{\"p\":\"");
  big.feed(std::string(4096, 'x'));
  CHECK(big.done());
  big.feed("\",\"model\":\"m\"}");
  CHECK(big.model().empty());
  proxy::ModelScanner skipped;
  skipped.skip();
  skipped.feed("{\"model\":\"m\"}");
  CHECK(skipped.model().empty());
}

TEST_CASE("a Gemini path names its model") {
  CHECK(proxy::model_from_path("/v1beta/models/gemini-2.5-pro:generateContent") ==
        "gemini-2.5-pro");
  CHECK(proxy::model_from_path("/v1beta/models/gemini-2.5-flash:streamGenerateContent") ==
        "gemini-2.5-flash");
  CHECK(proxy::model_from_path("/v1beta/models/gemini-2.5-pro") == "gemini-2.5-pro");
  CHECK(proxy::model_from_path("/v1beta/models").empty());
  CHECK(proxy::model_from_path("/v1beta/models/:generateContent").empty());
  CHECK(proxy::model_from_path("/v1/messages").empty());
  CHECK(proxy::model_from_path("/v1beta/models/a\"b:generateContent").empty());
}

TEST_CASE("the access log line carries the model when known, and no key when not") {
  proxy::AccessRecord r;
  r.method = "POST";
  r.path = "/v1/messages";
  r.client = "claude-code";
  r.status = 502;
  r.error = "lwgw_gateway_unreachable";
  r.model = "claude-sonnet-4";
  const std::string with = proxy::access_log_line(r, kTs);
  CHECK(with.find(",\"client\":\"claude-code\",\"model\":\"claude-sonnet-4\"") !=
        std::string::npos);
  r.model.clear();
  CHECK(proxy::access_log_line(r, kTs).find("model") == std::string::npos);
}

TEST_CASE("a request reads as one line: time, client, method, path, status, duration, stream, id") {
  const std::string clock = local_clock();
  const std::string ok = request_line(",\"request_id\":\"req_2c88f00dcafe\"");
  CHECK(logview::to_text(ok, {}) ==
        clock + " claude-code POST /v1/messages 200 205 ms stream req_2c88\xe2\x80\xa6");
  // A failed one names the model and the error code: the gateway's, or lwgw's own.
  const std::string gw_fail =
      request_line(",\"model\":\"claude-sonnet-4\",\"error\":\"budget_exceeded\"", 402);
  CHECK(logview::to_text(gw_fail, {}) ==
        clock + " claude-code POST /v1/messages 402 205 ms stream claude-sonnet-4 budget_exceeded");
  const std::string own_fail =
      request_line(",\"model\":\"gpt-5\",\"error\":\"lwgw_gateway_unreachable\"", 502);
  CHECK(logview::to_text(own_fail, {}).find(" 502 205 ms stream gpt-5 lwgw_gateway_unreachable") !=
        std::string::npos);
  // An unknown client is left out; a cut stream says how it ended.
  std::string other = ok;
  other.replace(other.find("claude-code"), 11, "other");
  CHECK(logview::to_text(other, {}).rfind(clock + " POST /v1/messages", 0) == 0);
  CHECK(logview::to_text(request_line(",\"outcome\":\"client_closed\"", 499), {})
            .find(" 499 205 ms stream client_closed") != std::string::npos);
  // No colour unless asked for.
  CHECK(logview::to_text(own_fail, {}).find('\033') == std::string::npos);
}

TEST_CASE("colours: 4xx yellow, 5xx and lwgw's own errors red, success plain") {
  const logview::TextStyle color{true, 0};
  const std::string ok = logview::to_text(request_line(""), color);
  CHECK(ok.find("\033[33m") == std::string::npos);
  CHECK(ok.find("\033[31m") == std::string::npos);
  CHECK(ok.find("\033[2m" + local_clock() + "\033[0m") == 0);  // the time is dim
  const std::string four =
      logview::to_text(request_line(",\"error\":\"policy_violation\"", 403), color);
  CHECK(four.find("\033[33mclaude-code POST /v1/messages 403") != std::string::npos);
  const std::string five = logview::to_text(request_line(",\"error\":\"upstream\"", 503), color);
  CHECK(five.find("\033[31m") != std::string::npos);
  const std::string own =
      logview::to_text(request_line(",\"error\":\"lwgw_local_token\"", 401), color);
  CHECK(own.find("\033[31m") != std::string::npos);
  CHECK(own.find("\033[33m") == std::string::npos);
}

TEST_CASE("lifecycle lines and warnings read as sentences; other lines are printed as they are") {
  const std::string clock = local_clock();
  CHECK(logview::to_text(
            "{\"ts\":\"" + kTs +
                "\",\"level\":\"info\",\"msg\":\"lwgw_listening\",\"listen\":\"127.0.0.1:"
                "5566\",\"gateway\":\"https://gw.example\",\"pid\":42}",
            {}) ==
        clock + " proxy listening on http://127.0.0.1:5566, gateway https://gw.example (pid 42)");
  CHECK(logview::to_text(
            "{\"ts\":\"" + kTs + "\",\"level\":\"info\",\"msg\":\"lwgw_stopped\",\"requests\":7}",
            {}) == clock + " proxy stopped after 7 requests");
  const std::string warn = "{\"ts\":\"" + kTs +
                           "\",\"level\":\"warn\",\"msg\":\"lwgw_reload_failed\",\"error\":\"bad "
                           "file\"}";
  CHECK(logview::to_text(warn, {}) == clock + " warning: lwgw_reload_failed error=\"bad file\"");
  CHECK(logview::to_text(warn, {true, 0}).find("\033[33mwarning: ") != std::string::npos);
  CHECK(logview::to_text("{\"ts\":\"" + kTs +
                             "\",\"level\":\"warn\",\"msg\":\"budget_warning\",\"budget\":\"85%\"}",
                         {})
            .find("warning: budget warning: 85%") != std::string::npos);
  CHECK(logview::to_text("terminate called after throwing", {}) ==
        "terminate called after throwing");
  CHECK(logview::to_text("{not json", {}) == "{not json");
  CHECK(logview::to_text("{\"a\":1}", {}) == "{\"a\":1}");
  // A line from another day shows its date.
  CHECK(logview::to_text(request_line(""), {false, std::time(nullptr)}).find("2026-11-27 ") == 0);
}

TEST_CASE("--since takes durations and RFC 3339 times") {
  const std::time_t now = 1'800'000'000;
  CHECK(logview::parse_since("10m", now) == now - 600);
  CHECK(logview::parse_since("2h", now) == now - 7200);
  CHECK(logview::parse_since("1h30m", now) == now - 5400);
  CHECK(logview::parse_since("45s", now) == now - 45);
  CHECK(logview::parse_since("1d", now) == now - 86400);
  CHECK(logview::parse_since("2026-11-27T14:39:03Z", now) == 1795790343);
  CHECK(logview::parse_since("2026-11-27T15:39:03+01:00", now) == 1795790343);
  CHECK(logview::parse_since("2026-11-27T14:39:03.250Z", now) == 1795790343);
  CHECK(logview::parse_since("2026-11-27", now).has_value());
  for (const char* bad : {"", "10", "m", "10x", "yesterday", "2026-13-01", "2026-11-27T25:00Z",
                          "2026-11-27T14:39:03Q"})
    CHECK_MESSAGE(!logview::parse_since(bad, now).has_value(), bad);
}

TEST_CASE("--since and --grep keep the right lines; a line without a time goes with the last") {
  const std::string early = "{\"ts\":\"2026-11-27T14:00:00Z\",\"msg\":\"request\",\"path\":\"/a\"}";
  const std::string late =
      "{\"ts\":\"2026-11-27T15:00:00Z\",\"msg\":\"request\",\"path\":\"/b\",\"client\":\"codex\"}";
  logview::Filter since(logview::parse_since("2026-11-27T14:30:00Z", 0), "");
  CHECK_FALSE(since.keep(early));
  CHECK_FALSE(since.keep("a crash message"));
  CHECK(since.keep(late));
  CHECK(since.keep("a crash message"));
  logview::Filter grep(std::nullopt, "codex");
  CHECK_FALSE(grep.keep(early));
  CHECK(grep.keep(late));
  // The text form counts too: the status and duration as shown.
  logview::Filter shown(std::nullopt, "200 5 ms");
  CHECK(shown.keep(
      "{\"ts\":\"2026-11-27T15:00:00Z\",\"msg\":\"request\",\"status\":200,\"duration_ms\":5}"));
}

TEST_CASE("lwgw logs: JSON lines unchanged when piped or with --json, text with --format text") {
  LogHome h;
  const std::string ok = request_line(",\"request_id\":\"req_2c88f00dcafe\"");
  const std::string fail =
      request_line(",\"model\":\"gpt-5\",\"error\":\"lwgw_gateway_unreachable\"", 502);
  const std::string raw = ok + "\n" + fail + "\nnot json at all\n";
  h.write(raw);
  auto piped = run_inproc({"logs"}, h.env);
  CHECK(piped.code == 0);
  CHECK(piped.out == raw);
  auto json = run_tty({"logs", "--json"}, h.env);
  CHECK(json.code == 0);
  CHECK(json.out == raw);
  CHECK(run_tty({"logs", "--format", "json"}, h.env).out == raw);
  auto text = run_inproc({"logs", "--format", "text"}, h.env);
  CHECK(text.code == 0);
  CHECK(text.out == logview::to_text(ok, {false, std::time(nullptr)}) + "\n" +
                        logview::to_text(fail, {false, std::time(nullptr)}) +
                        "\nnot json at all\n");
  CHECK(text.out.find("gpt-5 lwgw_gateway_unreachable") != std::string::npos);
  CHECK(text.out.find('\033') == std::string::npos);  // not a terminal: no colour
  CHECK(run_inproc({"logs", "--json", "--format", "text"}, h.env).code == 2);
  CHECK(run_inproc({"logs", "--format", "yaml"}, h.env).code == 2);
}

TEST_CASE("lwgw logs on a terminal: text, coloured unless --no-color or NO_COLOR") {
  LogHome h;
  h.write(request_line("") + "\n" + request_line(",\"error\":\"upstream\"", 503) + "\n");
  auto tty = run_tty({"logs"}, h.env);
  CHECK(tty.code == 0);
  CHECK(tty.out.find("claude-code POST /v1/messages 200 205 ms stream") != std::string::npos);
  CHECK(tty.out.find("\033[31m") != std::string::npos);
  CHECK(tty.out.find("\"msg\"") == std::string::npos);
  auto plain = run_tty({"logs", "--no-color"}, h.env);
  CHECK(plain.out.find('\033') == std::string::npos);
  CHECK(plain.out.find(" 503 205 ms stream upstream") != std::string::npos);
  Env no_color = h.env;
  no_color.set("NO_COLOR", "1");
  CHECK(run_tty({"logs"}, no_color).out.find('\033') == std::string::npos);
}

TEST_CASE("lwgw logs --since and --grep, in both formats, with -n counting what is shown") {
  LogHome h;
  auto line = [](const std::string& ts, const std::string& path, const std::string& client) {
    return "{\"ts\":\"" + ts +
           "\",\"level\":\"info\",\"msg\":\"request\",\"method\":\"POST\",\"path\":\"" + path +
           "\",\"status\":200,\"duration_ms\":5,\"stream\":false,\"client\":\"" + client + "\"}";
  };
  const std::string old1 = line("2020-01-01T00:00:00Z", "/v1/old", "codex");
  const std::string new1 = line(util::utc_now_iso(), "/v1/responses", "codex");
  const std::string new2 = line(util::utc_now_iso(), "/v1/messages", "claude-code");
  h.write(old1 + "\n" + new1 + "\n" + new2 + "\n");
  auto since = run_inproc({"logs", "--since", "10m"}, h.env);
  CHECK(since.code == 0);
  CHECK(since.out == new1 + "\n" + new2 + "\n");
  CHECK(run_inproc({"logs", "--since", "2021-01-01T00:00:00Z"}, h.env).out ==
        new1 + "\n" + new2 + "\n");
  CHECK(run_inproc({"logs", "--grep", "codex"}, h.env).out == old1 + "\n" + new1 + "\n");
  CHECK(run_inproc({"logs", "--grep", "codex", "-n", "1"}, h.env).out == new1 + "\n");
  CHECK(run_inproc({"logs", "--since", "10m", "--grep", "codex"}, h.env).out == new1 + "\n");
  auto text = run_inproc({"logs", "--format", "text", "--since", "10m", "--grep", "claude"}, h.env);
  CHECK(text.out.find("claude-code POST /v1/messages 200 5 ms") != std::string::npos);
  CHECK(text.out.find("/v1/responses") == std::string::npos);
  CHECK(text.out.find("/v1/old") == std::string::npos);
  // The text form is searched too: "5 ms" is only in it.
  CHECK(run_inproc({"logs", "--grep", "200 5 ms"}, h.env).out.size() ==
        old1.size() + new1.size() + new2.size() + 3);
  auto bad = run_inproc({"logs", "--since", "yesterday"}, h.env);
  CHECK(bad.code == 2);
  CHECK(bad.err.find("--since yesterday") != std::string::npos);
}

TEST_CASE("lwgw logs -f without a running proxy exits 4 and says `lwgw up` starts it") {
  LogHome h;
  auto none = run_inproc({"logs", "-f"}, h.env);
  CHECK(none.code == 4);
  CHECK(none.err.find("no log yet") != std::string::npos);
  CHECK(none.err.find("lwgw up") != std::string::npos);
  h.write(request_line("") + "\n");
  auto stale = run_inproc({"logs", "-f"}, h.env);
  CHECK(stale.code == 4);
  CHECK(stale.err.find("lwgw up") != std::string::npos);
  CHECK(run_inproc({"logs"}, h.env).code == 0);  // the last log stays readable
}
