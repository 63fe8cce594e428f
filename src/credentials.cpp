// Credential stores: file (0600, JSON), secret-tool (Linux), security (macOS).
#include "lwgw/credentials.hpp"

#include <openssl/rand.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <nlohmann/json.hpp>

#include "lwgw/error.hpp"
#include "lwgw/fs.hpp"
#include "lwgw/process.hpp"
#include "lwgw/redact.hpp"

namespace lwgw {

namespace {

constexpr const char* kService = "lwgw";

class FileStore : public CredentialStore {
 public:
  explicit FileStore(Paths paths) : paths_(std::move(paths)) {}

  std::optional<std::string> get(const std::string& name) const override {
    auto doc = load();
    if (!doc.contains(name) || !doc[name].is_string()) return std::nullopt;
    std::string v = doc[name].get<std::string>();
    register_secret(v);
    return v;
  }
  void set(const std::string& name, const std::string& secret) override {
    auto held = lock();
    auto doc = load();
    doc[name] = secret;
    save(doc);
  }
  bool erase(const std::string& name) override {
    auto held = lock();
    auto doc = load();
    if (!doc.contains(name)) return false;
    doc.erase(name);
    save(doc);
    return true;
  }
  std::string describe() const override {
    return "file (" + display_path(paths_.credentials_file, paths_.home) + ")";
  }
  std::string kind() const override { return "file"; }

 private:
  // Two lwgw processes storing different entries (login's key, up's first local token) must not
  // lose one of them.
  fs::FileLock lock() const {
    return fs::FileLock(paths_.state_dir / "credentials.lock", std::chrono::seconds(10),
                        "another lwgw command is still changing " +
                            paths_.credentials_file.string() + "; try again");
  }
  nlohmann::json load() const {
    const auto& file = paths_.credentials_file;
    auto mode = fs::file_mode(file);
    if (!mode) return nlohmann::json::object();
    if (*mode & 077) {
      char oct[16];
      std::snprintf(oct, sizeof oct, "%04o", *mode);
      throw config_error("credentials file " + file.string() + " has mode " + oct +
                         " and could be read by others; fix it with: chmod 600 " + file.string() +
                         " (and consider rotating the key)");
    }
    auto text = fs::read_file(file);
    if (!text || text->empty()) return nlohmann::json::object();
    auto doc = nlohmann::json::parse(*text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      throw config_error("credentials file " + file.string() +
                         " is not valid JSON; remove it and run `lwgw login` again");
    return doc;
  }
  void save(const nlohmann::json& doc) {
    fs::ensure_dir(paths_.credentials_file.parent_path(), 0700);
    ::chmod(paths_.credentials_file.parent_path().c_str(), 0700);
    fs::ensure_private_dir(paths_.credentials_file.parent_path());
    fs::atomic_write(paths_.credentials_file, doc.dump(2) + "\n", 0600, /*force_mode=*/true);
  }
  Paths paths_;
};

bool is_macos() {
  utsname u{};
  return ::uname(&u) == 0 && std::string(u.sysname) == "Darwin";
}

// libsecret through `secret-tool`: the secret travels on stdin, never in argv.
class SecretToolStore : public CredentialStore {
 public:
  explicit SecretToolStore(Env env) : env_(std::move(env)) {}
  std::optional<std::string> get(const std::string& name) const override {
    auto r =
        process::run({"secret-tool", "lookup", "service", kService, "account", name}, "", env_);
    if (r.exit_code != 0 || r.out.empty()) return std::nullopt;
    std::string v = r.out;
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    register_secret(v);
    return v;
  }
  void set(const std::string& name, const std::string& secret) override {
    auto r = process::run(
        {"secret-tool", "store", "--label=lwgw " + name, "service", kService, "account", name},
        secret, env_);
    if (r.exit_code != 0)
      throw config_error("secret-tool could not store the " + name + ": " + redact(r.err) +
                         " (set credentials.store = \"file\" to use a 0600 file instead)");
  }
  bool erase(const std::string& name) override {
    bool had = get(name).has_value();
    process::run({"secret-tool", "clear", "service", kService, "account", name}, "", env_);
    return had;
  }
  std::string describe() const override { return "keychain (secret-tool, libsecret)"; }
  std::string kind() const override { return "keychain"; }

