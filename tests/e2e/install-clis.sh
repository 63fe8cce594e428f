#!/usr/bin/env bash
# Install the pinned coding CLIs used by the e2e tests into a per-machine cache
# directory OUTSIDE the repository, once. Prints the install prefix on stdout.
#
#   LWGW_E2E_VERSIONS=pinned (default) | latest
#   LWGW_E2E_CACHE   cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/lwgw-e2e, and
#                    …/lwgw-e2e-latest for the latest releases, re-resolved once a day)
#   npm_config_registry is honoured (npm reads it); an unreachable registry -> exit 77 (skip)
#
# Exit: 0 installed (or already cached), 77 registry unreachable / npm missing, 1 install broken.
set -uo pipefail

versions=${LWGW_E2E_VERSIONS:-pinned}
case "$versions" in
  pinned)
    pkgs=(@anthropic-ai/claude-code@2.1.332 @openai/codex@0.171.0 @google/gemini-cli@0.61.0 opencode-ai@1.18.33)
    set_name="cc2.1.332-cx0.171.0-gm0.61.0-oc1.18.33" ;;
  latest)
    pkgs=(@anthropic-ai/claude-code@latest @openai/codex@latest @google/gemini-cli@latest opencode-ai@latest)
    # one directory per day, so `latest` is re-resolved daily and not on every run
    set_name="latest-$(date -u +%Y%m%d)" ;;
  *) echo "install-clis: LWGW_E2E_VERSIONS must be 'pinned' or 'latest' (got '$versions')" >&2; exit 2 ;;
esac

default_root=${XDG_CACHE_HOME:-$HOME/.cache}/lwgw-e2e
[ "$versions" = latest ] && default_root=$default_root-latest
cache_root=${LWGW_E2E_CACHE:-$default_root}
prefix="$cache_root/$set_name"
mkdir -p "$cache_root" || { echo "install-clis: cannot create $cache_root" >&2; exit 1; }

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "SKIP: node/npm not installed (needed to install the coding CLIs)" >&2
  exit 77
fi

complete() {
  [ -f "$prefix/.complete" ] || return 1
  local b
  for b in claude codex gemini opencode; do [ -x "$prefix/node_modules/.bin/$b" ] || return 1; done
  return 0
}

# One install at a time per machine (ctest -j2 runs several e2e tests at once).
exec 9>"$cache_root/.install.lock"
flock 9

# A registry found unreachable in the last 10 minutes is not asked again by every test of the run.
marker="$cache_root/.$set_name.unreachable.$(npm config get registry 2>/dev/null | cksum | cut -d' ' -f1)"
if ! complete && [ -f "$marker" ] && [ -n "$(find "$marker" -mmin -10 2>/dev/null)" ]; then
  echo "$(cat "$marker") (cached for 10 min: $marker)" >&2
  exit 77
fi

if ! complete; then
  rm -rf "$prefix.tmp"
  mkdir -p "$prefix.tmp"
  echo "install-clis: npm install ${pkgs[*]} into $prefix (once per machine)" >&2
  if ! out=$(cd "$prefix.tmp" && npm install --prefix "$prefix.tmp" --no-audit --no-fund --no-update-notifier \
        --fetch-retries=1 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=5000 --fetch-timeout=60000 "${pkgs[@]}" 2>&1); then
    rm -rf "$prefix.tmp"
    if grep -qiE 'ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|ENETUNREACH|EHOSTUNREACH|network|socket hang up|getaddrinfo|request to .* failed' <<<"$out"; then
      reg=$(npm config get registry 2>/dev/null)
      msg="SKIP: npm registry unreachable ($reg): $(grep -m1 -iE 'ECONN|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|network|request to' <<<"$out")"
      echo "$msg" >"$marker"
      echo "$msg" >&2
      exit 77
    fi
    echo "install-clis: npm install failed:" >&2
    echo "$out" | tail -30 >&2
    exit 1
  fi
  # Codex ships its native binary through an optional dependency: make sure it arrived.
  if ! "$prefix.tmp/node_modules/.bin/codex" --version >/dev/null 2>&1; then
    echo "install-clis: codex installed but does not run (native optional dependency missing?):" >&2
    "$prefix.tmp/node_modules/.bin/codex" --version 2>&1 | tail -5 >&2
    rm -rf "$prefix.tmp"
    exit 1
  fi
  rm -rf "$prefix"
  mv "$prefix.tmp" "$prefix"
  touch "$prefix/.complete"
  rm -f "$marker"
fi
echo "$prefix"
