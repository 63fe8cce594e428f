// Redaction: no virtual key or local token ever reaches a log line, an error or the terminal.
#pragma once

#include <string>
#include <string_view>

namespace lwgw {

/// The display form of a key: its display prefix (at most 13 chars, fewer for short keys) + "…".
/// `vk-lw-01HZX9NABCDEFGHJKMNPQRSTV` -> `vk-lw-01HZX9N…`.
std::string mask_key(std::string_view key);

/// Registers a secret (process-wide, thread-safe) so that redact() masks it everywhere.
/// Values shorter than 8 characters are ignored (they would mask ordinary words).
void register_secret(const std::string& secret);

/// Forgets all registered secrets (tests).
void clear_secrets();

/// Returns `text` with every registered secret and everything shaped like a VK
/// (`vk-lw-…`, `lw_vk_…`) or a local token (`lwgw_lt_…`) replaced by its masked form.
std::string redact(std::string_view text);

}  // namespace lwgw
