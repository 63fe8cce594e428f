#!/usr/bin/env bash
# Installs lwgw's build and test dependencies, idempotently: only what is missing.
# Debian/Ubuntu: apt-get (as root, or through sudo). macOS: Homebrew.
set -euo pipefail

debian_packages=(
  g++ cmake make pkg-config git curl
  libcli11-dev libcpp-httplib-dev nlohmann-json3-dev libcurl4-openssl-dev libssl-dev libevent-dev
  libtomlplusplus-dev doctest-dev
  zsh fish groff-base man-db
  dpkg-dev lintian ruby
  clang-format clang-tidy
  clang llvm
)
# Plus libclang-rt-N-dev (the sanitizer and libFuzzer runtimes) for the N of the `clang` that is
# installed: 14 on Debian 12, 19 on Debian 13, 18 on Ubuntu 24.04. Derived once clang is there, not
# pinned, so the same script works on every release.
brew_packages=(cmake pkg-config cli11 cpp-httplib nlohmann-json curl openssl@3 tomlplusplus libevent doctest zsh fish groff)

log() { printf 'deps: %s\n' "$*" >&2; }

apt_updated=0
# Installs those of the given Debian packages that are not installed yet; returns 1 when all were.
# Called in `&&` lists, where `set -e` does not apply: an apt-get failure exits explicitly.
apt_install_missing() {
  local missing=()
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -gt 0 ] || return 1
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { log "need root or sudo to install: ${missing[*]}"; exit 1; }
    sudo=(sudo)
  fi
  log "installing: ${missing[*]}"
  if [ "$apt_updated" -eq 0 ]; then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
      { log "apt-get update failed"; exit 1; }
    apt_updated=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" || { log "apt-get install failed: ${missing[*]}"; exit 1; }
}

install_debian() {
  local installed=0
  apt_install_missing "${debian_packages[@]}" && installed=1
  # "Debian clang version 19.1.7 (3)", "Ubuntu clang version 18.1.3 (1ubuntu1)": the major version.
  local major
  major=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9][0-9]*\)\..*/\1/p' | head -1)
  if [ -z "$major" ]; then
    log "cannot tell clang's version (clang --version): install libclang-rt-<N>-dev by hand"
    exit 1
  fi
  apt_install_missing "libclang-rt-$major-dev" && installed=1
  [ "$installed" -eq 1 ] || log "all Debian packages present"
}

install_brew() {
  command -v brew >/dev/null || { log "Homebrew is required on macOS: https://brew.sh"; exit 1; }
  local missing=()
  for p in "${brew_packages[@]}"; do
    brew list --versions "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "all Homebrew packages present"
    return 0
  fi
  log "installing: ${missing[*]}"
  brew install "${missing[@]}"
}

case "$(uname -s)" in
  Linux)
    if command -v apt-get >/dev/null; then install_debian; else
      log "unsupported Linux distribution: install ${debian_packages[*]} by hand"; exit 1
    fi ;;
  Darwin) install_brew ;;
  *) log "unsupported system $(uname -s)"; exit 1 ;;
esac
