#!/usr/bin/env bash
# Install the pinned coding CLIs used by the e2e tests into a per-machine cache
# directory OUTSIDE the repository, once. Prints the install prefix on stdout.
#
#   LWGW_E2E_VERSIONS=pinned (default) | latest
#   LWGW_E2E_CACHE   cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/lwgw-e2e, and
#                    …/lwgw-e2e-latest for the latest releases, re-resolved once a day)
#   LWGW_E2E_NODE_MAJOR  install that Node (node-linux-<arch>@<major>) next to the CLIs and run them with it;
#                    without it that happens only when a release refuses the Node on PATH
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

arch=$(node -p process.arch 2>/dev/null)

# A release that does not run on the Node on PATH because its engines.node asks for a newer major (or
# LWGW_E2E_NODE_MAJOR): the registry's node-linux-<arch>@<major> goes into DIR/node; e2e.sh puts it first
# on PATH. Returns 1 when that install fails.
ensure_node() {
  local dir=$1 major=${LWGW_E2E_NODE_MAJOR:-} have b pkg want failing=0 out
  have=$(node -p 'process.versions.node.split(".")[0]')
  if [ -z "$major" ]; then
    for b in claude codex gemini opencode; do "$dir/node_modules/.bin/$b" --version >/dev/null 2>&1 || failing=1; done
    [ $failing = 1 ] || return 0
    for pkg in "${pkgs[@]}"; do
      want=$(node -e 'try{const e=require(process.argv[1]).engines||{};const m=/(\d+)/.exec(e.node||"");console.log(m?m[1]:0)}catch(e){console.log(0)}' \
        "$dir/node_modules/${pkg%@*}/package.json")
      [ "$want" -gt "${major:-$have}" ] && major=$want
    done
    [ -n "$major" ] || return 0 # no release asks for a newer Node: its failure is reported below
  fi
  echo "install-clis: installing Node $major (node-linux-$arch@$major) into $dir/node for the CLIs (Node on PATH: $have)" >&2
  if ! out=$(npm install --prefix "$dir/node" --no-audit --no-fund --no-update-notifier --fetch-retries=1 \
        --fetch-timeout=60000 "node-linux-$arch@$major" 2>&1); then
    echo "install-clis: installing Node $major failed:" >&2
    echo "$out" | tail -10 >&2
    return 1
  fi
  echo "install-clis: Node $("$dir/node/node_modules/node-linux-$arch/bin/node" --version) in $dir/node" >&2
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
  if ! ensure_node "$prefix.tmp"; then
    rm -rf "$prefix.tmp"
    exit 1
  fi
  node_path="$prefix.tmp/node/node_modules/node-linux-$arch/bin:$PATH"
  # Codex ships its native binary through an optional dependency: make sure it arrived.
  if ! PATH=$node_path "$prefix.tmp/node_modules/.bin/codex" --version >/dev/null 2>&1; then
    echo "install-clis: codex installed but does not run (native optional dependency missing?):" >&2
    PATH=$node_path "$prefix.tmp/node_modules/.bin/codex" --version 2>&1 | tail -5 >&2
    rm -rf "$prefix.tmp"
    exit 1
  fi
  rm -rf "$prefix"
  mv "$prefix.tmp" "$prefix"
  touch "$prefix/.complete"
  rm -f "$marker"
fi
echo "$prefix"
