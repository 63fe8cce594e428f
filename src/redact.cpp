// Redaction of keys and tokens in any text lwgw prints or logs.
#include "lwgw/redact.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

namespace lwgw {

namespace {
std::mutex g_mutex;
std::vector<std::string> g_secrets;

constexpr std::string_view kShapes[] = {"vk-lw-", "lw_vk_", "lwgw_lt_"};
constexpr size_t kMinShownKey = 16;  // shorter keys are masked entirely
constexpr size_t kShownTail = 4;     // the last characters tell two keys apart

bool key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// What redact() leaves of a secret in free text (logs, errors, diffs): the display prefix only.
std::string prefix_only(std::string_view key) {
  size_t keep = std::min<size_t>(13, key.size() / 3);
  for (auto shape : kShapes)
    if (key.substr(0, shape.size()) == shape) keep = std::min<size_t>(key.size(), 13);
  if (keep >= key.size()) keep = key.size() / 2;
  return std::string(key.substr(0, keep)) + "…";
}
}  // namespace

std::string mask_key(std::string_view key) {
  // Short keys show nothing: a prefix and a suffix would be most of the key.
  if (key.size() < kMinShownKey) return "…";
  size_t keep = std::min<size_t>(13, key.size() / 3);
  for (auto shape : kShapes)
    if (key.substr(0, shape.size()) == shape) keep = 13;
  // At least a third of the key (and 8 characters) stays hidden whatever the shape.
  const size_t hidden = std::max<size_t>(8, key.size() / 3);
  keep = std::min(keep, key.size() - kShownTail - hidden);
  return std::string(key.substr(0, keep)) + "…" + std::string(key.substr(key.size() - kShownTail));
}

void register_secret(const std::string& secret) {
  if (secret.size() < 8) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  if (std::find(g_secrets.begin(), g_secrets.end(), secret) == g_secrets.end())
    g_secrets.push_back(secret);
}

void clear_secrets() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_secrets.clear();
}

std::string redact(std::string_view text) {
  std::string out(text);
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    for (const auto& s : g_secrets) {
      const std::string masked = prefix_only(s);
      for (size_t pos = out.find(s); pos != std::string::npos;
           pos = out.find(s, pos + masked.size()))
        out.replace(pos, s.size(), masked);
    }
  }
  // Anything shaped like a key, registered or not: keep the display prefix only.
  for (auto shape : kShapes) {
    for (size_t pos = out.find(shape); pos != std::string::npos; pos = out.find(shape, pos + 1)) {
      size_t end = pos + shape.size();
      while (end < out.size() && key_char(out[end])) ++end;
      if (end - pos <= 13) continue;  // already a display prefix
      out.replace(pos, end - pos, prefix_only(std::string_view(out).substr(pos, end - pos)));
    }
  }
  return out;
}

}  // namespace lwgw
