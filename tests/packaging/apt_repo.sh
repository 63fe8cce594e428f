#!/usr/bin/env bash
# The Debian package the way a team ships it: built with CPack from the build directory, served from
# a local apt repository (dpkg-scanpackages, a file: source in a temp sources list), installed with
# apt-get, checked (version, man page, bash completion, up/status/down in a temp HOME), checked with
# lintian (no errors), then purged: no file of the package may remain.
# Usage: apt_repo.sh BUILD_DIR. Exit 77 (skipped, with the reason) when not root or apt is absent.
set -uo pipefail
build=${1:?usage: apt_repo.sh BUILD_DIR}
skip() { echo "package: skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "installing a package needs root"
for tool in apt-get dpkg dpkg-scanpackages cpack; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done

T=$(mktemp -d /tmp/lwgw-apt.XXXXXX)
failures=0
ok() { echo "package: ok   $*"; }
fail() { echo "package: FAIL $*"; failures=$((failures + 1)); }
apt_opts=(-o "Dir::Etc::SourceList=$T/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$T/lists" -o "Dir::Cache::Archives=$T/archives" -o "APT::Get::List-Cleanup=0"
  -o "Debug::NoLocking=0")
cleanup() {
  [ -n "${LWGW_KEEP:-}" ] && { echo "kept $T"; return; }
  dpkg -s lwgw >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq lwgw >/dev/null 2>&1
  rm -rf "$T"
}
trap cleanup EXIT

if dpkg -s lwgw >/dev/null 2>&1; then skip "a package called lwgw is installed already; not touching it"; fi

# 1. The package, and a repository holding it.
mkdir -p "$T/repo" "$T/lists/partial" "$T/archives/partial" "$T/home"
(cd "$build" && cpack -G DEB -B "$T/out" >"$T/cpack.log" 2>&1) || { cat "$T/cpack.log"; fail "cpack -G DEB"; exit 1; }
deb=$(ls "$T"/out/lwgw_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { fail "cpack made no .deb"; exit 1; }
ok "built $(basename "$deb")"
cp "$deb" "$T/repo/"
(cd "$T/repo" && dpkg-scanpackages --multiversion . /dev/null >Packages 2>/dev/null && gzip -9k Packages)
echo "deb [trusted=yes] file:$T/repo ./" >"$T/sources.list"

# 2. apt-get install from it (its Depends come from what the machine has installed already).
export DEBIAN_FRONTEND=noninteractive
apt-get "${apt_opts[@]}" update -qq >"$T/update.log" 2>&1 || { cat "$T/update.log"; fail "apt-get update"; exit 1; }
apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends lwgw >"$T/install.log" 2>&1 ||
  { cat "$T/install.log"; fail "apt-get install lwgw"; exit 1; }
ok "apt-get install lwgw from a file: repository"
files=$(dpkg -L lwgw)

# 3. What an engineer does first.
version=$(/usr/bin/lwgw --version 2>&1)
if grep -q "lwgw $(dpkg-deb -f "$deb" Version | cut -d- -f1)" <<<"$version"; then ok "lwgw --version: $version"
else fail "lwgw --version says: $version"; fi
if command -v man >/dev/null; then
  page=$(man -w lwgw 2>&1)
  if [ "$page" = /usr/share/man/man1/lwgw.1.gz ]; then ok "man -w lwgw: $page"; else fail "man -w lwgw: $page"; fi
else echo "package: (man is not installed: man -w not checked)"; fi
if bash -c 'source /usr/share/bash-completion/completions/lwgw && complete -p lwgw' >/dev/null 2>&1; then
  ok "the bash completion loads"
else fail "the bash completion does not load"; fi
for f in /usr/lib/systemd/user/lwgw.service /usr/lib/systemd/user/lwgw.socket; do
  if [ -f "$f" ]; then ok "$f"; else fail "$f missing"; fi
done
# Hardened as Debian builds packages (LWGW_HARDEN): a PIE bound at start with read-only relocations.
if command -v readelf >/dev/null; then
  dyn=$(readelf -d /usr/bin/lwgw)
  if grep -q 'BIND_NOW' <<<"$dyn" && grep -q 'PIE' <<<"$dyn" && readelf -lW /usr/bin/lwgw | grep -q GNU_RELRO; then
    ok "/usr/bin/lwgw is PIE with RELRO and BIND_NOW"
  else fail "/usr/bin/lwgw is not hardened (PIE, RELRO, BIND_NOW)"; fi
else echo "package: (readelf is not installed: hardening not checked)"; fi
grep -q '^ExecStart=/usr/bin/lwgw up --foreground$' /usr/lib/systemd/user/lwgw.service &&
  ok "the service runs /usr/bin/lwgw" || fail "lwgw.service does not run /usr/bin/lwgw"

port=
for _ in $(seq 50); do
  p=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
run() { env -i PATH=/usr/bin:/bin HOME="$T/home" XDG_RUNTIME_DIR="$T/run" /usr/bin/lwgw "$@"; }
mkdir -p "$T/run" && chmod 700 "$T/run"
run config set proxy.listen "127.0.0.1:$port" -q >"$T/cfg.log" 2>&1 || { cat "$T/cfg.log"; fail "config set proxy.listen"; }
# A gateway on loopback where nothing listens: the test stays off the network.
echo vk-lw-01HZX9N0ABCDEFGHJKMNPQRSTV |
  run login --gateway "http://127.0.0.1:9" --key-stdin --no-verify >"$T/login.log" 2>&1 ||
  { cat "$T/login.log"; fail "lwgw login"; }
if run up >"$T/up.log" 2>&1; then ok "lwgw up (127.0.0.1:$port)"; else cat "$T/up.log"; fail "lwgw up"; fi
run status >"$T/status.log" 2>&1
st=$?
# status exits 1 when the gateway is unreachable (none is configured here); 4 means no proxy.
if [ $st -ne 4 ] && grep -q "running" "$T/status.log"; then ok "lwgw status sees the proxy (exit $st)"
else cat "$T/status.log"; fail "lwgw status (exit $st)"; fi
if run down >"$T/down.log" 2>&1; then ok "lwgw down"; else cat "$T/down.log"; fail "lwgw down"; fi

# 4. lintian: no errors (warnings are listed).
if command -v lintian >/dev/null; then
  lintian --tag-display-limit 0 "$deb" >"$T/lintian.log" 2>&1
  sed 's/^/  lintian| /' "$T/lintian.log"
  if grep -q '^E:' "$T/lintian.log"; then fail "lintian reports errors"; else ok "lintian: no errors"; fi
else echo "package: (lintian is not installed: not run)"; fi

# 5. Purge: nothing of the package stays.
apt-get "${apt_opts[@]}" purge -y -qq lwgw >"$T/purge.log" 2>&1 || { cat "$T/purge.log"; fail "apt-get purge lwgw"; }
left=""
while IFS= read -r f; do
  [ -f "$f" ] || [ -L "$f" ] && left+="$f "
  [ -d "$f" ] && [[ "$f" == */lwgw ]] && left+="$f "
done <<<"$files"
if [ -z "$left" ]; then ok "apt-get purge lwgw left no file of the package"; else fail "left after purge: $left"; fi

[ $failures -eq 0 ] && echo "package: all checks passed" || echo "package: $failures check(s) failed"
[ $failures -eq 0 ]