 private:
  Env env_;
};

// macOS Keychain through `security -i`, so the secret is read from stdin rather than argv.
class MacKeychainStore : public CredentialStore {
 public:
  explicit MacKeychainStore(Env env) : env_(std::move(env)) {}
  std::optional<std::string> get(const std::string& name) const override {
    auto r = process::run({"security", "find-generic-password", "-s", kService, "-a", name, "-w"},
                          "", env_);
    if (r.exit_code != 0) return std::nullopt;
    std::string v = r.out;
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    register_secret(v);
    return v;
  }
  void set(const std::string& name, const std::string& secret) override {
    std::string cmd = "add-generic-password -U -s " + std::string(kService) + " -a " + name +
                      " -w \"" + secret + "\"\n";
    auto r = process::run({"security", "-i"}, cmd, env_);
    if (r.exit_code != 0 || !get(name))
      throw config_error("the macOS Keychain refused to store the " + name + ": " + redact(r.err));
  }
  bool erase(const std::string& name) override {
    auto r =
        process::run({"security", "delete-generic-password", "-s", kService, "-a", name}, "", env_);
    return r.exit_code == 0;
  }
  std::string describe() const override { return "keychain (macOS Keychain)"; }
  std::string kind() const override { return "keychain"; }

 private:
  Env env_;
};

}  // namespace

bool keychain_available(const Env& env) {
  if (is_macos()) return process::find_in_path("security", env).has_value();
  return process::find_in_path("secret-tool", env).has_value() &&
         !env.get_or("DBUS_SESSION_BUS_ADDRESS", "").empty();
}

std::unique_ptr<CredentialStore> make_file_store(const Paths& paths) {
  return std::make_unique<FileStore>(paths);
}

std::unique_ptr<CredentialStore> open_credential_store(const std::string& setting,
                                                       const Paths& paths, const Env& env) {
  bool keychain = setting == "keychain" || (setting == "auto" && keychain_available(env));
  if (setting == "keychain" && !keychain_available(env))
    throw config_error(
        "credentials.store is \"keychain\" but no keychain is usable here (Linux needs "
        "secret-tool and a session bus); set it to \"auto\" or \"file\"");
  if (!keychain) return make_file_store(paths);
  if (is_macos()) return std::make_unique<MacKeychainStore>(env);
  return std::make_unique<SecretToolStore>(env);
}

std::string generate_local_token() {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) throw failure("could not generate a random local token");
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "lwgw_lt_";
  unsigned int acc = 0;
  int bits = 0;
  for (unsigned char b : raw) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      out += alphabet[(acc >> (bits - 6)) & 63];
      bits -= 6;
    }
  }
  if (bits > 0) out += alphabet[(acc << (6 - bits)) & 63];
  return out;
}

bool looks_like_vk(const std::string& key) {
  if (key.rfind("vk-lw-", 0) == 0 && key.size() == 32) {
    for (size_t i = 6; i < key.size(); ++i) {
      char c = key[i];
      bool ok = (c >= '0' && c <= '9') ||
                (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U');
      if (!ok) return false;
    }
    return true;
  }
  if (key.rfind("lw_vk_", 0) == 0 && key.size() > 10) {
    for (char c : key)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    return true;
  }
  return false;
}

void refuse_unsafe_key(const std::string& key, const std::string& where) {
  for (char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f)
      throw config_error("the key from " + where +
                         " contains a space or a control character (a pasted line break?); "
                         "log in again with the key alone: `lwgw login`");
  }
}

std::optional<ResolvedKey> resolve_vk(const CredentialStore& store, const Env& env) {
  if (auto v = env.get("LWGW_VK"); v && !v->empty()) {
    register_secret(*v);
    refuse_unsafe_key(*v, "LWGW_VK");
    return ResolvedKey{*v, "env LWGW_VK"};
  }
  if (auto v = store.get(kVirtualKey)) {
    register_secret(*v);
    refuse_unsafe_key(*v, store.describe());
    return ResolvedKey{*v, store.describe()};
  }
  return std::nullopt;
}

}  // namespace lwgw
