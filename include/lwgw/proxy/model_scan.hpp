// The model a request asks for, for the access log: the top-level "model" string of a JSON body,
// read from its first KiB as the body passes, or the model in a Gemini path. Pure, never throws,
// allocates nothing; the body itself is never changed, kept or logged.
#pragma once

#include <cstddef>
#include <string_view>

namespace lwgw::proxy {

/// A byte-at-a-time scanner over the start of a JSON object: string-aware, it follows only the
/// keys at depth 1, so a "model" inside a nested object or array (a tool's schema, a message) is
/// never taken. Fed in pieces as they arrive; it stops at the first top-level "model" value, at the
/// end of the object, at anything that is not a JSON object, or after kLimit bytes.
class ModelScanner {
 public:
  static constexpr std::size_t kLimit = 1024;    // bytes of body read at most
  static constexpr std::size_t kMaxModel = 128;  // a longer value is not a model name

  /// Reads the next piece of the body (any size; nothing past kLimit is looked at).
  void feed(std::string_view data) noexcept;
  /// True once the scanner has its answer (found, absent, or given up).
  bool done() const noexcept { return state_ == State::kFound || state_ == State::kGaveUp; }
  /// The model, when a top-level "model" string was read complete within kLimit; else empty.
  std::string_view model() const noexcept {
    return state_ == State::kFound ? std::string_view(value_, value_len_) : std::string_view();
  }
  /// Stops scanning (a body that is not JSON).
  void skip() noexcept { state_ = State::kGaveUp; }

 private:
  enum class State {
    kStart,    // before the opening brace
    kKey,      // depth 1: expecting a key (or the closing brace)
    kInKey,    // depth 1: inside a key string
    kColon,    // depth 1: after a key, expecting ':'
    kValue,    // depth 1: expecting a value
    kInModel,  // inside the "model" value string
    kOther,    // inside another value (nested or scalar), until the next depth-1 ',' or '}'
    kFound,
    kGaveUp,
  };
  void step(char c) noexcept;
  void step_key(char c) noexcept;    // inside a depth-1 key
  void step_model(char c) noexcept;  // inside the model value
  void step_other(char c) noexcept;  // inside any other value

  State state_ = State::kStart;
  std::size_t seen_ = 0;
  int depth_ = 0;           // in kOther: nesting below depth 1
  bool in_string_ = false;  // in kOther: inside a string
  bool escape_ = false;     // the previous byte in a string was a backslash
  bool key_is_model_ = false;
  std::size_t key_len_ = 0;  // bytes of the key read; compared with "model" as they come
  char value_[kMaxModel] = {};
  std::size_t value_len_ = 0;
};

/// The model named in a Gemini path (`/v1beta/models/{model}:generateContent`, also
/// `:streamGenerateContent`, `:countTokens`, or `/v1beta/models/{model}`); empty otherwise.
std::string_view model_from_path(std::string_view path) noexcept;

}  // namespace lwgw::proxy
