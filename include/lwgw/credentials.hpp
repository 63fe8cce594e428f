// Where the virtual key and the local token live: the OS keychain, else a 0600 file.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "lwgw/environment.hpp"

namespace lwgw {

/// The two secrets lwgw keeps.
inline constexpr const char* kVirtualKey = "vk";
inline constexpr const char* kLocalToken = "local_token";

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  /// Returns the secret, or nullopt when absent. Throws Error(kConfig) when the store is unusable
  /// (e.g. a credentials file readable by others).
  virtual std::optional<std::string> get(const std::string& name) const = 0;
  /// Stores the secret. Throws Error on failure.
  virtual void set(const std::string& name, const std::string& secret) = 0;
  /// Removes the secret; returns whether it was there.
  virtual bool erase(const std::string& name) = 0;
  /// "file (~/.config/lwgw/credentials)", "keychain (secret-tool)"…
  virtual std::string describe() const = 0;
  /// "file" or "keychain".
  virtual std::string kind() const = 0;
};

/// The store chosen by `credentials.store` (auto | file | keychain). Throws Error(kConfig) when
/// `keychain` is asked for and none is usable here.
std::unique_ptr<CredentialStore> open_credential_store(const std::string& setting,
                                                       const Paths& paths, const Env& env);

/// A 0600 file in a 0700 directory holding a small JSON object.
std::unique_ptr<CredentialStore> make_file_store(const Paths& paths);

/// True when an OS keychain can be used from here (macOS `security`; `secret-tool` with a
/// session bus on Linux).
bool keychain_available(const Env& env);

/// A new local token: `lwgw_lt_` + 43 base64url characters (32 random bytes).
std::string generate_local_token();

/// Whether a key has a known VK shape (`vk-lw-` + 26 Crockford base32, or `lw_vk_…`).
bool looks_like_vk(const std::string& key);

/// The key in use: `LWGW_VK` from the environment (never stored), else the store's.
struct ResolvedKey {
  std::string key;
  std::string source;  // "env LWGW_VK" or the store's description
};
std::optional<ResolvedKey> resolve_vk(const CredentialStore& store, const Env& env);

/// Throws Error(kConfig) when `key` holds a control character or a space (a pasted newline, a CR
/// that would inject a header into every upstream request); `where` names its source.
void refuse_unsafe_key(const std::string& key, const std::string& where);

}  // namespace lwgw
