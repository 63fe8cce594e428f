// The model a request asks for: a hand-written scanner over the first KiB of a JSON body (a
// general JSON parser would read, allocate for and possibly throw on the whole body) and the
// Gemini path form.
#include "lwgw/proxy/model_scan.hpp"

namespace lwgw::proxy {

namespace {
constexpr std::string_view kModelKey = "model";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
}  // namespace

void ModelScanner::feed(std::string_view data) noexcept {
  for (char c : data) {
    if (done()) return;
    if (seen_ >= kLimit) {
      state_ = State::kGaveUp;  // the model was not within the first KiB: unknown
      return;
    }
    ++seen_;
    step(c);
  }
}

void ModelScanner::step(char c) noexcept {
  switch (state_) {
    case State::kStart:
      if (is_space(c)) return;
      state_ = c == '{' ? State::kKey : State::kGaveUp;
      return;
    case State::kKey:
      if (is_space(c)) return;
      if (c == '"') {
        state_ = State::kInKey;
        key_len_ = 0;
        key_is_model_ = true;
        escape_ = false;
        return;
      }
      state_ = State::kGaveUp;  // '}' (no model) or not JSON
      return;
    case State::kInKey:
      return step_key(c);
    case State::kColon:
      if (is_space(c)) return;
      state_ = c == ':' ? State::kValue : State::kGaveUp;
      return;
    case State::kValue:
      if (is_space(c)) return;
      if (key_is_model_) {
        // A "model" that is not a string (null, a number, an object) names no model.
        state_ = c == '"' ? State::kInModel : State::kGaveUp;
        value_len_ = 0;
        escape_ = false;
        return;
      }
      state_ = State::kOther;
      depth_ = 0;
      in_string_ = false;
      escape_ = false;
      step(c);
      return;
    case State::kInModel:
      return step_model(c);
    case State::kOther:
      return step_other(c);
    case State::kFound:
    case State::kGaveUp:
      return;
  }
}

void ModelScanner::step_key(char c) noexcept {
  if (escape_) {
    escape_ = false;
    key_is_model_ = false;  // "model" is never written with escapes
  } else if (c == '\\') {
    escape_ = true;
  } else if (c == '"') {
    key_is_model_ = key_is_model_ && key_len_ == kModelKey.size();
    state_ = State::kColon;
  } else {
    if (key_len_ >= kModelKey.size() || c != kModelKey[key_len_]) key_is_model_ = false;
    ++key_len_;
  }
}

void ModelScanner::step_model(char c) noexcept {
  if (escape_) {
    escape_ = false;
    if (c != '"' && c != '\\' && c != '/') {
      state_ = State::kGaveUp;  // \n, \u…: not a model name worth decoding
      return;
    }
  } else if (c == '\\') {
    escape_ = true;
    return;
  } else if (c == '"') {
    state_ = value_len_ > 0 ? State::kFound : State::kGaveUp;
    return;
  } else if (static_cast<unsigned char>(c) < 0x20) {
    state_ = State::kGaveUp;
    return;
  }
  if (value_len_ >= kMaxModel) {
    state_ = State::kGaveUp;
    return;
  }
  value_[value_len_++] = c;
}

void ModelScanner::step_other(char c) noexcept {
  if (in_string_) {
    if (escape_)
      escape_ = false;
    else if (c == '\\')
      escape_ = true;
    else if (c == '"')
      in_string_ = false;
    return;
  }
  if (c == '"') {
    in_string_ = true;
  } else if (c == '{' || c == '[') {
    ++depth_;
  } else if (c == '}' || c == ']') {
    if (depth_ == 0)
      state_ = State::kGaveUp;  // the end of the body's object: it names no model
    else
      --depth_;
  } else if (c == ',' && depth_ == 0) {
    state_ = State::kKey;
  }
}

std::string_view model_from_path(std::string_view path) noexcept {
  constexpr std::string_view kPrefix = "/v1beta/models/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return {};
  std::string_view rest = path.substr(kPrefix.size());
  std::string_view name = rest.substr(0, rest.find_first_of(":/"));
  if (name.empty() || name.size() > ModelScanner::kMaxModel) return {};
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '\\') return {};
  }
  return name;
}

}  // namespace lwgw::proxy
