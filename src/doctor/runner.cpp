// Running doctor's checks: dependency waves, slow checks on their own threads with a time limit,
// skips that name the check that made them meaningless.
#include "lwgw/doctor/runner.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "lwgw/clis/profile.hpp"
#include "lwgw/error.hpp"
#include "lwgw/util/suggest.hpp"

namespace lwgw::doctor {

namespace {

using Clock = util::MonoClock;

bool is_cli_group(const std::string& group) {
  return clis::find(group) != nullptr;
}

/// What a name on the command line means: a group (a CLI alias counts) or an id.
std::string canonical(const std::string& name) {
  if (const clis::CliProfile* p = clis::find(name)) return std::string(p->name);
  return name;
}

/// Why `c` cannot run meaningfully: a need that failed or was itself blocked.
std::optional<Result> blocked_by(const Check& c, const Done& done) {
  for (const auto& id : c.needs) {
    const Result* r = done.find(id);
    if (!r) continue;
    if (r->status == Status::kFail || r->blocked) {
      Result s = skip(id + (r->status == Status::kFail ? " failed" : " was skipped"));
      s.blocked = true;
      return s;
    }
  }
  return std::nullopt;
}

Result run_guarded(const Check& c, const Facts& f, const Done& done) {
  try {
    return c.run(f, done);
  } catch (const std::exception& e) {
    return fail(std::string("doctor could not run this check: ") + e.what(),
                {"report this output to the lwgw maintainers", ""});
  }
}

/// One slow check's result, filled by its thread.
struct Slot {
  std::mutex m;
  std::condition_variable cv;
  bool finished = false;
  Result result;
};

/// Starts `c` on its own thread; the thread owns what it reads, so it may outlive the run.
std::shared_ptr<Slot> start(const Check& c, const std::shared_ptr<const Facts>& f,
                            const std::shared_ptr<const Done>& done) {
  auto slot = std::make_shared<Slot>();
  std::thread([slot, f, done, copy = c] {
    Result r = run_guarded(copy, *f, *done);
    std::lock_guard<std::mutex> lock(slot->m);
    slot->result = std::move(r);
    slot->finished = true;
    slot->cv.notify_all();
  }).detach();
  return slot;
}

Result wait_for(Slot& slot, Clock::time_point until, double limit_s) {
  std::unique_lock<std::mutex> lock(slot.m);
  if (slot.cv.wait_until(lock, until, [&slot] { return slot.finished; })) return slot.result;
  return fail("did not finish within " + std::to_string(static_cast<int>(limit_s)) + " s",
              {"run it again; if it keeps timing out, the network path to it is the problem", ""});
}

/// The checks `shown` need or read, transitively, with themselves.
std::set<std::string> closure(const std::map<std::string, const Check*>& by_id,
                              const std::vector<const Check*>& shown) {
  std::set<std::string> out;
  std::vector<std::string> todo;
  todo.reserve(shown.size());
  for (const Check* c : shown) todo.push_back(c->id);
  while (!todo.empty()) {
    std::string id = todo.back();
    todo.pop_back();
    auto it = by_id.find(id);
    if (it == by_id.end() || !out.insert(id).second) continue;
    for (const auto& n : it->second->needs) todo.push_back(n);
    for (const auto& n : it->second->after) todo.push_back(n);
  }
  return out;
}

bool ready(const Check& c, const std::set<std::string>& finished,
           const std::set<std::string>& wanted) {
  auto ok = [&](const std::string& id) { return !wanted.count(id) || finished.count(id); };
  return std::all_of(c.needs.begin(), c.needs.end(), ok) &&
         std::all_of(c.after.begin(), c.after.end(), ok);
}

/// Runs one wave: the fast checks here, the slow ones on threads; records every result.
void run_wave(const std::vector<const Check*>& wave, const std::shared_ptr<const Facts>& f,
              Done& done, double limit_s) {
  auto snapshot = std::make_shared<const Done>(done);
  std::vector<std::pair<const Check*, std::shared_ptr<Slot>>> slow;
  std::map<std::string, Clock::time_point> began;
  for (const Check* c : wave) {
    began[c->id] = Clock::now();
    if (auto s = blocked_by(*c, *snapshot)) {
      done.put(c->id, *s);
    } else if (c->slow && f->seconds_left() <= 0) {
      done.put(c->id, skip("not run: doctor's time limit for the whole run was reached"));
    } else if (c->slow) {
      slow.emplace_back(c, start(*c, f, snapshot));
    } else {
      Result r = run_guarded(*c, *f, *snapshot);
      r.duration_ms = util::ms_since(began[c->id]);
      done.put(c->id, std::move(r));
    }
  }
  for (auto& [c, slot] : slow) {
    const double own = c->limit_s > 0 ? c->limit_s : limit_s;
    const double limit = std::min(own, std::max(0.1, f->seconds_left(own)));
    const auto until =
        began[c->id] + std::chrono::milliseconds(static_cast<int>(limit * 1000) + 500);
    Result r = wait_for(*slot, until, own);
    r.duration_ms = util::ms_since(began[c->id]);
    done.put(c->id, std::move(r));
  }
}

}  // namespace

std::vector<std::string> group_names(const std::vector<Check>& all) {
  std::vector<std::string> out;
  for (const auto& c : all)
    if (std::find(out.begin(), out.end(), c.group) == out.end()) out.push_back(c.group);
  return out;
}

std::vector<const Check*> select_checks(const std::vector<Check>& all, const Selection& s) {
  const std::string only_cli = s.cli.empty() ? "" : canonical(s.cli);
  if (!s.cli.empty() && !is_cli_group(only_cli))
    throw usage_error("--cli: " + clis::unknown_cli_message(s.cli));
  std::set<std::string> wanted;
  const auto groups = group_names(all);
  for (const auto& raw : s.names) {
    const std::string name = canonical(raw);
    const bool known =
        std::find(groups.begin(), groups.end(), name) != groups.end() ||
        std::any_of(all.begin(), all.end(), [&](const Check& c) { return c.id == name; });
    if (!known) {
      std::vector<std::string> words = groups;
      for (const auto& c : all) words.push_back(c.id);
      throw usage_error("doctor: no check or group called '" + raw + "'" +
                        util::did_you_mean(raw, words) + " (`lwgw doctor --list` shows them)");
    }
    wanted.insert(name);
    const bool deep_only = std::all_of(all.begin(), all.end(), [&](const Check& c) {
      return (c.id != name && c.group != name) || c.deep;
    });
    if (deep_only && !s.deep)
      throw usage_error("doctor: '" + raw + "' sends streamed requests (a few tokens): add --deep");
  }
  std::vector<const Check*> out;
  for (const auto& c : all) {
    if (!only_cli.empty() && is_cli_group(c.group) && c.group != only_cli) continue;
    if (c.deep && !s.deep) continue;
    if (!wanted.empty() && !wanted.count(c.id) && !wanted.count(c.group)) continue;
    out.push_back(&c);
  }
  return out;
}

std::vector<Ran> run_checks(const std::vector<Check>& all, const std::vector<const Check*>& shown,
                            const std::shared_ptr<const Facts>& facts, double limit_s) {
  std::map<std::string, const Check*> by_id;
  for (const auto& c : all) by_id[c.id] = &c;
  const std::set<std::string> wanted = closure(by_id, shown);
  std::vector<const Check*> pending;
  for (const auto& c : all)
    if (wanted.count(c.id)) pending.push_back(&c);
  Done done;
  std::set<std::string> finished;
  while (!pending.empty()) {
    std::vector<const Check*> wave, rest;
    for (const Check* c : pending) (ready(*c, finished, wanted) ? wave : rest).push_back(c);
    if (wave.empty()) throw failure("doctor: the checks' dependencies form a cycle");
    run_wave(wave, facts, done, limit_s);
    for (const Check* c : wave) finished.insert(c->id);
    pending = std::move(rest);
  }
  std::vector<Ran> out;
  out.reserve(shown.size());
  for (const Check* c : shown) out.push_back({c, *done.find(c->id)});
  return out;
}

}  // namespace lwgw::doctor
