// `lwgw doctor`'s vocabulary: a check (stable id, group, what it needs), its result (status,
// one-line summary, details, where, the fix) and the results of the checks that ran before it.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lwgw::doctor {

struct Facts;

/// ok ✓, warn ! (does not fail the exit code unless --strict), fail ✗, skip – (with the reason).
enum class Status { kOk, kWarn, kFail, kSkip };

/// "ok", "warn", "fail", "skip" (the JSON vocabulary).
const char* status_name(Status s);

/// One copy-paste fix: what to do, and the exact command when there is one. `doctor --fix`
/// runs the command itself only when it is one of lwgw's reversible ones and not `by_hand`
/// (set where it would change something that is not lwgw's, such as another Codex provider).
struct Fix {
  std::string text;
  std::string command;
  bool by_hand = false;
};

/// The file (and 1-based line, 0 = the whole file) a result is about.
struct Source {
  std::string file;
  int line = 0;
};

struct Result {
  Status status = Status::kOk;
  std::string summary;  // one line: what was measured, and for ! and ✗ what is wrong
  nlohmann::ordered_json details = nlohmann::ordered_json::object();  // measured, expected, …
  std::optional<Source> source;
  std::optional<Fix> fix;
  double duration_ms = 0;
  /// Skipped because a check it needs failed (or was itself skipped for that reason): its
  /// dependents are skipped too. A check skipped as not applicable does not block anything.
  bool blocked = false;

  Result& with(const std::string& key, nlohmann::ordered_json value) {
    details[key] = std::move(value);
    return *this;
  }
  Result& at(std::string file, int line = 0) {
    source = Source{std::move(file), line};
    return *this;
  }
};

Result ok(std::string summary);
Result warn(std::string summary, Fix fix);
Result fail(std::string summary, Fix fix);
Result skip(std::string reason);

/// The results of the checks that already ran, by id.
class Done {
 public:
  const Result* find(const std::string& id) const;
  void put(const std::string& id, Result r) { results_[id] = std::move(r); }

 private:
  std::map<std::string, Result> results_;
};

/// One check. `run` reads only the Facts and the results of `needs` and `after`, so checks of
/// one wave can run concurrently.
struct Check {
  std::string id;     // stable: "proxy.listener", "codex.wire_api"
  std::string group;  // "lwgw", "key", "proxy", "network", "gateway", or a CLI's name
  std::string title;  // for --list
  std::vector<std::string> needs{};  // skipped (blocked) when one of these fails
  std::vector<std::string> after{};  // results it reads without depending on their success
  bool slow = false;                 // the network or a subprocess: runs concurrently, 3 s at most
  double limit_s = 0;                // a slow check's own limit (0: the runner's)
  bool deep = false;                 // runs only with --deep (spends tokens)
  std::function<Result(const Facts&, const Done&)> run{};
};

}  // namespace lwgw::doctor
