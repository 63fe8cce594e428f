// Results and their constructors.
#include "lwgw/doctor/check.hpp"

namespace lwgw::doctor {

const char* status_name(Status s) {
  switch (s) {
    case Status::kOk:
      return "ok";
    case Status::kWarn:
      return "warn";
    case Status::kFail:
      return "fail";
    case Status::kSkip:
      break;
  }
  return "skip";
}

Result ok(std::string summary) {
  Result r;
  r.summary = std::move(summary);
  return r;
}

Result warn(std::string summary, Fix fix) {
  Result r;
  r.status = Status::kWarn;
  r.summary = std::move(summary);
  r.fix = std::move(fix);
  return r;
}

Result fail(std::string summary, Fix fix) {
  Result r = warn(std::move(summary), std::move(fix));
  r.status = Status::kFail;
  return r;
}

Result skip(std::string reason) {
  Result r;
  r.status = Status::kSkip;
  r.summary = std::move(reason);
  return r;
}

const Result* Done::find(const std::string& id) const {
  auto it = results_.find(id);
  return it == results_.end() ? nullptr : &it->second;
}

}  // namespace lwgw::doctor
