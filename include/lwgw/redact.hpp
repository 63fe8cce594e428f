// Redaction: no virtual key or local token ever reaches a log line, an error or the terminal.
#pragma once

#include <string>
#include <string_view>

namespace lwgw {

/// The display form of a key: its display prefix (at most 13 chars), "…", and its last 4 chars,
/// so two keys with the same prefix can be told apart; at least a third of the key (8 chars or
/// more) stays hidden, and a key shorter than 16 chars is shown as "…" alone.
/// `vk-lw-01HZX9NABCDEFGHJKMNPQ7XZ` -> `vk-lw-01HZX9N…Q7XZ`. For showing the user's own key
/// (login, whoami, status); redact() leaves only the display prefix in free text.
std::string mask_key(std::string_view key);

/// Registers a secret (process-wide, thread-safe) so that redact() masks it everywhere.
/// Values shorter than 8 characters are ignored (they would mask ordinary words).
void register_secret(const std::string& secret);

/// Forgets all registered secrets (tests).
void clear_secrets();

/// Returns `text` with every registered secret and everything shaped like a VK
/// (`vk-lw-…`, `lw_vk_…`) or a local token (`lwgw_lt_…`) replaced by its display prefix + "…"
/// (no tail: free text such as logs, errors and diffs shows as little as possible).
std::string redact(std::string_view text);

}  // namespace lwgw
